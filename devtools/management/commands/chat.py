"""``manage.py chat --salon <id> --phone <e164>``: chat with a salon's assistant from the terminal.

Every line goes through the real path (signed webhook → processor → assistant → outbound sender); replies go to a
fake Graph API (an in-process one, or ``--graph-url`` pointing at ``manage.py fake_whatsapp``), never to Meta.
Type the number of a button or list row to tap it; an empty line or /quit ends.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError
from django.test import override_settings

from devtools import playground
from salons.models import Salon


class Command(BaseCommand):
    help = "Chat with a salon's assistant through the real webhook → assistant → outbound path (fake WhatsApp)."

    def add_arguments(self, parser):
        parser.add_argument("--salon", required=True, help="Salon id (UUID) or slug")
        parser.add_argument("--phone", required=True, help="The customer's phone, E.164 (+4915112345678)")
        parser.add_argument("--name", default="Terminal customer", help="The customer's WhatsApp profile name")
        parser.add_argument("--graph-url", default="", help="A running fake Graph API (loopback); default: in-process")
        parser.add_argument(
            "--message", action="append", default=[], help="Send these lines instead of reading the terminal"
        )

    def handle(self, *args, **options):
        salon = Salon.objects.filter(slug=options["salon"]).first()
        if salon is None:
            try:
                salon = Salon.objects.filter(pk=options["salon"]).first()
            except Exception:  # not a UUID
                salon = None
        if salon is None:
            raise CommandError(f"No salon {options['salon']!r}.")
        try:
            chat = playground.Playground(salon=salon, phone=options["phone"], name=options["name"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        with ExitStack() as stack:
            graph_url = options["graph_url"]
            if graph_url:
                if urlsplit(graph_url).hostname not in ("127.0.0.1", "localhost", "::1"):
                    raise CommandError(
                        "--graph-url must be a loopback fake Graph API: this command never talks to Meta."
                    )
                stack.enter_context(override_settings(WHATSAPP_GRAPH_BASE_URL=graph_url))
            else:
                stack.enter_context(playground.fake_graph_server())
            self.stdout.write(
                f"Chatting with {salon.name}'s assistant as {options['phone']}. Empty line or /quit ends."
            )
            lines = iter(options["message"]) if options["message"] else self._terminal()
            last_choices: list[tuple[str, str]] = []
            for line in lines:
                line = line.strip()
                if not line or line == "/quit":
                    break
                if options["message"]:
                    self.stdout.write(f"> {line}")
                if line.isdigit() and 1 <= int(line) <= len(last_choices):
                    reply_id, title = last_choices[int(line) - 1]
                    turn = chat.tap(reply_id, title)
                else:
                    turn = chat.say(line)
                if turn.status_code != 200:
                    self.stderr.write(f"webhook answered {turn.status_code}")
                if not turn.replies:
                    self.stdout.write("  (no reply: the conversation is with a person now, or the assistant is off)")
                for reply in turn.replies:
                    self.stdout.write(playground.describe(reply))
                    last_choices = playground.choices(reply) or last_choices

    def _terminal(self):
        while True:
            try:
                yield input("> ") if sys.stdin.isatty() else sys.stdin.readline()
            except EOFError:
                return
