"""The schema's invariants: models and migrations agree; every studio table carries tenant_id NOT NULL first."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.pool import NullPool

import saas.models  # noqa: F401  (every table in the metadata, whatever this worker imported before)
from saas.db import Base, make_engine
from saas.dbadmin import for_dialect
from saas.isolation import TenantScoped, tenant_tables

# stripe_events: a webhook is recorded before any studio is known (its handler then works as one studio).
GLOBAL_TABLES = {"tenants", "users", "auth_sessions", "password_resets", "sign_in_throttles", "stripe_events"}


def test_models_and_migrations_agree(migrated):
    """Autogenerate against the migrated database finds nothing to add, drop or change."""
    engine = make_engine(migrated.get("MIGRATION_DATABASE_URL") or migrated["DATABASE_URL"], poolclass=NullPool)
    with engine.connect() as conn:
        options = {"compare_type": True, "include_object": for_dialect(conn.dialect.name)}
        diff = compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)
    engine.dispose()
    assert diff == []


def test_every_table_is_either_global_by_design_or_studio_owned():
    assert set(Base.metadata.tables) - set(tenant_tables(Base.metadata)) == GLOBAL_TABLES


def test_studio_tables_have_tenant_id_not_null_leading_their_indexes():
    for name in tenant_tables(Base.metadata):
        table = Base.metadata.tables[name]
        assert table.c.tenant_id.nullable is False, name
        leading = [next(iter(ix.columns)).name for ix in table.indexes]
        keys = ("UniqueConstraint", "PrimaryKeyConstraint")  # a rollup's key (tenant_id, day, ...) is its index
        leading += [next(iter(c.columns)).name for c in table.constraints if c.__class__.__name__ in keys]
        assert "tenant_id" in leading, f"{name} has no index led by tenant_id"


def test_studio_models_use_the_mixin():
    """tenant_id columns come from TenantScoped, which is what the ORM scope keys on."""
    for mapper in Base.registry.mappers:
        if "tenant_id" in mapper.columns and mapper.class_.__tablename__ not in GLOBAL_TABLES:
            assert issubclass(mapper.class_, TenantScoped), mapper.class_
