"""The three database roles and their grants, applied idempotently by an administrator (``manage.py db_roles``).

- owner: owns the database, the schema and every object in it; runs migrations (``manage.py migrate`` switches to
  ``DATABASE_OWNER_URL``). Row-level security is forced, so even the owner reads tenant rows only through the
  ``all_salons`` escape hatch, which the migrate command sets.
- app: owns nothing and cannot create anything; SELECT/INSERT/UPDATE/DELETE on tables, USAGE/SELECT on sequences.
  NOSUPERUSER NOBYPASSRLS: every query it runs is subject to the tenant policies (dbops/rls.py).
- readonly: SELECT only (replicas, reporting); also subject to the policies.

Default privileges (``ALTER DEFAULT PRIVILEGES FOR ROLE owner``) give the app and read-only roles their rights on
tables and sequences the owner creates later, so a migration never needs a grant. See docs/database-roles.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

RESTRICTED = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


@dataclass
class Roles:
    owner: str
    app: str
    readonly: str | None = None
    passwords: dict[str, str] = field(default_factory=dict)
    # Extra login roles that act as the app role (members of it): two of them let a password rotate without downtime.
    app_logins: list[str] = field(default_factory=list)


def _ensure_role(cursor, name: str, password: str | None, *, attributes: str = RESTRICTED) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    if cursor.fetchone() is None:
        cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
    statement = sql.SQL("ALTER ROLE {} LOGIN " + attributes).format(sql.Identifier(name))
    if password:
        statement = sql.SQL("{} PASSWORD {}").format(statement, sql.Literal(password))
    cursor.execute(statement)


def apply_roles(cursor, *, database: str, roles: Roles, schema: str = "public") -> None:
    """Create or update the roles, give the owner everything in ``database`` and grant the others their rights.

    ``cursor`` is an autocommit cursor of a superuser connected to ``database``. Safe to run again at any time."""
    ident = sql.Identifier
    owner, app = ident(roles.owner), ident(roles.app)
    _ensure_role(cursor, roles.owner, roles.passwords.get(roles.owner))
    _ensure_role(cursor, roles.app, roles.passwords.get(roles.app))
    readers = [app]
    if roles.readonly:
        _ensure_role(cursor, roles.readonly, roles.passwords.get(roles.readonly))
        readers.append(ident(roles.readonly))
    for login in roles.app_logins:
        _ensure_role(cursor, login, roles.passwords.get(login))
        cursor.execute(sql.SQL("GRANT {} TO {}").format(app, ident(login)))
    db, nsp = ident(database), ident(schema)
    statements = [
        sql.SQL("ALTER DATABASE {} OWNER TO {}").format(db, owner),
        sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(nsp, owner),
        sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(nsp),
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(db, sql.SQL(", ").join(readers)),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(nsp, sql.SQL(", ").join(readers)),
    ]
    for statement in statements:
        cursor.execute(statement)
    _reassign(cursor, schema=schema, owner=roles.owner)
    grants = [
        ("SELECT, INSERT, UPDATE, DELETE", "TABLES", app),
        ("USAGE, SELECT", "SEQUENCES", app),
    ]
    if roles.readonly:
        grants += [("SELECT", "TABLES", ident(roles.readonly)), ("SELECT", "SEQUENCES", ident(roles.readonly))]
    for privileges, kind, grantee in grants:
        cursor.execute(sql.SQL("GRANT " + privileges + " ON ALL " + kind + " IN SCHEMA {} TO {}").format(nsp, grantee))
        default = "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT " + privileges + " ON " + kind + " TO {}"
        cursor.execute(sql.SQL(default).format(owner, nsp, grantee))


def _reassign(cursor, *, schema: str, owner: str) -> None:
    """Give ``owner`` every table, view and sequence of ``schema`` (tables first: their sequences follow them)."""
    for kinds in (("r", "p", "v", "m", "f"), ("S",)):
        cursor.execute(
            """
            SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = ANY(%s) AND pg_get_userbyid(c.relowner) <> %s
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')
                              AND d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass)
            """,
            [schema, list(kinds), owner],
        )
        for name, kind in cursor.fetchall():
            keyword = {"v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE", "f": "FOREIGN TABLE"}.get(kind, "TABLE")
            cursor.execute(
                sql.SQL("ALTER " + keyword + " {}.{} OWNER TO {}").format(
                    sql.Identifier(schema), sql.Identifier(name), sql.Identifier(owner)
                )
            )
