"""The failover drill on throwaway clusters: nothing a client saw committed is lost, writes resume on the new primary
through the re-pointed PgBouncer, and the old primary comes back as a replica (pg_rewind)."""

from __future__ import annotations

import io
import re

from django.core.management import call_command

from tests.tools import require_tool


def test_failover_drill_loses_no_committed_row_and_writes_resume_through_the_pooler():
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "db_failover_drill",
        "--seconds-before=1",
        "--seconds-after=3",
        f"--pgbouncer={require_tool('pgbouncer')}",
        stdout=out,
        stderr=err,
    )
    line = out.getvalue().strip()
    assert line.startswith("BENCH failover_drill write_gap_seconds=")
    fields = dict(re.findall(r"(\w+)=(\S+)", line))
    assert fields["lost_committed"] == "0" and fields["ok"] == "1" and fields["rewound"] == "1"
    assert int(fields["committed"]) > int(fields["after_promotion"]) > 0
    assert "re-pointed pgbouncer at the new primary" in err.getvalue()
