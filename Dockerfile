# Chairside image: one image, four roles (web, worker, beat, release) chosen by the entrypoint's argument.
#   docker build -t chairside .
#   docker run --env-file .env chairside release   # migrations, once per deploy
#   docker run --env-file .env -p 8000:8000 chairside   # web (gunicorn)

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# gcc for the packages that build a C extension from source (gunicorn_h1c); it stays in this stage.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DEBUG=0 \
    CHAIRSIDE_NO_EMBEDDED=1 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/chairside-prometheus \
    PORT=8000
RUN groupadd --system --gid 10001 chairside \
    && useradd --system --uid 10001 --gid chairside --home-dir /app --shell /usr/sbin/nologin chairside
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=chairside:chairside . /app
# Static files are collected at build time (settings need placeholder values; nothing connects to them here).
RUN DEBUG=0 SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    FIELD_ENCRYPTION_KEYS=ZGV2LW9ubHktZmllbGQtZW5jcnlwdGlvbi1rZXktMDA= WHATSAPP_APP_SECRETS=build \
    WHATSAPP_VERIFY_TOKEN=build \
    python manage.py collectstatic --noinput --verbosity 0 \
    && python -c "from localization.catalogs import compile_catalogs; compile_catalogs(force=True)" \
    && chmod +x /app/deploy/entrypoint.sh \
    && mkdir -p /backups && chown chairside:chairside /backups
USER chairside
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz\", timeout=4)"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
