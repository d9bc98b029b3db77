"""PostgreSQL keeps the app's frequent statements prepared (parsed and rewritten once per connection), yet plans
every run for its own values and never lets a statement prepared for one studio show another's rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from saas.clients.models import Client
from saas.extensions import db
from saas.isolation import set_tenant
from tests.conftest import create_studio

pytestmark = pytest.mark.postgres

NAMES_QUERY = select(Client.name).order_by(Client.name)


def make_client(app, studio, name: str) -> None:
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.add(Client(name=name, search_text=name.lower(), tags=[]))
        db.session.commit()


def _prepared_count(session) -> int:
    return session.scalar(text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%FROM clients%'"))


def test_statements_are_prepared_but_planned_for_their_own_values(app, studio, other_studio):
    make_client(app, studio, name="Alpha")
    make_client(app, other_studio, name="Beta")
    with app.app_context():
        session = db.session()
        session.connection()  # one connection for the whole test: prepared statements live on it
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
        set_tenant(session, studio.tenant_id)
        for _ in range(4):  # prepared from the third run on
            assert session.scalars(NAMES_QUERY).all() == ["Alpha"]
        assert _prepared_count(session) >= 1
        # The same prepared statement, another studio: Row-Level Security and the ORM scope read the studio of
        # this run, not the one it was prepared under.
        set_tenant(session, other_studio.tenant_id)
        for _ in range(2):
            assert session.scalars(NAMES_QUERY).all() == ["Beta"]
        session.rollback()


def test_prepared_statements_can_be_turned_off_for_an_old_pgbouncer(make_app, cleanup_engine):
    quiet = make_app(DATABASE_PREPARED_STATEMENTS="0")
    studio = create_studio(quiet, "no-prepare")
    make_client(quiet, studio, name="Gamma")
    with quiet.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        for _ in range(4):
            assert session.scalars(NAMES_QUERY).all() == ["Gamma"]
        assert _prepared_count(session) == 0
        assert session.scalar(text("SHOW plan_cache_mode")) == "auto"
        session.rollback()
