"""deploy/monitoring/ stays true: rules and their unit tests pass promtool, Alertmanager's config passes amtool, every
exporter query runs against a real database, and every metric a rule or dashboard uses is exported by something."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.utils import timezone

from analytics.models import SalonDailyStats
from dbops.monitoring import exporter_metric_names, exporter_queries, promql_metric_names
from salons.tenancy import salon_scope
from tests.tools import require_tool

MONITORING = Path(settings.BASE_DIR) / "deploy" / "monitoring"
RULES = MONITORING / "rules" / "chairside.rules.yml"
RULE_TESTS = MONITORING / "rules" / "chairside.rules.test.yml"
ALERTMANAGER = MONITORING / "alertmanager" / "alertmanager.yml"
DASHBOARDS = sorted((MONITORING / "grafana" / "dashboards").glob("*.json"))
DOCS = Path(settings.BASE_DIR) / "docs" / "monitoring.md"

# Metrics that come from standard exporters (their default collectors), not from our code or our query file.
STANDARD_METRICS = {
    "up": "Prometheus itself, one series per scrape target",
    "pg_up": "postgres_exporter",
    "pg_stat_database_xact_commit": "postgres_exporter (pg_stat_database collector)",
    "pg_stat_database_xact_rollback": "postgres_exporter (pg_stat_database collector)",
    "pg_database_size_bytes": "postgres_exporter (database collector)",
    "pgbouncer_pools_client_waiting_connections": "pgbouncer_exporter (SHOW POOLS)",
    "node_filesystem_avail_bytes": "node_exporter (filesystem collector)",
    "node_filesystem_size_bytes": "node_exporter (filesystem collector)",
}
# Exported by another part of Chairside that is not on this branch yet (the backup commands, issue "backups").
EXTERNAL_METRICS = {"chairside_backup_last_success_timestamp_seconds": "dbops backup commands (manage.py db_backup)"}


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]


def _alerts() -> list[dict]:
    return [rule for rule in _rules() if "alert" in rule]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kwargs)


# -- promtool and amtool ----------------------------------------------------------------------------------------------


def test_promtool_check_rules_accepts_the_rules():
    promtool = require_tool("promtool", package="prometheus")
    result = _run([promtool, "check", "rules", str(RULES)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_of_every_alert_pass():
    promtool = require_tool("promtool", package="prometheus")
    result = _run([promtool, "test", "rules", str(RULE_TESTS)], cwd=RULE_TESTS.parent)
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_is_valid_and_loads_the_rules_file():
    promtool = require_tool("promtool", package="prometheus")
    config = MONITORING / "prometheus.yml"
    result = _run([promtool, "check", "config", "--syntax-only", str(config)])
    assert result.returncode == 0, result.stdout + result.stderr
    rule_files = yaml.safe_load(config.read_text())["rule_files"]
    assert [(MONITORING / path).resolve() for path in rule_files] == [RULES.resolve()]


def test_a_broken_rule_makes_the_promtool_checks_fail(tmp_path):
    """The checks above catch a regression: a changed threshold fails its unit test, a syntax error fails check."""
    promtool = require_tool("promtool", package="prometheus")
    shutil.copy(RULE_TESTS, tmp_path / RULE_TESTS.name)

    (tmp_path / RULES.name).write_text(RULES.read_text().replace("expr: pg_up == 0", "expr: pg_up == 2"))
    result = _run([promtool, "test", "rules", RULE_TESTS.name], cwd=tmp_path)
    assert result.returncode != 0
    assert "PostgresDown" in result.stdout + result.stderr

    (tmp_path / RULES.name).write_text(RULES.read_text().replace("expr: pg_up == 0", "expr: pg_up == (0"))
    result = _run([promtool, "check", "rules", str(tmp_path / RULES.name)])
    assert result.returncode != 0


def test_alertmanager_config_is_valid():
    amtool = require_tool("amtool", package="prometheus-alertmanager")
    result = _run([amtool, "check-config", str(ALERTMANAGER)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [("severity=critical", "page"), ("severity=warning", "chat"), ("severity=info", "blackhole")],
)
def test_alertmanager_routes_by_severity(labels, receiver):
    amtool = require_tool("amtool", package="prometheus-alertmanager")
    result = _run(
        [amtool, "config", "routes", "test", f"--config.file={ALERTMANAGER}", f"--verify.receivers={receiver}", labels]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_test_that_fires_and_one_that_stays_quiet():
    fires, quiet = set(), set()
    for case in yaml.safe_load(RULE_TESTS.read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else quiet).add(check["alertname"])
    names = {rule["alert"] for rule in _alerts()}
    assert names - fires == set(), "alerts without a firing test"
    assert names - quiet == set(), "alerts without a stays-quiet test"


def test_every_alert_has_a_severity_and_a_runbook_section():
    docs = DOCS.read_text()
    headings = {line.lstrip("#").strip().lower() for line in docs.splitlines() if line.startswith("#")}
    for rule in _alerts():
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        runbook = rule["annotations"]["runbook"]
        assert runbook == f"docs/monitoring.md#{rule['alert'].lower()}", rule["alert"]
        assert rule["alert"].lower() in headings, f"docs/monitoring.md has no section for {rule['alert']}"


# -- exporter queries ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_exporter_query_runs_against_the_database():
    """Each query runs and returns exactly the columns its metrics declare (pg_stat_statements: next test)."""
    queries = exporter_queries()
    assert queries
    for name, spec in queries.items():
        if name in NEEDS_PG_STAT_STATEMENTS:
            continue
        with connection.cursor() as cursor:
            cursor.execute(spec["query"])
            columns = [column.name for column in cursor.description]
            cursor.fetchall()
        declared = [next(iter(metric)) for metric in spec["metrics"]]
        assert sorted(columns) == sorted(declared), name


NEEDS_PG_STAT_STATEMENTS = {"chairside_statements"}


def test_statement_query_runs_where_pg_stat_statements_is_loaded(stat_statements_cluster):
    spec = exporter_queries()["chairside_statements"]
    stat_statements_cluster.execute("SELECT pg_sleep(0.05)")
    with stat_statements_cluster.connect() as conn:
        cursor = conn.execute(spec["query"])
        rows = cursor.fetchall()
        columns = [column.name for column in cursor.description]
    assert sorted(columns) == sorted(next(iter(metric)) for metric in spec["metrics"])
    assert any("pg_sleep" in row[columns.index("query")] for row in rows)


@pytest.mark.django_db
def test_business_query_sums_each_salons_local_today_from_the_rollups(salon, other_salon):
    now = timezone.now()
    for each, cost in ((salon, "1.25"), (other_salon, "2.50")):
        with salon_scope(each):
            today = timezone.localtime(now, timezone=ZoneInfo(each.timezone)).date()
            SalonDailyStats.objects.create(salon=each, day=today, bookings_created=3, ai_cost=Decimal(cost))
            SalonDailyStats.objects.create(
                salon=each, day=today - timedelta(days=2), bookings_created=100, ai_cost=Decimal("70")
            )
    with connection.cursor() as cursor:
        cursor.execute(exporter_queries()["chairside_business"]["query"])
        row = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    assert row["bookings_today"] == 6
    assert row["ai_cost_today"] == pytest.approx(3.75)
    assert row["salons_active_today"] == 2


# -- metric names ----------------------------------------------------------------------------------------------------


def _exposed_names(text: str) -> set[str]:
    """Every sample name the exposition can carry, including those of labelled families with no child yet."""
    names: set[str] = set()
    suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created")}
    suffixes["summary"] = ("_count", "_sum", "_created")
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(" ", 3)
            names.add(family)
            names.update(family + suffix for suffix in suffixes.get(kind, ()))
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.mark.django_db
def test_every_metric_used_by_a_rule_or_dashboard_is_exported(client):
    # The worker and relay processes expose the same modules' metrics (config/worker_metrics.py, webhooks_relay).
    import analytics.metrics  # noqa: F401
    import messaging.metrics  # noqa: F401
    import webhooks.metrics  # noqa: F401

    client.get("/readyz")  # a database query, so the django_db_* families have children
    response = client.get("/metrics")
    assert response.status_code == 200
    known = _exposed_names(response.content.decode()) | exporter_metric_names()
    known |= set(STANDARD_METRICS) | set(EXTERNAL_METRICS)

    used: dict[str, set[str]] = {}
    for rule in _rules():
        for name in promql_metric_names(rule["expr"]):
            used.setdefault(name, set()).add(f"rule {rule.get('alert') or rule.get('record')}")
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel.get("targets", []):
                for name in promql_metric_names(target["expr"]):
                    used.setdefault(name, set()).add(f"{path.name}: {panel['title']}")
    assert used, "no metric names found"
    unknown = {name: sorted(where) for name, where in used.items() if name not in known}
    assert unknown == {}


def test_metric_name_extraction_ignores_functions_labels_and_keywords():
    expr = (
        'histogram_quantile(0.95, sum by (le, job) (rate(django_db_query_duration_seconds_bucket{job="web"}[5m])))'
        " > 0.25 and on (instance) chairside_x_total offset 5m unless max_over_time(foo:bar[1h:5m]) > 1e3"
    )
    assert promql_metric_names(expr) == {"django_db_query_duration_seconds_bucket", "chairside_x_total", "foo:bar"}


def test_exporter_metric_names_follow_postgres_exporter_naming():
    names = exporter_metric_names()
    assert "chairside_business_ai_cost_today" in names
    assert "chairside_dead_tuples_dead_ratio" in names
    assert "chairside_dead_tuples_relname" not in names  # a label, not a metric


def test_the_four_dashboards_are_provisioned_with_unique_uids_and_queries_in_every_panel():
    dashboards = [json.loads(path.read_text()) for path in DASHBOARDS]
    assert {d["uid"] for d in dashboards} == {
        "chairside-db-overview",
        "chairside-replication",
        "chairside-business",
        "chairside-backups",
    }
    for dashboard in dashboards:
        panels = [p for p in dashboard["panels"] if p["type"] != "row"]
        assert panels, dashboard["uid"]
        for panel in panels:
            assert panel["datasource"]["uid"] == "prometheus", panel["title"]
            assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
    provider = yaml.safe_load((MONITORING / "grafana" / "provisioning" / "dashboards" / "chairside.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
