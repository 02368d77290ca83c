"""The bench tooling of analytics: bench databases and child processes, the data generator and its COPY loader, and
the read benchmark's gunicorn settings."""
