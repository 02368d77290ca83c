"""`manage.py run_local` (what `make run` does): migrate, demo data, then web, worker and beat in the foreground.

Importing the settings already started the embedded PostgreSQL/Redis when DATABASE_URL/REDIS_URL are unset and put
their URLs into the environment; the processes of Procfile.dev inherit it and start nothing themselves. The
processes run under ``devtools.supervise``: one that dies is restarted (and named), a stopped embedded Redis or
PostgreSQL is started again. Ctrl-C stops every process, then this one exits and the embedded services stop with it
(their data stays in .data/).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from honcho.environ import parse_procfile

from config.local_services import DATA_DIR
from devtools.supervise import Supervisor


class Command(BaseCommand):
    help = "Run Chairside locally: migrate, load demo data, then the processes of Procfile.dev (Ctrl-C stops all)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--procfile", default=str(Path(settings.BASE_DIR) / "Procfile.dev"))
        parser.add_argument("--only", default="", help="comma-separated process names to run (default: all)")
        parser.add_argument("--no-demo", action="store_true", help="skip manage.py demo_data")

    def handle(self, *args, procfile: str, only: str, no_demo: bool, **options) -> None:
        processes = parse_procfile(Path(procfile).read_text()).processes
        wanted = {name.strip() for name in only.split(",") if name.strip()}
        if unknown := wanted - set(processes):
            raise CommandError(f"unknown process(es) {sorted(unknown)}; {procfile} has {sorted(processes)}")

        (Path(settings.BASE_DIR) / ".data").mkdir(exist_ok=True)  # the beat schedule lives there
        call_command("migrate", interactive=False)
        if not no_demo:
            call_command("demo_data")
        self._print_banner()

        # Nothing shared may cross the fork into honcho's helper processes.
        connections.close_all()
        caches.close_all()

        env = os.environ.copy()  # includes DATABASE_URL/REDIS_URL of the embedded services
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        env["PYTHONUNBUFFERED"] = "1"
        chosen = {name: command for name, command in processes.items() if not wanted or name in wanted}
        supervisor = Supervisor(chosen, env=env, cwd=str(settings.BASE_DIR), data_dir=DATA_DIR, out=self.stdout)
        supervisor.run()  # returns after Ctrl-C / SIGTERM; a process that dies meanwhile is restarted
        self.stdout.write("All processes stopped; embedded services stop now (data kept in .data/).")

    def _print_banner(self) -> None:
        port = os.environ.get("PORT", "8000")
        base = f"http://localhost:{port}"
        flags = {"PostgreSQL": "CHAIRSIDE_EMBEDDED_POSTGRES", "Redis": "CHAIRSIDE_EMBEDDED_REDIS"}
        embedded = [name for name, flag in flags.items() if os.environ.get(flag)]
        lines = [
            "",
            "Chairside is starting (web, worker, beat). A process that dies is restarted. Ctrl-C stops everything.",
            f"  admin          {base}/admin/   (logins printed above)",
            f"  API docs       {base}/api/docs/",
            f"  health         {base}/healthz   {base}/readyz",
            f"  metrics        {base}/metrics",
            f"  services       {', '.join(embedded) + ' embedded (data in .data/)' if embedded else 'from env'}",
            "",
        ]
        self.stdout.write("\n".join(lines))
