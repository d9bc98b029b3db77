"""Isolation of saved reports: studio B's owner, with studio A's report ids, gets 404 on every report page and
action (view, edit, preview through edit, pin, delete) and changes nothing; a report pinned to A's studio board
never shows on B's board; B's report builder counts B's records only. Runs on SQLite and on PostgreSQL (where
RLS stands behind the ORM)."""

from __future__ import annotations

from sqlalchemy import select

from saas.extensions import db
from saas.isolation import set_tenant
from saas.reports import pins
from saas.reports.builder.models import SavedReport
from saas.tenants.models import Membership, User
from tests.conftest import query
from tests.integration.test_report_builder import seed_book, spec_in

BY_STATUS = {"source": "clients", "measure": "count", "dim1": "status", "dim2": "", "chart": "bar"}


def _snapshot(app, studio) -> list[tuple]:
    rows = query(app, studio.tenant_id, select(SavedReport))
    return sorted((r.id, r.name, r.version, r.pinned_studio, r.pinned_personal, str(r.definition)) for r in rows)


def _board(app, tenant_id, email: str, board: str) -> list[str]:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        set_tenant(db.session(), tenant_id)
        membership = db.session.scalar(select(Membership).join(Membership.user).where(User.email == email))
        found = [p.title for p in pins.pinned(membership, board)]
        db.session.rollback()
        return found


def test_another_studios_reports_are_404_and_unchanged(app, client, new_client, studio, other_studio):
    seed_book(app, studio)
    client.login(studio.owner_email)
    saved = client.submit("/app/reports/new", {**BY_STATUS, "action": "save", "name": "极光的客户"})
    report_url = saved.headers["Location"]
    client.submit(f"{report_url}/pin", {"board": "studio", "on": "1"})
    before = _snapshot(app, studio)
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    assert intruder.get(report_url).status_code == 404
    assert intruder.get(f"{report_url}/edit").status_code == 404
    attempts = [
        (f"{report_url}/edit", {**BY_STATUS, "action": "save", "name": "taken", "version": "1"}),
        (f"{report_url}/edit", {**BY_STATUS, "action": "preview"}),
        (f"{report_url}/pin", {"board": "studio", "on": "0"}),
        (f"{report_url}/pin", {"board": "personal", "on": "1"}),
        (f"{report_url}/delete", {}),
    ]
    for path, form in attempts:
        assert intruder.submit(path, form).status_code == 404, path
    assert intruder.get("/app/reports/not-a-uuid").status_code == 404
    assert "极光的客户" not in intruder.get("/app/reports").get_data(as_text=True)
    assert _snapshot(app, studio) == before
    assert _board(app, studio.tenant_id, studio.owner_email, "studio") == ["极光的客户"]
    assert _board(app, other_studio.tenant_id, other_studio.owner_email, "studio") == []
    # B's builder counts B's clients: none, whatever A holds.
    page = intruder.get("/app/reports/new").get_data(as_text=True)
    assert "chart-spec" not in page and "No data for this period yet." in page
    assert 'value="cf.style"' not in page  # A's custom fields are not offered to B


def test_a_definition_naming_another_studios_field_is_refused(app, client, new_client, studio, other_studio):
    seed_book(app, studio)
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    refused = intruder.submit(
        "/app/reports/new",
        {**BY_STATUS, "action": "save", "name": "peek", "measure": "sum:cf.area", "dim1": "cf.style"},
    )
    assert refused.status_code == 422
    assert "no longer there (area)" in refused.get_data(as_text=True)
    assert query(app, other_studio.tenant_id, select(SavedReport)) == []
    client.login(studio.owner_email)
    assert spec_in(client.get("/app/reports/new").get_data(as_text=True))["categories"]  # A's own still counts
