"""Everything under /api/v1/. Tenant routes live under salons/<salon_id>/ and are in the isolation suite."""

from django.urls import include, path

import analytics.urls
import bookings.urls
import messaging.urls
from salons.urls import account_patterns, salon_patterns

# Each app appends its tenant routes here (they are mounted under /api/v1/salons/<uuid:salon_id>/).
tenant_patterns: list = [
    *salon_patterns,
    *analytics.urls.salon_patterns,
    *bookings.urls.salon_patterns,
    *messaging.urls.salon_patterns,
]

urlpatterns = [
    *account_patterns,
    path("salons/<uuid:salon_id>/", include(tenant_patterns)),
]
