"""Run the webhook relay: claim due events in batches and process them (run one or more; they share the work)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from prometheus_client import start_http_server

from webhooks.relay import Relay


class Command(BaseCommand):
    help = "Process received WhatsApp webhook events as they arrive (LISTEN/NOTIFY plus a short poll)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=50, help="Events claimed per batch (default 50).")
        parser.add_argument(
            "--poll-interval", type=float, default=0.2, help="Seconds between polls when idle (default 0.2)."
        )
        parser.add_argument(
            "--busy-poll-interval",
            type=float,
            default=0.02,
            help="Seconds before the next poll after one that found work (default 0.02).",
        )
        parser.add_argument("--no-listen", action="store_true", help="Poll only, without LISTEN/NOTIFY.")
        parser.add_argument("--metrics-port", type=int, default=0, help="Serve Prometheus metrics on this port.")
        parser.add_argument(
            "--metrics-addr", default="127.0.0.1", help="Address the metrics server binds (0.0.0.0 in a container)."
        )
        parser.add_argument("--once", action="store_true", help="Drain what is due now, then exit.")

    def handle(self, *args, **options):
        if options["metrics_port"]:
            start_http_server(options["metrics_port"], addr=options["metrics_addr"])
        relay = Relay(
            batch_size=options["batch_size"],
            poll_interval=options["poll_interval"],
            busy_poll_interval=options["busy_poll_interval"],
            listen=not options["no_listen"],
        )
        relay.install_signal_handlers()
        relay.run(max_idle_loops=1 if options["once"] else None)
