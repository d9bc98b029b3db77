"""Database administration: migrations as the table owner, then the app role's grants (PostgreSQL).

On PostgreSQL the app connects as a role that owns nothing and has no BYPASSRLS, so Row-Level Security
applies to it; migrations run as the owner (MIGRATION_DATABASE_URL).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from saas.config import Settings
from saas.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


SEARCH_INDEXES = ("clients_search",)
# Indexes on an expression: autogenerate reads PostgreSQL's rewriting of the expression back and cannot match it to
# the model's, so it would drop and re-add them forever. tests/integration/test_contacts.py checks the plan uses it.
EXPRESSION_INDEXES = ("ix_contacts_search_trgm",)


def for_dialect(dialect: str):
    """Alembic `include_object`: leave out schema objects declared for another database (`.ddl_if(dialect=…)`),
    such as the PostgreSQL-only trigram index."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        if type_ == "table" and reflected and compare_to is None and name and name.startswith(SEARCH_INDEXES):
            return False  # the SQLite FTS5 index and its shadow tables, made by migration 0007
        if type_ == "index" and name in EXPRESSION_INDEXES:
            return False
        condition = getattr(obj, "_ddl_if", None)
        return condition is None or condition.dialect in (None, dialect)

    return include


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _app_role(settings: Settings) -> str | None:
    """The app's login role when it differs from the migration (owner) role."""
    app_user = make_url(settings.database_url).username
    owner = make_url(settings.migration_database_url).username
    return app_user if settings.uses_postgres and app_user and app_user != owner else None


def upgrade(settings: Settings, revision: str = "head") -> None:
    if settings.database_url.startswith("sqlite"):
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings.migration_database_url), revision)
    if role := _app_role(settings):
        grant_app_role(settings, role)


def grant_app_role(settings: Settings, role: str) -> None:
    engine = make_engine(settings.migration_database_url, poolclass=NullPool)
    quoted = '"' + role.replace('"', '""') + '"'
    with engine.begin() as conn:
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"))
        conn.execute(text(f"REVOKE ALL ON alembic_version FROM {quoted}"))
    engine.dispose()


def create_app_role(settings: Settings) -> str:
    """Create the app's login role named in DATABASE_URL (needs CREATEROLE on the migration role)."""
    url = make_url(settings.database_url)
    role = _app_role(settings)
    if role is None:
        raise RuntimeError("DATABASE_URL must name a PostgreSQL role other than MIGRATION_DATABASE_URL's")
    engine = make_engine(settings.migration_database_url, poolclass=NullPool)
    quoted = '"' + role.replace('"', '""') + '"'
    with engine.begin() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        verb = "ALTER" if exists else "CREATE"
        password = (url.password or "").replace("'", "''")
        conn.execute(
            text(f"{verb} ROLE {quoted} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '{password}'")
        )
    engine.dispose()
    return role


def applied_revision(settings: Settings) -> str | None:
    """The revision the database is at, None for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(settings.migration_database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def current_revision(settings: Settings) -> None:
    command.current(alembic_config(settings.migration_database_url), verbose=False)
