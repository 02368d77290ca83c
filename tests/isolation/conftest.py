"""Counts what the isolation suite exercised and prints it at the end of the run."""

EXERCISED: set[tuple[str, str]] = set()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if EXERCISED:
        routes = {name for name, _ in EXERCISED}
        terminalreporter.write_line(
            f"isolation suite: exercised {len(EXERCISED)} (route, method) pairs over {len(routes)} tenant routes"
        )
