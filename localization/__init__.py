"""Chairside's one localisation layer, below every app: gettext catalogs for customer- and staff-facing text (en, de,
es, pt; ``locale/<lang>/LC_MESSAGES/django.po``, compiled in the build by ``catalogs``), the language and locale a
customer is addressed in (``locales``), and Babel for dates, numbers and money (``formats``). Imports no Chairside
app. The names below are the package's public interface; see docs/localization.md."""

from localization.formats import (
    date_order,
    format_clock,
    format_day,
    format_money,
    format_number,
    format_when,
    weekday_label,
    weekday_name,
    zone_name,
)
from localization.locales import (
    base_language,
    choose_language,
    customer_locale,
    language_name,
    languages_of_territory,
    locale_for,
    salon_territory,
    supported_languages,
    territory_for_phone,
    territory_for_timezone,
    territory_of_language_tag,
)
from localization.translation import catalog_language, in_language, word_list, word_lists

__all__ = [
    "base_language",
    "catalog_language",
    "choose_language",
    "customer_locale",
    "date_order",
    "format_clock",
    "format_day",
    "format_money",
    "format_number",
    "format_when",
    "in_language",
    "language_name",
    "languages_of_territory",
    "locale_for",
    "salon_territory",
    "supported_languages",
    "territory_for_phone",
    "territory_for_timezone",
    "territory_of_language_tag",
    "weekday_label",
    "weekday_name",
    "word_list",
    "word_lists",
    "zone_name",
]
