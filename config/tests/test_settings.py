"""Production settings (check --deploy, missing secrets) and the rule that configured URLs start nothing embedded."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)


def _production_env(**overrides: str) -> dict[str, str]:
    """A production-like environment; DATABASE_URL/REDIS_URL are this run's (real or embedded) services."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "CHAIRSIDE_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        FIELD_ENCRYPTION_KEYS=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        WHATSAPP_APP_SECRETS=secrets.token_hex(16),
        WHATSAPP_VERIFY_TOKEN=secrets.token_hex(16),
        ALLOWED_HOSTS="chairside.example.com",
        CSRF_TRUSTED_ORIGINS="https://chairside.example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(overrides)
    return env


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_no_issues_for_a_production_environment():
    database = {  # TLS verified end to end and a separate owner role (dbops/checks.py); check does not connect
        "DB_SSLMODE": "verify-full",
        "DB_SSLROOTCERT": "/etc/chairside/postgres-ca.crt",
        "DATABASE_OWNER_URL": "postgres://chairside_owner:secret@db.internal:5432/chairside",
    }
    result = _manage("check", "--deploy", env=_production_env(**database))
    assert result.returncode == 0, result.stderr
    # drf-spectacular builds the API schema here too: its W001/W002 warnings are issues of the view they name.
    assert "System check identified no issues" in result.stdout, result.stderr


@pytest.mark.parametrize(
    "variable", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "WHATSAPP_APP_SECRETS", "WHATSAPP_VERIFY_TOKEN", "REDIS_URL"]
)
def test_a_missing_secret_with_debug_off_stops_start_up_naming_it(variable):
    env = _production_env()
    del env[variable]
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert f"{variable} must be set when DEBUG is off" in result.stderr


def test_configured_urls_start_nothing_embedded(tmp_path):
    data_dir = tmp_path / "data"
    env = _production_env(DEBUG="1", CHAIRSIDE_DATA_DIR=str(data_dir))
    code = (
        "import django; django.setup();"
        "from config import local_services;"
        "from django.db import connection; connection.ensure_connection();"
        "print('handles', len(local_services._handles))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "handles 0" in result.stdout
    assert not data_dir.exists()


def test_env_example_documents_every_variable_the_code_reads():
    reads = re.compile(r'(?:env(?:\.[a-z_]+)?|_required|os\.environ\.(?:get|setdefault))\(\s*"([A-Z][A-Z0-9_]+)"')
    sources = [
        "config/settings.py",
        "config/settings_test.py",
        "config/local_services.py",
        "config/db/wiring.py",
        "gunicorn.conf.py",
    ]
    read = {name for source in sources for name in reads.findall((BASE_DIR / source).read_text())}
    documented = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", (BASE_DIR / ".env.example").read_text(), re.MULTILINE))
    set_by_the_code = {"DJANGO_SETTINGS_MODULE", "CHAIRSIDE_EMBEDDED_POSTGRES", "CHAIRSIDE_EMBEDDED_REDIS"}
    assert read - set_by_the_code - documented == set()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "WHATSAPP_APP_SECRETS"} <= documented
