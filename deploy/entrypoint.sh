#!/bin/sh
# Container entrypoint: one image, one role per container. Migrations run only in `release` (once per deploy).
set -eu
role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web)
    exec gunicorn -c gunicorn.conf.py "$@" ;;
  worker)
    exec celery -A config worker -Q "${CELERY_QUEUES:-webhooks,outbound,default,rollups}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --loglevel "${LOG_LEVEL:-INFO}" "$@" ;;
  beat)
    # Exactly one beat per deployment.
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /tmp/celerybeat-schedule "$@" ;;
  release)
    # Roles and grants first (idempotent; only where an administrator URL is given), then DDL as the owner role.
    if [ -n "${DATABASE_ADMIN_URL:-}" ]; then python manage.py db_roles; fi
    python manage.py migrate --noinput
    exec python manage.py check --deploy --fail-level WARNING ;;
  *)
    exec "$role" "$@" ;;
esac
