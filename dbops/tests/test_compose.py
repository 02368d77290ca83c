"""deploy/docker-compose.yml: the relay runs, every long-running service has limits, PostgreSQL loads the tooling."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "deploy" / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_compose_runs_the_webhook_relay_with_its_metrics_port():
    relay = SERVICES["relay"]
    assert relay["command"] == ["relay"]
    entrypoint = (Path(settings.BASE_DIR) / "deploy" / "entrypoint.sh").read_text()
    assert "relay)" in entrypoint and "webhooks_relay --metrics-addr 0.0.0.0" in entrypoint


def test_every_long_running_service_has_cpu_and_memory_limits():
    for name, service in SERVICES.items():
        if name == "migrate":
            continue
        limits = service.get("deploy", {}).get("resources", {}).get("limits", {})
        assert {"cpus", "memory"} <= set(limits), name


def test_postgres_preloads_pg_stat_statements_and_auto_explain_and_logs_slow_statements():
    command = " ".join(SERVICES["postgres"]["command"])
    assert "shared_preload_libraries=pg_stat_statements,auto_explain" in command
    assert "log_min_duration_statement=" in command
    assert "auto_explain.log_min_duration=" in command


def test_monitoring_profile_starts_prometheus_alertmanager_grafana_and_exporters():
    # The pgbouncer exporter runs beside pgbouncer (no profile): the pool's own alerting does not wait for the stack.
    assert "profiles" not in SERVICES["pgbouncer-exporter"]
    profiled = {name for name, service in SERVICES.items() if "monitoring" in service.get("profiles", [])}
    assert profiled == {
        "prometheus",
        "alertmanager",
        "grafana",
        "postgres-exporter",
        "node-exporter",
    }
    scrape = yaml.safe_load((Path(settings.BASE_DIR) / "deploy" / "monitoring" / "prometheus.yml").read_text())
    targets = {c["job_name"]: c["static_configs"][0]["targets"][0] for c in scrape["scrape_configs"]}
    assert targets["chairside-worker"] == "worker:9102"
    assert targets["chairside-relay"] == "relay:9101"
    assert targets["postgres"] == "postgres-exporter:9187"
    assert SERVICES["worker"]["environment"]["CELERY_METRICS_PORT"] == "9102"
