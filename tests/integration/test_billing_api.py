"""/api/v1 for money: a quote from lines to acceptance, its contract through the approval chain, invoices in
parts, payments by role, the 412 on a stale edit, strict input, and the receivables."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from saas.billing.models import Invoice, Quote
from tests.conftest import add_member, query
from tests.factories import api, make_token

LATER = (date.today() + timedelta(days=30)).isoformat()
PAST = (date.today() - timedelta(days=40)).isoformat()


def _client(http) -> str:
    return http.post("/api/v1/clients", json={"name": "鹿鸣咖啡"}).get_json()["id"]


def test_a_quote_through_the_api_from_lines_to_invoices_and_payments(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    lines = [
        {"description": "Logo", "quantity": "0.333", "unit_price_minor": 300},
        {"description": "VI", "quantity": 2, "unit_price_minor": 1_200_000, "discount_bp": 500},
    ]
    created = http.post(
        "/api/v1/quotes", json={"client_id": _client(http), "title": "品牌", "tax_rate_bp": 600, "lines": lines}
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["subtotal_minor"], body["tax_minor"], body["total_minor"]) == (2_280_100, 136_806, 2_416_906)
    assert body["lines"][0] == {
        "description": "Logo",
        "quantity": 0.333,  # a number, as the document says (it was a string)
        "unit": None,
        "unit_price_minor": 300,
        "discount_bp": 0,
        "total_minor": 100,
    }
    url = created.headers["Location"]
    stale = created.headers["ETag"]
    assert http.post(f"{url}/send").status_code == 200
    revised = http.patch(url, json={"title": "品牌 v2"}, headers={"If-Match": http.get(url).headers["ETag"]})
    assert (
        revised.status_code == 200 and revised.get_json()["revision"] == 2 and revised.get_json()["status"] == "draft"
    )
    assert http.patch(url, json={"title": "x"}, headers={"If-Match": stale}).status_code == 412
    http.post(f"{url}/send")
    assert http.post(f"{url}/accept", json={}).status_code == 422
    accepted = http.post(f"{url}/accept", json={"name": "张伟"})
    assert accepted.get_json()["status"] == "accepted" and accepted.get_json()["decided_by"] == "张伟"

    contract = http.post("/api/v1/contracts", json={"quote_id": body["id"]})
    assert contract.status_code == 201 and contract.get_json()["amount_minor"] == 2_416_906
    contract_url = contract.headers["Location"]
    assert http.post(f"{contract_url}/submit").get_json()["status"] == "approved"  # no rules: nothing to approve

    parts = {
        "parts": [{"kind": "deposit", "percent": 30, "due_on": PAST}, {"kind": "final", "percent": 70, "due_on": LATER}]
    }
    made = http.post(f"{contract_url}/invoices", json=parts)
    assert made.status_code == 201
    deposit, final = made.get_json()["data"]
    assert deposit["amount_minor"] + final["amount_minor"] == 2_416_906
    invoice_url = f"/api/v1/invoices/{deposit['id']}"
    http.post(f"{invoice_url}/send")
    paid = http.post(f"{invoice_url}/payments", json={"amount_minor": 100_000, "method": "bank", "reference": "招行"})
    assert paid.status_code == 201
    over = http.post(f"{invoice_url}/payments", json={"amount_minor": deposit["amount_minor"], "method": "bank"})
    assert over.status_code == 422 and "amount" in over.get_json()["errors"]
    assert http.get(invoice_url).get_json()["status"] == "partly_paid"
    receivables = http.get("/api/v1/receivables").get_json()
    assert receivables["data"][0]["d31_60"] == deposit["amount_minor"] - 100_000
    assert receivables["totals"]["total"] == deposit["amount_minor"] - 100_000  # the final is still a draft


def test_strict_input_for_money(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    client_id = _client(http)
    for payload, field in (
        (
            {
                "client_id": client_id,
                "title": "X",
                "lines": [{"description": "a", "quantity": 1, "unit_price_minor": 1.5}],
            },
            "lines.0.unit_price_minor",
        ),
        (
            {
                "client_id": client_id,
                "title": "X",
                "lines": [{"description": "a", "quantity": 1, "unit_price_minor": 1, "discount_bp": 10001}],
            },
            "lines.0.discount_bp",
        ),
        (
            {
                "client_id": client_id,
                "title": "X",
                "lines": [{"description": "a", "quantity": 1, "unit_price_minor": 1, "colour": 1}],
            },
            "lines.0.colour",
        ),
        ({"client_id": client_id, "title": "X", "tax_rate_bp": "6%"}, "tax_rate_bp"),
        ({"client_id": client_id}, "title"),
    ):
        response = http.post("/api/v1/quotes", json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"], (payload, response.get_json())
    assert query(app, studio.tenant_id, select(Quote)) == []
    invalid = http.post(
        "/api/v1/invoices", json={"client_id": client_id, "title": "X", "amount_minor": 0, "due_on": LATER}
    )
    assert invalid.status_code == 422 and query(app, studio.tenant_id, select(Invoice)) == []


def test_roles_through_the_api(app, client, studio):
    client.login(studio.owner_email)
    owner = api(app, make_token(client))
    add_member(app, studio, "chen@aurora.test", "manager")
    member = api(app, make_token(client, "member", "designer tool"))
    finance = api(app, make_token(client, "finance", "books"))
    client_id = _client(owner)
    lines = [{"description": "a", "quantity": 1, "unit_price_minor": 100_000, "discount_bp": 3000}]
    quote_url = member.post("/api/v1/quotes", json={"client_id": client_id, "title": "X", "lines": lines}).headers[
        "Location"
    ]
    assert member.post(f"{quote_url}/send").status_code == 422  # 30% needs a manager
    member.post(f"{quote_url}/request-approval")
    assert member.post(f"{quote_url}/approve").status_code == 403
    assert owner.post(f"{quote_url}/approve").get_json()["status"] == "approved"
    invoice = owner.post(
        "/api/v1/invoices", json={"client_id": client_id, "title": "X", "amount_minor": 5000, "due_on": LATER}
    )
    invoice_url = invoice.headers["Location"]
    owner.post(f"{invoice_url}/send")
    assert member.post(f"{invoice_url}/payments", json={"amount_minor": 100, "method": "cash"}).status_code == 403
    assert finance.post(f"{invoice_url}/payments", json={"amount_minor": 5000, "method": "cash"}).status_code == 201
    assert finance.post(f"{invoice_url}/void", json={"reason": "x"}).status_code == 422  # paid: not voidable


def test_costs_the_quote_pdf_and_the_signed_copy_through_the_api(app, client, studio):
    import io

    client.login(studio.owner_email)
    http = api(app, make_token(client))
    client_id = _client(http)
    project = http.post("/api/v1/projects", json={"client_id": client_id, "name": "Menu"}).get_json()
    costs_url = f"/api/v1/projects/{project['id']}/costs"
    hours = {"kind": "hours", "description": "Design", "hours": "2.5", "rate_minor": 40_000, "spent_on": LATER}
    cost = http.post(costs_url, json=hours)
    assert cost.status_code == 201 and cost.get_json()["amount_minor"] == 100_000
    assert http.post(costs_url, json={"kind": "expense", "description": "x", "spent_on": LATER}).status_code == 422
    assert [c["amount_minor"] for c in http.get(costs_url).get_json()["data"]] == [100_000]
    assert http.delete(f"{costs_url}/{cost.get_json()['id']}").status_code == 204

    lines = [{"description": "品牌标志", "quantity": 1, "unit_price_minor": 1_000_000}]
    quote = http.post("/api/v1/quotes", json={"client_id": client_id, "title": "报价", "lines": lines}).get_json()
    pdf = http.get(f"/api/v1/quotes/{quote['id']}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    staff_pdf = client.get(f"/app/quotes/{quote['id']}/pdf")
    assert staff_pdf.status_code == 200 and staff_pdf.data.startswith(b"%PDF-")

    contract = http.post("/api/v1/contracts", json={"client_id": client_id, "title": "合同", "amount_minor": 500})
    url = contract.headers["Location"]
    http.post(f"{url}/submit")
    not_pdf = http.post(f"{url}/sign", data={"file": (io.BytesIO(b"MZ\x90\x00"), "signed.pdf")})
    assert not_pdf.status_code == 422 and "file" in not_pdf.get_json()["errors"]
    signed = http.post(
        f"{url}/sign", data={"file": (io.BytesIO(b"%PDF-1.7 ok"), "signed.pdf"), "signed_on": "2026-11-01"}
    )
    assert signed.status_code == 200 and signed.get_json()["status"] == "signed"
    assert signed.get_json()["signed_on"] == "2026-11-01"
    assert http.patch(url, json={"title": "x"}, headers={"If-Match": signed.headers["ETag"]}).status_code == 422
