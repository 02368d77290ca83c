"""The admin site branded as Chairside: its name in the header and the title, no "View site" link (Chairside has no
public site to view, and the link went to a 404)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy


def brand(site: admin.AdminSite) -> None:
    site.site_header = "Chairside"
    site.site_title = "Chairside"
    site.index_title = gettext_lazy("Your salon today")
    site.site_url = None
