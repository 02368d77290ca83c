"""WSGI entry point (gunicorn config.wsgi). The WhatsApp webhook POST takes a fast path around the middleware."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()

from webhooks.wsgi import WebhookFastPath  # noqa: E402 (after Django is set up)

application = WebhookFastPath(django_application)
