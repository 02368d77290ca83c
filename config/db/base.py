"""PostgreSQL backend: django-prometheus' instrumented wrapper, with health checks only on connections that idled.

Django's CONN_HEALTH_CHECKS pings (``SELECT 1``) a persistent connection on its first use in *every* request: one
extra round trip per request, measured at about a quarter of a webhook POST. A connection that finished a request
less than ``HEALTH_CHECK_AFTER_IDLE_SECONDS`` ago was just proven usable; it is pinged only after idling longer.
A connection that breaks within that second still fails safely: the error marks it and Django closes it at the end of
that request (``errors_occurred``), exactly as without health checks.
"""

from __future__ import annotations

import time

from django.conf import settings
from django_prometheus.db.backends.postgresql import base

from salons.rls import RowLevelSecurityMixin


class DatabaseWrapper(RowLevelSecurityMixin, base.DatabaseWrapper):
    _last_request_end: float = 0.0

    def close_if_unusable_or_obsolete(self):
        super().close_if_unusable_or_obsolete()
        if self.connection is not None:
            self._last_request_end = time.monotonic()

    def close_if_health_check_failed(self):
        idle_limit = getattr(settings, "DB_HEALTH_CHECK_AFTER_IDLE_SECONDS", 1.0)
        if (
            self.connection is not None
            and not self.health_check_done
            and not self.errors_occurred
            and time.monotonic() - self._last_request_end < idle_limit
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
