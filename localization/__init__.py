"""Chairside's one localisation layer, below every app: gettext catalogs for customer- and staff-facing text (en, de,
es, pt), compiled in the build, and Babel for dates, numbers and money. Imports no Chairside app."""
