"""Migration 0044 on a database of its own, SQLite and PostgreSQL: contacts that existed before it — typed in by two
studios, and more than a batch of the migration's written as the code before it wrote them (no key) — each get
their name's sort key, for every studio despite Row-Level Security, and the contacts list reads them in pinyin order
by the new index; the downgrade takes the column and its index away and puts the name index back."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.pool import NullPool

from saas.app import create_app
from saas.clients import services
from saas.clients.contact_list import ContactFilters, contact_page
from saas.clients.models import Contact
from saas.config import load_settings
from saas.db import UTCDateTime, make_engine, utcnow
from saas.dbadmin import alembic_config, upgrade
from saas.extensions import db
from saas.i18n import sort_key
from saas.isolation import set_tenant
from saas.tenants.models import Membership
from saas.tenants.services import create_studio
from tests.conftest import PG_ADMIN_URL, PG_OWNER_URL, PG_URL, need_service
from tests.workers import own_database, with_database

OLD_ROWS = 2500  # more than the migration's batch of 2,000: the fill goes on past its first batch
CONTACTS = sa.table(
    "contacts",
    sa.column("id", sa.Uuid()),
    sa.column("tenant_id", sa.Uuid()),
    sa.column("client_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("created_at", UTCDateTime()),
    sa.column("decision_maker", sa.Boolean()),
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def own_env(request, base_env, tmp_path) -> Iterator[dict[str, str]]:
    env = {**base_env, "INSTANCE_DIR": str(tmp_path)}
    if request.param == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'contacts.db'}"
        env.pop("MIGRATION_DATABASE_URL", None)
        yield env
        return
    admin = need_service("TEST_ADMIN_DATABASE_URL (a database of its own)", PG_ADMIN_URL)
    with own_database(admin, PG_URL, PG_OWNER_URL, "m0044") as name:
        yield env | {
            "DATABASE_URL": with_database(PG_URL, name),
            "MIGRATION_DATABASE_URL": with_database(PG_OWNER_URL, name),
        }


def _studio(slug: str, contacts: list[str]) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """A studio with one client and its contacts typed in: (studio, owner membership, client)."""
    owner = create_studio("工作室", slug, "Owner", f"owner@{slug}.test", "correct-horse-battery")
    db.session.commit()
    set_tenant(db.session(), owner.tenant_id)
    client = services.create_client(owner, {"name": f"{slug} 客户", "tags": []})
    for name in contacts:
        services.add_contact(owner, client, {"name": name})
    db.session.commit()
    return owner.tenant_id, owner.id, client.id


def _write_old_contacts(url: str, tenant_id: uuid.UUID, client_id: uuid.UUID) -> list[str]:
    """Contacts as the code before 0044 wrote them (no sort key), by the owner role as the studio (RLS)."""
    names = [f"{'赵钱孙李周吴郑王'[n % 8]}{n:04d}" if n % 3 else f"Old Friend {n:04d}" for n in range(OLD_ROWS)]
    now = utcnow()
    rows = [
        {"id": uuid.uuid4(), "tenant_id": tenant_id, "client_id": client_id, "name": name, "created_at": now}
        | {"decision_maker": False}
        for name in names
    ]
    engine = make_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        conn.execute(sa.insert(CONTACTS), rows)
    engine.dispose()
    return names


def _contact_schema(url: str) -> tuple[set[str], set[str]]:
    """The contacts table's columns and index names."""
    engine = make_engine(url, poolclass=NullPool)
    found = sa.inspect(engine)
    schema = {c["name"] for c in found.get_columns("contacts")}, {i["name"] for i in found.get_indexes("contacts")}
    engine.dispose()
    return schema


def _keys(tenant_id: uuid.UUID) -> dict[str, str]:
    set_tenant(db.session(), tenant_id)
    return dict(db.session.execute(sa.select(Contact.name, Contact.sort_key)).all())


def test_the_migration_keys_every_studios_existing_contacts(own_env):
    settings = load_settings(own_env)
    upgrade(settings)
    app = create_app(own_env)
    with app.app_context():
        aurora, owner_id, client_id = _studio("aurora", ["张伟", "Anna", "王芳"])
        bamboo = _studio("bamboo", ["李雷", "阿明"])[0]
    url = settings.migration_database_url
    config = alembic_config(url)

    command.downgrade(config, "0043")  # as the contacts were before the key existed
    columns, indexes = _contact_schema(url)
    assert "sort_key" not in columns and "ix_contacts_tenant_id_name" in indexes
    old = _write_old_contacts(url, aurora, client_id)
    command.upgrade(config, "head")
    columns, indexes = _contact_schema(url)
    assert "sort_key" in columns
    assert "ix_contacts_tenant_id_sort_key" in indexes and "ix_contacts_tenant_id_name" not in indexes

    with app.app_context():
        keys = _keys(aurora)
        assert len(keys) == 3 + OLD_ROWS and all(keys[name] == sort_key(name) for name in old)
        assert [keys[n] for n in ("张伟", "Anna", "王芳")] == ["zhang1 wei3", "anna", "wang2 fang1"]
        assert keys["赵0008"] == "zhao4 0008" and keys["Old Friend 0000"] == "old friend 0000"
        assert _keys(bamboo) == {"李雷": "li3 lei2", "阿明": "a1 ming2"}  # the other studio's too
        set_tenant(db.session(), aurora)
        owner = db.session.get(Membership, owner_id)
        page = contact_page(owner, ContactFilters(), None)
        assert [c.name for c in page.contacts[:2]] == ["Anna", "李0011"]  # anna, then li3 0011: 李 first of the old
        assert page.next_cursor is not None
        db.session.remove()
        db.engine.dispose()

    command.downgrade(config, "0043")
    columns, indexes = _contact_schema(url)
    assert "sort_key" not in columns and "ix_contacts_tenant_id_sort_key" not in indexes
    assert "ix_contacts_tenant_id_name" in indexes
