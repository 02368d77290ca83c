"""``manage.py assistant_eval``: the offline engine on the labelled corpus (ai_conversations/eval), one BENCH line."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ai_conversations.eval import evaluate, load_corpus


class Command(BaseCommand):
    help = "Score the assistant's offline engine on the labelled corpus (intent, service, date/time, language)."

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="List every miss (what was expected, what came).")
        parser.add_argument("--language", choices=["en", "es", "pt", "de"], help="Only this language's corpus.")

    def handle(self, *args, **options):
        cases = load_corpus()
        if options["language"]:
            cases = [c for c in cases if c.language == options["language"]]
        report = evaluate(cases)
        if options["misses"]:
            for miss in report.misses:
                case = miss.case
                expected = {
                    "intent": case.intent,
                    "service": case.service,
                    "language": case.language,
                    "when": case.when_label,
                }[miss.what]
                self.stdout.write(
                    f"{case.language}:{case.line} {miss.what}: expected {expected} got {miss.got} | {case.text}"
                )
        self.stdout.write(f"utterances={report.total}")
        self.stdout.write(report.bench_line())
