"""``check --deploy`` warns about a database connection weaker than verify-full, and a missing owner role."""

from dbops.checks import database_connection_checks


def test_deploy_check_warns_about_weak_tls_and_a_missing_owner_role(settings):
    settings.DATABASES = {
        **settings.DATABASES,
        "default": {**settings.DATABASES["default"], "OPTIONS": {"sslmode": "require"}},
    }
    settings.DATABASE_OWNER_URL = ""
    assert {w.id for w in database_connection_checks()} == {"dbops.W001", "dbops.W003"}


def test_verify_full_with_a_root_certificate_and_an_owner_role_passes(settings):
    options = {"sslmode": "verify-full", "sslrootcert": "/etc/chairside/ca.crt"}
    settings.DATABASES = {**settings.DATABASES, "default": {**settings.DATABASES["default"], "OPTIONS": options}}
    settings.DATABASE_OWNER_URL = "postgres://owner:x@db.internal/chairside"
    assert database_connection_checks() == []
