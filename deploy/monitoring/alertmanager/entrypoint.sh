#!/bin/sh
# Writes the receivers' secrets from the environment into files (Alertmanager reads *_file settings, not variables),
# then starts Alertmanager. Unset variables give a placeholder, so a stack without receivers still starts.
set -eu
mkdir -p /etc/alertmanager/secrets
printf '%s' "${ALERTMANAGER_PAGERDUTY_ROUTING_KEY:-unset}" > /etc/alertmanager/secrets/pagerduty_routing_key
printf '%s' "${ALERTMANAGER_SLACK_WEBHOOK_URL:-http://127.0.0.1:9/unset}" > /etc/alertmanager/secrets/slack_webhook_url
exec /bin/alertmanager --config.file=/etc/alertmanager/alertmanager.yml --storage.path=/alertmanager "$@"
