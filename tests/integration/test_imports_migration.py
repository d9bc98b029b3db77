"""Migration 0043 on a database of its own (SQLite): the imports made before it — a trail row and a `client.created`
timeline entry per client they created — are folded into `clients.import_id`, and such an import is still undone
exactly (its created clients removed, its updated ones restored); the downgrade puts the trail rows and entries
back."""

from __future__ import annotations

import uuid

from alembic import command
from sqlalchemy import select, text

from saas.app import create_app
from saas.clients.models import Client
from saas.config import load_settings
from saas.dbadmin import alembic_config, upgrade
from saas.extensions import db
from saas.imports import services
from saas.imports.models import ClientImport
from saas.isolation import set_tenant
from saas.tenants.services import create_studio


def _import(owner, content: str, duplicates: str) -> uuid.UUID:
    job = services.upload_import(owner, "old.csv", content.encode())
    services.start_import(owner, job, dict(job.mapping), duplicates)  # runs inline (no Redis): done at once
    db.session.commit()
    return job.id


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def test_earlier_imports_are_folded_into_the_clients_and_still_undo(base_env, tmp_path):
    env = {**base_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'fold.db'}", "INSTANCE_DIR": str(tmp_path)}
    env.pop("MIGRATION_DATABASE_URL", None)
    settings = load_settings(env)
    upgrade(settings)
    app = create_app(env)
    with app.app_context():
        owner = create_studio("旧工作室", "old-studio", "Owner", "owner@old.test", "correct-horse-battery")
        db.session.commit()
        tenant_id = owner.tenant_id
        set_tenant(db.session(), tenant_id)
        first = _import(owner, "客户名称,手机\n甲,13800000001\n乙,13800000002\n", "skip")
        second = _import(owner, "客户名称,手机\n甲（新名）,13800000001\n丙,13800000003\n", "update")
        engine = db.engine
    config = alembic_config(settings.migration_database_url)

    command.downgrade(config, "0042")  # as an import made before 0043 left them
    assert _count(engine, "SELECT count(*) FROM import_rows WHERE outcome = 'created'") == 3
    assert _count(engine, "SELECT count(*) FROM client_events WHERE kind = 'client.created'") == 3
    command.upgrade(config, "head")
    assert _count(engine, "SELECT count(*) FROM import_rows WHERE outcome = 'created'") == 0
    assert _count(engine, "SELECT count(*) FROM client_events") == 0
    assert _count(engine, "SELECT count(*) FROM import_rows WHERE outcome = 'updated'") == 1

    with app.app_context():
        set_tenant(db.session(), tenant_id)
        made = {c.name: c.import_id for c in db.session.scalars(select(Client))}
        assert made == {"甲（新名）": first, "乙": first, "丙": second}
        services.undo_import(owner, db.session.get(ClientImport, second))  # inline: undone at once
        db.session.commit()
        set_tenant(db.session(), tenant_id)
        assert sorted(c.name for c in db.session.scalars(select(Client))) == ["乙", "甲"]
        job = db.session.get(ClientImport, second)
        assert (job.status, job.undo_done, job.undo_total) == ("undone", 2, 2)
