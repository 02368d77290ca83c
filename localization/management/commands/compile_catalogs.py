"""``manage.py compile_catalogs``: the gettext catalogs to ``.mo`` (Babel; no GNU gettext needed)."""

from django.core.management.base import BaseCommand

from localization.catalogs import compile_catalogs


class Command(BaseCommand):
    help = "Compile the gettext catalogs (localization/locale/*/LC_MESSAGES/*.po) to .mo files."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Rewrite every .mo, even when it is up to date.")

    def handle(self, *args, force: bool = False, **options):
        written = compile_catalogs(force=force)
        self.stdout.write(f"compiled {len(written)} catalog(s)")
