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
    exec celery -A config worker -Q "${CELERY_QUEUES:-webhooks,outbound,default,rollups}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --loglevel "${LOG_LEVEL:-INFO}" "$@" ;;
  beat)
    # Exactly one beat per deployment.
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" --schedule /tmp/celerybeat-schedule "$@" ;;
  relay)
    exec python manage.py webhooks_relay "$@" ;;
  release)
    # Migrations need a real session (advisory locks, CREATE INDEX CONCURRENTLY): the server, not the pooler.
    DATABASE_URL="${DATABASE_DIRECT_URL:-$DATABASE_URL}" DATABASE_POOLER="" python manage.py migrate --noinput
    exec python manage.py check --deploy --fail-level WARNING ;;
  *)
    exec "$role" "$@" ;;
esac
