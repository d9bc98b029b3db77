"""`saas db roles` + `saas db upgrade` on PostgreSQL: a new app role that owns nothing, cannot bypass RLS, and
can read and write studio tables only through the policies."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from saas import dbadmin
from saas.config import load_settings
from saas.db import make_engine

pytestmark = pytest.mark.postgres


def test_db_roles_then_upgrade_gives_a_working_non_owner_role(migrated, app, studio):
    url = make_url(migrated["DATABASE_URL"]).set(username="atelier_probe", password="probe-password")
    probe_url = url.render_as_string(hide_password=False)
    settings = load_settings({**migrated, "DATABASE_URL": probe_url})
    assert dbadmin.create_app_role(settings) == "atelier_probe"
    dbadmin.upgrade(settings)
    engine = make_engine(probe_url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            flags = conn.execute(text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
            assert tuple(flags) == (False, False)
            assert conn.scalar(text("SELECT count(*) FROM memberships")) == 0  # no studio set: nothing visible
            conn.execute(text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(studio.tenant_id)})
            assert conn.scalar(text("SELECT count(*) FROM memberships")) == 1
    finally:
        engine.dispose()
        owner = make_engine(migrated["MIGRATION_DATABASE_URL"], poolclass=NullPool)
        with owner.begin() as conn:
            conn.execute(text("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM atelier_probe"))
            conn.execute(text("REVOKE USAGE ON SCHEMA public FROM atelier_probe"))
            conn.execute(text("DROP ROLE atelier_probe"))
        owner.dispose()
