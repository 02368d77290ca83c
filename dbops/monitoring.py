"""What deploy/monitoring/ refers to: the exporter's custom queries and the metric names in PromQL expressions."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import yaml

MONITORING_DIR = Path(__file__).resolve().parent.parent / "deploy" / "monitoring"
QUERIES_FILE = MONITORING_DIR / "postgres_exporter" / "queries.yml"

_PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "inf", "nan"}
_PROMQL_KEYWORDS |= {"group_left", "group_right", "atan2", "start", "end"}


@cache
def exporter_queries() -> dict[str, dict]:
    """postgres_exporter's custom queries (``--extend.query-path``), by metric prefix."""
    return yaml.safe_load(QUERIES_FILE.read_text())


def exporter_metric_names() -> set[str]:
    """The metric names the queries produce: ``<prefix>_<column>`` for every GAUGE/COUNTER column (not LABELs)."""
    names = set()
    for prefix, spec in exporter_queries().items():
        for metric in spec["metrics"]:
            ((column, options),) = metric.items()
            if options["usage"] in ("GAUGE", "COUNTER"):
                names.add(f"{prefix}_{column}")
    return names


def promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (not functions, labels, keywords, durations or numbers)."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", " ", expr)
    expr = re.sub(r"\[[^\]]*\]", " ", expr)
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", expr):
        if match.group(1).lower() not in _PROMQL_KEYWORDS:
            names.add(match.group(1))
    return names
