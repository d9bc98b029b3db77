"""A project's page in the portal: where it stands and the timeline of what happened (stage moves, invoices sent
and paid, files shared), with nothing internal on it — and only for the contact's own client."""

from __future__ import annotations

import re

from tests.conftest import studio_today
from tests.factories import client_with_contact, invite, new_project, stages
from tests.integration.test_portal import _project_file


def _timeline(page: str) -> list[str]:
    """The steps' kinds, top (newest) first."""
    section = page[page.index('id="timeline"') :]
    return re.findall(r'data-step="(\w+)"', section)


def test_the_client_follows_a_project_from_start_to_payment(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    project_url, shared = _project_file(client, client_url, "效果图.png")
    project_id = project_url.rsplit("/", 1)[1]
    s = stages(app, studio)
    assert client.submit(f"{project_url}/move", {"stage_id": str(s["design"].id), "version": "1"}).status_code == 302
    client.submit(f"{project_url}/tasks", {"title": "内部：核对预算"})
    client.submit(f"/app/files/{shared['id']}/share", {})
    invoice_form = {"client_id": client_url.rsplit("/", 1)[1], "project_id": project_id, "kind": "deposit"}
    invoice_form |= {"title": "定金", "amount": "10,000", "due_on": studio_today().isoformat()}
    sent = client.submit("/app/invoices/new", invoice_form).headers["Location"]
    client.submit(f"{sent}/send", {})
    client.submit(f"{sent}/pay", {"amount": "4,000", "method": "bank"})
    unsent = client.submit("/app/invoices/new", {**invoice_form, "title": "尚未发出的尾款"})
    assert unsent.status_code == 302

    visitor = new_client()
    visitor.submit(invite(client, contact_url, outbox, "zw@deer.test"), {})
    home = visitor.get("/portal/aurora/home").get_data(as_text=True)
    assert f"/portal/aurora/projects/{project_id}" in home
    page = visitor.get(f"/portal/aurora/projects/{project_id}").get_data(as_text=True)

    assert "菜单设计" in page and 'aria-current="step"' in page
    assert _timeline(page) == ["paid", "invoice_sent", "file_shared", "stage", "started"]
    assert "Moved to" in page and "¥4,000.00" in page and "效果图.png" in page
    assert "内部：核对预算" not in page and "尚未发出的尾款" not in page  # tasks and unsent invoices are internal
    invoice_link = f"/portal/aurora/invoices/{sent.rsplit('/', 1)[1]}"
    assert invoice_link in page
    assert f"/portal/aurora/projects/{project_id}" in visitor.get(invoice_link).get_data(as_text=True)  # crumbs


def test_another_clients_or_studios_project_is_missing(app, client, new_client, studio, other_studio, outbox):
    client.login(studio.owner_email)
    _a_url, a_contact = client_with_contact(client, app, studio, "Client A", "a@a.test")
    b_url, _ = client_with_contact(client, app, studio, "Client B", "b@b.test")
    b_project = new_project(client, b_url, name="B's secret project").rsplit("/", 1)[1]
    elsewhere = new_client()
    elsewhere.login(other_studio.owner_email)
    far_client = client_with_contact(elsewhere, app, other_studio, "Far client", "far@far.test")[0]
    far_project = new_project(elsewhere, far_client, name="Another studio's project").rsplit("/", 1)[1]

    visitor = new_client()
    visitor.submit(invite(client, a_contact, outbox, "a@a.test"), {})
    for project_id in (b_project, far_project, "not-a-uuid"):
        answer = visitor.get(f"/portal/aurora/projects/{project_id}")
        assert answer.status_code == 404
        assert "secret" not in answer.get_data(as_text=True) and "Another studio" not in answer.get_data(as_text=True)
    assert new_client().get(f"/portal/aurora/projects/{b_project}").status_code == 302  # signed out: sign in first
