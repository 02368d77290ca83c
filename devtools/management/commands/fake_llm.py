"""``manage.py fake_llm --port 8002``: run the fake OpenAI-compatible LLM server (for the local demo)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from devtools.fake_llm import FakeLLMServer


class Command(BaseCommand):
    help = "Run the fake OpenAI-compatible LLM server on loopback (answers a short text unless scripted)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8002)
        parser.add_argument("--api-key", default="")

    def handle(self, *args, **options):
        server = FakeLLMServer(host=options["host"], port=options["port"], api_key=options["api_key"])
        self.stdout.write(f"fake LLM listening on {server.base_url} (LLM_BASE_URL)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            server.stop()
