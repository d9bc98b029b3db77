"""Imports stay in their studio: studio B's owner, trying studio A's import ids on every import route (the
mapping page, its form, the progress document, the failed rows, undo), gets 404 and changes nothing; an import
writes only into the importer's studio whatever its file says; and on PostgreSQL the staging COPY cannot be
used to write another studio's rows (RLS checks the INSERT … SELECT)."""

from __future__ import annotations

import io
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from saas.clients.models import Client
from saas.extensions import db
from saas.imports import engine, staging
from saas.imports.models import ClientImport, ImportRow
from saas.isolation import set_tenant
from tests.conftest import query


def _upload(browser, content: bytes) -> str:
    response = browser.submit(
        "/app/clients/import", {"file": (io.BytesIO(content), "a.csv")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[-1]


@pytest.fixture
def a_import(app, client, studio) -> tuple[str, str]:
    """Studio A has one finished import (with a failed row) and one still being mapped."""
    client.login(studio.owner_email)
    done = _upload(client, "客户名称,邮箱\n极光的客户,secret@aurora.test\n坏行,bad\n".encode())
    form = {"column_0": "name", "column_1": "email", "duplicates": "skip", "action": "start"}
    assert client.submit(f"/app/imports/{done}/mapping", form).status_code == 302
    ready = _upload(client, "客户名称\n还没导入\n".encode())
    return done, ready


def _snapshot(app, studio):
    jobs = sorted((j.id, j.status, j.version) for j in query(app, studio.tenant_id, select(ClientImport)))
    return jobs, sorted(c.name for c in query(app, studio.tenant_id, select(Client)))


def test_another_studios_import_ids_are_404_on_every_route(app, studio, other_studio, new_client, a_import):
    done, ready = a_import
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    before = _snapshot(app, studio)
    for job_id in (done, ready, str(uuid.uuid4()), "not-a-uuid"):
        for path in (
            f"/app/imports/{job_id}",
            f"/app/imports/{job_id}/progress.json",
            f"/app/imports/{job_id}/failed.xlsx",
        ):
            response = intruder.get(path)
            assert response.status_code == 404, path
            assert "极光" not in response.get_data(as_text=True) and b"secret@aurora" not in response.data
        for path, data in (
            (f"/app/imports/{job_id}/undo", {}),
            (f"/app/imports/{job_id}/mapping", {"column_0": "name", "duplicates": "skip", "action": "start"}),
        ):
            assert intruder.submit(path, data).status_code == 404, path
    assert _snapshot(app, studio) == before
    listing = intruder.get("/app/clients/import").get_data(as_text=True)
    assert "a.csv" not in listing


def test_an_import_writes_into_the_importers_studio_only(app, studio, other_studio, new_client):
    """B imports a file naming A's studio in every way it can: the rows land in B."""
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    content = f"tenant_id,studio,客户名称\n{studio.tenant_id},aurora,B 的客户\n".encode()
    job_id = _upload(intruder, content)
    form = {"column_0": "", "column_1": "", "column_2": "name", "duplicates": "update", "action": "start"}
    assert intruder.submit(f"/app/imports/{job_id}/mapping", form).status_code == 302
    assert [c.name for c in query(app, other_studio.tenant_id, select(Client))] == ["B 的客户"]
    assert query(app, studio.tenant_id, select(Client)) == []
    assert query(app, studio.tenant_id, select(ImportRow)) == []


@pytest.mark.postgres
def test_the_staging_table_cannot_carry_rows_into_another_studio(app, studio, other_studio):
    """Even a hand-made staging row naming another studio is refused by RLS on the INSERT … SELECT."""
    from saas.imports import bulk

    with app.app_context():
        session = db.session()
        set_tenant(session, other_studio.tenant_id)
        row = {"id": uuid.uuid4(), "tenant_id": studio.tenant_id, "client_id": uuid.uuid4(), "external_id": "X"}
        with pytest.raises(Exception, match="row-level security"):
            bulk.insert_all(ImportRow.__table__.metadata.tables["client_external_ids"], [row])
        session.rollback()
        set_tenant(session, studio.tenant_id)
        assert session.execute(text("SELECT count(*) FROM client_external_ids")).scalar() == 0


@pytest.mark.postgres
def test_a_staged_batch_naming_another_studio_is_refused_by_rls(app, studio, other_studio):
    """The job's own path: a row staged (COPY into the temporary table) and written by the batch's INSERT … SELECT
    with another studio's id than the one the transaction gave the database is refused row by row — sent alone,
    and as the job sends it, in the batch's pipeline (the error raised when the pipeline's results are read)."""
    with app.app_context():
        session = db.session()
        set_tenant(session, other_studio.tenant_id)
        for pipelined in (False, True):
            found = staging.create()
            row = engine._row(
                seq=1,
                row_number=2,
                action="create",
                name="偷渡客户",
                kind="company",
                status="potential",
                tags="[]",
                custom="{}",
                c_custom="{}",
            )
            staging.load([staging.Staged(row, [])], found)
            staging.load_keys([(1, "tou", "偷渡客户", None)], found)
            clients = dict(engine._creating(found))["clients"]
            now = engine.utcnow()
            params = {"t": studio.tenant_id, "job": uuid.uuid4(), "actor": None, "now": now, "lo": 0, "hi": 1}
            with pytest.raises(Exception, match="row-level security"):
                if pipelined:
                    engine.Importer._run(SimpleNamespace(dialect=found), [("clients", clients)], params, lambda: None)
                else:
                    session.execute(clients, params)
            session.rollback()
        set_tenant(session, studio.tenant_id)
        assert session.execute(text("SELECT count(*) FROM clients")).scalar() == 0
