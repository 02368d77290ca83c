#!/bin/sh
# Container entrypoint: one image, one role per container. Migrations run only in `release` (once per deploy).
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
# Statement and idle-in-transaction timeouts per role (config/db/wiring.py ROLE_TIMEOUTS).
export CHAIRSIDE_PROCESS_ROLE="${CHAIRSIDE_PROCESS_ROLE:-$role}"
case "$role" in
  web)
    exec gunicorn -c gunicorn.conf.py "$@" ;;
  worker)
    # Children count into files here; the main process serves them merged on CELERY_METRICS_PORT (config/worker_metrics.py).
    export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-/tmp/chairside-worker-prometheus}"
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    exec celery -A config worker -Q "${CELERY_QUEUES:-webhooks,outbound,default,rollups}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --loglevel "${LOG_LEVEL:-INFO}" "$@" ;;
  beat)
    # Exactly one beat per deployment.
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /tmp/celerybeat-schedule "$@" ;;
  relay)
    # The webhook relay (LISTEN/NOTIFY + short poll); metrics on RELAY_METRICS_PORT for Prometheus.
    exec python manage.py webhooks_relay --metrics-addr 0.0.0.0 --metrics-port "${RELAY_METRICS_PORT:-9101}" "$@" ;;
  release)
    # Roles and grants first (idempotent; only where an administrator URL is given), then DDL as the owner role.
    if [ -n "${DATABASE_ADMIN_URL:-}" ]; then python manage.py db_roles; fi
    # BACKUP_BEFORE_MIGRATE=1: a backup (dump + manifest, no pruning) before the migrations; if it fails, nothing is
    # migrated (set -e). Restore it with `manage.py db_restore <folder> --target ...` (docs/database.md).
    if [ "${BACKUP_BEFORE_MIGRATE:-0}" = "1" ]; then
      DATABASE_URL="${DATABASE_DIRECT_URL:-$DATABASE_URL}" DATABASE_POOLER="" python manage.py db_backup --no-prune
    fi
    # Migrations need a real session (advisory locks, CREATE INDEX CONCURRENTLY): the server, not the pooler.
    DATABASE_URL="${DATABASE_DIRECT_URL:-$DATABASE_URL}" DATABASE_POOLER="" python manage.py migrate --noinput
    exec python manage.py check --deploy --fail-level WARNING ;;
  *)
    exec "$role" "$@" ;;
esac
