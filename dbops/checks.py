"""``check --deploy`` warnings for the database connection: TLS weaker than verify-full, no separate owner role."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

WEAK_SSLMODES = {"disable", "allow", "prefer", "require", "verify-ca"}


@register(Tags.database, Tags.security, deploy=True)
def database_connection_checks(app_configs=None, **kwargs) -> list[Warning]:
    warnings = []
    mode = settings.DATABASES["default"].get("OPTIONS", {}).get("sslmode", "prefer")
    if mode in WEAK_SSLMODES:
        warnings.append(
            Warning(
                f"DB_SSLMODE is {mode!r}: the database connection is not verified end to end.",
                hint="Set DB_SSLMODE=verify-full and DB_SSLROOTCERT to the CA of the server's certificate.",
                id="dbops.W001",
            )
        )
    if mode in {"verify-ca", "verify-full"} and not settings.DATABASES["default"]["OPTIONS"].get("sslrootcert"):
        warnings.append(
            Warning(
                "DB_SSLROOTCERT is not set: libpq looks for ~/.postgresql/root.crt.",
                hint="Set DB_SSLROOTCERT to the CA certificate that signed the server's.",
                id="dbops.W002",
            )
        )
    if not settings.DATABASE_OWNER_URL:
        warnings.append(
            Warning(
                "DATABASE_OWNER_URL is not set: migrations would run as the app role (which cannot run DDL), or the "
                "app connects as the owner.",
                hint="Run `manage.py db_roles` and give the app role's URL as DATABASE_URL, the owner's as "
                "DATABASE_OWNER_URL (docs/database-roles.md).",
                id="dbops.W003",
            )
        )
    return warnings
