"""Another studio's quotes, contracts, invoices and costs: 404 on every staff route and API route, nothing of
them on any page, and nothing changed; a member sees the documents of their own clients only."""

from __future__ import annotations

import io

from sqlalchemy import select

from saas.billing.models import Contract, Invoice, ProjectCost, Quote
from tests.conftest import add_member, query
from tests.factories import api, create, make_token, new_project, new_quote


def _snapshot(app, studio):
    return [
        (d.status, d.version)
        for model in (Quote, Contract, Invoice)
        for d in query(app, studio.tenant_id, select(model))
    ] + [c.amount_minor for c in query(app, studio.tenant_id, select(ProjectCost))]


def test_another_studios_money_is_404_in_the_ui_and_the_api(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    client_url = create(client, {"name": "极光的客户"})
    project_url = new_project(client, client_url, name="极光项目")
    quote_url = new_quote(client, client_url, [("极光设计费", "1", "10000", "")])
    client.submit(f"{quote_url}/send", {})
    client.submit(f"{quote_url}/accept", {"name": "张伟"})
    contract_url = client.submit(f"{quote_url}/contract", {}).headers["Location"]
    client.submit(
        f"{project_url}/costs",
        {"kind": "expense", "description": "极光打印", "amount": "100", "spent_on": "2026-01-01"},
    )
    client.submit(
        f"{contract_url}/schedule", {"part_kind": ["final"], "part_percent": ["100"], "part_due_on": ["2026-01-01"]}
    )
    invoice = query(app, studio.tenant_id, select(Invoice))[0]
    cost = query(app, studio.tenant_id, select(ProjectCost))[0]
    invoice_url = f"/app/invoices/{invoice.id}"
    before = _snapshot(app, studio)

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    client_id = client_url.rsplit("/", 1)[1]
    for method, path, data in (
        ("get", quote_url, None),
        ("get", f"{quote_url}/edit", None),
        ("get", f"{quote_url}/print", None),
        ("get", f"{quote_url}/pdf", None),
        ("post", f"{quote_url}/edit", {"title": "x", "line_description": []}),
        ("post", f"{quote_url}/decline", {"name": "x"}),
        ("post", f"{quote_url}/contract", {}),
        (
            "post",
            f"{quote_url}/schedule",
            {"part_kind": ["final"], "part_percent": ["100"], "part_due_on": ["2026-01-01"]},
        ),
        ("get", contract_url, None),
        ("get", f"{contract_url}/edit", None),
        ("get", f"{contract_url}/signed", None),
        ("post", f"{contract_url}/submit", {}),
        ("get", invoice_url, None),
        ("post", f"{invoice_url}/send", {}),
        ("get", f"{invoice_url}/print", None),
        ("get", f"{invoice_url}/pdf", None),
        ("post", f"{invoice_url}/remind", {}),
        ("post", f"{invoice_url}/resend", {}),
        ("post", f"{invoice_url}/void", {"reason": "x"}),
        ("post", f"{invoice_url}/pay", {"amount": "1", "method": "cash"}),
        ("post", f"{project_url}/costs/{cost.id}/remove", {}),
        ("get", f"/app/quotes/new?client={client_id}", None),
        ("get", f"/app/invoices/new?client={client_id}", None),
        ("get", f"/app/contracts/new?client={client_id}", None),
    ):
        response = intruder.get(path) if method == "get" else intruder.submit(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "极光" not in response.get_data(as_text=True), path
    signed = intruder.post(
        f"{contract_url}/sign", data={"csrf_token": intruder.csrf_token(), "file": (io.BytesIO(b"%PDF-1"), "x.pdf")}
    )
    assert signed.status_code == 404
    for path in ("/app/quotes", "/app/contracts", "/app/invoices", "/app/receivables"):
        assert "极光" not in intruder.get(path).get_data(as_text=True), path

    theirs = api(app, make_token(intruder))
    quote_id = quote_url.rsplit("/", 1)[1]
    contract_id = contract_url.rsplit("/", 1)[1]
    for method, path, payload in (
        ("get", f"/api/v1/quotes/{quote_id}", None),
        ("patch", f"/api/v1/quotes/{quote_id}", {"title": "x"}),
        ("post", f"/api/v1/quotes/{quote_id}/decline", {"name": "x"}),
        ("post", f"/api/v1/quotes/{quote_id}/invoices", {"parts": []}),
        ("get", f"/api/v1/contracts/{contract_id}", None),
        ("post", f"/api/v1/contracts/{contract_id}/submit", None),
        ("post", f"/api/v1/contracts/{contract_id}/invoices", {"parts": []}),
        ("get", f"/api/v1/invoices/{invoice.id}", None),
        ("post", f"/api/v1/invoices/{invoice.id}/void", {"reason": "x"}),
        ("post", f"/api/v1/invoices/{invoice.id}/remind", None),
        ("post", f"/api/v1/invoices/{invoice.id}/resend", None),
        ("get", f"/api/v1/invoices/{invoice.id}/payments", None),
        ("post", f"/api/v1/invoices/{invoice.id}/payments", {"amount_minor": 1, "method": "cash"}),
        ("get", f"/api/v1/quotes/{quote_id}/pdf", None),
        ("post", f"/api/v1/contracts/{contract_id}/sign", None),
        ("get", f"/api/v1/projects/{project_url.rsplit('/', 1)[1]}/costs", None),
        ("post", f"/api/v1/projects/{project_url.rsplit('/', 1)[1]}/costs", {"kind": "expense"}),
        ("delete", f"/api/v1/projects/{project_url.rsplit('/', 1)[1]}/costs/{cost.id}", None),
    ):
        response = getattr(theirs, method)(path, json=payload, headers={"If-Match": 'W/"1"'})
        assert response.status_code == 404, (method, path)
        assert "极光" not in response.get_data(as_text=True)
    assert theirs.post("/api/v1/contracts", json={"quote_id": quote_id}).status_code == 422
    for path in ("/api/v1/quotes", "/api/v1/contracts", "/api/v1/invoices", "/api/v1/receivables"):
        assert "极光" not in theirs.get(path).get_data(as_text=True), path
    assert _snapshot(app, studio) == before


def test_a_member_sees_only_the_money_of_their_clients(app, client, new_client, studio):
    client.login(studio.owner_email)
    quote_url = new_quote(client, create(client, {"name": "Owner's client"}), [("x", "1", "100", "")])
    add_member(app, studio, "wang@aurora.test", "member")
    wang = new_client()
    wang.login("wang@aurora.test")
    assert wang.get(quote_url).status_code == 404
    assert "Owner's client" not in wang.get("/app/quotes").get_data(as_text=True)


def test_another_studios_quotes_and_invoices_are_missing_in_a_portal(
    app, client, new_client, studio, other_studio, outbox
):
    """Studio B's client, signed in to B's portal, asks for studio A's quote and invoice pages and PDFs: 404."""
    from tests.factories import client_with_contact, invite

    client.login(studio.owner_email)
    client_url = create(client, {"name": "极光的客户"})
    quote_url = new_quote(client, client_url, [("极光设计费", "1", "10000", "")])
    client.submit(f"{quote_url}/send", {})
    client.submit(f"{quote_url}/accept", {"name": "张伟"})
    schedule = {"part_kind": ["final"], "part_percent": ["100"], "part_due_on": ["2027-01-01"]}
    client.submit(f"{quote_url}/schedule", schedule)
    invoice = query(app, studio.tenant_id, select(Invoice))[0]
    client.submit(f"/app/invoices/{invoice.id}/send", {})

    owner_b = new_client()
    owner_b.login(other_studio.owner_email)
    _b_url, contact_url = client_with_contact(owner_b, app, other_studio, "竹子的客户", "b@bamboo-client.test")
    visitor = new_client()
    assert visitor.submit(invite(owner_b, contact_url, outbox, "b@bamboo-client.test"), {}).status_code == 302
    quote_id = quote_url.rsplit("/", 1)[1]
    for path in (
        f"/portal/bamboo/quotes/{quote_id}",
        f"/portal/bamboo/quotes/{quote_id}/pdf",
        f"/portal/bamboo/invoices/{invoice.id}",
        f"/portal/bamboo/invoices/{invoice.id}/pdf",
    ):
        response = visitor.get(path)
        assert response.status_code == 404, path
        assert "极光" not in response.get_data(as_text=True), path
    assert query(app, studio.tenant_id, select(Quote))[0].portal_first_opened_at is None
