"""Quotes, contracts, invoices and payments through the staff UI: totals on the server, the discount approval,
revisions, expiry, the contract approval chain, signing with a file, invoices in parts, payments by role,
illegal transitions refused with nothing changed, the receivables ageing, costs and profit."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from saas.billing.models import Contract, ContractDecision, Invoice, Payment, Quote, QuoteRevision
from tests.conftest import add_member, query
from tests.factories import create, new_quote

TODAY = date.today()


def one(app, studio, model):
    return query(app, studio.tenant_id, select(model))[0]


def test_totals_are_computed_on_the_server_and_shown(app, client, studio):
    client.login(studio.owner_email)
    url = new_quote(client, create(client), [("Logo", "0.333", "3", ""), ("VI 手册", "2", "12,000", "5")], tax="6")
    quote = one(app, studio, Quote)
    assert [line.total_minor for line in quote.lines] == [100, 2_280_000]
    assert (quote.subtotal_minor, quote.discount_minor, quote.tax_minor, quote.total_minor) == (
        2_280_100,
        120_000,
        136_806,
        2_416_906,
    )
    page = client.get(url).get_data(as_text=True)
    assert "¥24,169.06" in page and "Tax 6%" in page
    assert re.match(r"Q-\d{4}-0001", quote.number)


def test_bad_lines_are_refused_and_nothing_is_written(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    form = {"client_id": client_url.rsplit("/", 1)[1], "title": "X", "line_description": ["A"], "line_unit": [""]}
    for quantity, price, discount, message in (
        ("0", "100", "", "quantity like"),
        ("1", "1.001", "", "amount like"),
        ("1", "100", "120", "0 to 100"),
        ("abc", "100", "", "quantity like"),
    ):
        data = {**form, "line_quantity": [quantity], "line_unit_price": [price], "line_discount": [discount]}
        response = client.submit("/app/quotes/new", data)
        assert response.status_code == 422 and message in response.get_data(as_text=True), quantity
    assert query(app, studio.tenant_id, select(Quote)) == []


def test_a_big_discount_needs_a_manager_before_sending(app, client, new_client, studio):
    client.login(studio.owner_email)
    add_member(app, studio, "wang@aurora.test", "member")
    add_member(app, studio, "chen@aurora.test", "manager")
    wang, chen = new_client(), new_client()
    wang.login("wang@aurora.test")
    chen.login("chen@aurora.test")
    url = new_quote(wang, create(wang), [("Brand book", "1", "50000", "20")])
    refused = wang.submit(f"{url}/send", {})
    assert refused.status_code == 303 and one(app, studio, Quote).status == "draft"
    assert "needs a manager" in wang.get(url).get_data(as_text=True)
    assert wang.submit(f"{url}/request-approval", {}).status_code == 302
    assert wang.submit(f"{url}/approve", {}).status_code == 403  # a member may not approve
    assert chen.submit(f"{url}/approve", {}).status_code == 302
    quote = one(app, studio, Quote)
    assert quote.status == "approved" and quote.approved_by_id is not None
    assert wang.submit(f"{url}/send", {}).status_code == 302
    assert one(app, studio, Quote).status == "sent"


def test_revising_a_sent_quote_keeps_the_old_version(app, client, studio):
    client.login(studio.owner_email)
    url = new_quote(client, create(client), [("Logo", "1", "10000", "")])
    client.submit(f"{url}/send", {})
    quote = one(app, studio, Quote)
    edited = client.submit(
        f"{url}/edit",
        {
            "title": "品牌设计 v2",
            "version": str(quote.version),
            "line_description": ["Logo", "Icons"],
            "line_quantity": ["1", "3"],
            "line_unit": ["", ""],
            "line_unit_price": ["10000", "800"],
            "line_discount": ["", ""],
        },
    )
    assert edited.status_code == 302
    quote = one(app, studio, Quote)
    assert (quote.revision, quote.status, quote.subtotal_minor) == (2, "draft", 1_240_000)
    revision = one(app, studio, QuoteRevision)
    assert revision.revision == 1 and revision.snapshot["subtotal_minor"] == 1_000_000 and revision.status == "sent"
    stale = client.submit(f"{url}/edit", {"title": "x", "version": "1", "line_description": []})
    assert stale.status_code == 409


def test_an_expired_quote_is_neither_sent_nor_accepted(app, client, studio):
    client.login(studio.owner_email)
    past = (TODAY - timedelta(days=1)).isoformat()
    url = new_quote(client, create(client), [("Logo", "1", "10000", "")], valid_until=past)
    assert client.submit(f"{url}/send", {}).status_code == 303
    assert one(app, studio, Quote).status == "draft"
    assert "expired" in client.get(url).get_data(as_text=True).lower()


def test_accepting_records_who_when_and_from_where_and_then_nothing_changes(app, client, studio):
    client.login(studio.owner_email)
    url = new_quote(client, create(client), [("Logo", "1", "10000", "")])
    assert client.submit(f"{url}/accept", {"name": "张伟"}).status_code == 303  # not sent yet
    client.submit(f"{url}/send", {})
    assert client.submit(f"{url}/accept", {"name": ""}).status_code == 303  # who answered is required
    assert client.submit(f"{url}/accept", {"name": "张伟"}).status_code == 302
    quote = one(app, studio, Quote)
    assert (quote.status, quote.decided_by, quote.decided_ip) == ("accepted", "张伟", "127.0.0.1")
    refused = client.submit(f"{url}/edit", {"title": "x", "version": str(quote.version), "line_description": []})
    assert refused.status_code == 422 and one(app, studio, Quote).title == "品牌设计"


def user_of(app, studio, membership_id):
    from saas.tenants.models import Membership

    return query(app, studio.tenant_id, select(Membership).where(Membership.id == membership_id))[0].user_id


def _accepted_quote(client, app, studio, price: str = "150000", owner_id=None) -> str:
    client_url = create(client, {"owner_id": str(owner_id)} if owner_id else None)
    url = new_quote(client, client_url, [("Brand", "1", price, "")])
    client.submit(f"{url}/send", {})
    client.submit(f"{url}/accept", {"name": "张伟"})
    return url


def test_the_contract_approval_chain_by_amount(app, client, new_client, studio):
    client.login(studio.owner_email)
    saved = client.submit(
        "/app/settings/billing",
        {
            "tax": "6",
            "discount_threshold": "10",
            "quote_valid_days": "30",
            "version": "1",
            "rule_amount": ["10,000", "100,000"],
            "rule_role": ["manager", "finance"],
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]
    wang_id = user_of(app, studio, add_member(app, studio, "wang@aurora.test", "member"))
    quote_url = _accepted_quote(client, app, studio, owner_id=wang_id)  # Wang sees the client, as its owner
    made = client.submit(f"{quote_url}/contract", {})
    assert made.status_code == 302
    assert client.submit(f"{quote_url}/contract", {}).status_code == 303  # one contract per quote
    assert len(query(app, studio.tenant_id, select(Contract))) == 1
    url = made.headers["Location"]
    contract = one(app, studio, Contract)
    assert contract.amount_minor == 15_900_000  # the quote's total with 6% tax
    add_member(app, studio, "chen@aurora.test", "manager")
    add_member(app, studio, "li@aurora.test", "finance")
    chen, li, wang = new_client(), new_client(), new_client()
    for person, email in ((chen, "chen"), (li, "li"), (wang, "wang")):
        person.login(f"{email}@aurora.test")

    assert client.submit(f"{url}/submit", {}).status_code == 302
    assert one(app, studio, Contract).required_roles == ["manager", "finance"]
    assert li.submit(f"{url}/approve", {}).status_code == 403  # finance's step comes second
    assert wang.submit(f"{url}/approve", {}).status_code == 403
    assert chen.submit(f"{url}/reject", {"comment": ""}).status_code == 303  # a rejection says why
    assert chen.submit(f"{url}/approve", {"comment": "OK"}).status_code == 302
    assert "Waiting for your approval" in li.get("/app/contracts").get_data(as_text=True)
    assert li.submit(f"{url}/approve", {}).status_code == 302
    assert one(app, studio, Contract).status == "approved"
    actions = [(d.action, d.role) for d in query(app, studio.tenant_id, select(ContractDecision))]
    assert sorted(actions, key=str) == sorted(
        [("submitted", None), ("approved", "manager"), ("approved", "finance")], key=str
    )

    bad = client.post(
        f"{url}/sign", data={"csrf_token": client.csrf_token(), "file": (__import__("io").BytesIO(b"GIF89a"), "c.pdf")}
    )
    assert bad.status_code == 303 and one(app, studio, Contract).status == "approved"  # content, not the name
    pdf = __import__("io").BytesIO(b"%PDF-1.4 signed contract")
    signed = client.post(f"{url}/sign", data={"csrf_token": client.csrf_token(), "file": (pdf, "signed.pdf")})
    assert signed.status_code == 302 and one(app, studio, Contract).status == "signed"
    download = client.get(f"{url}/signed")
    assert download.data == b"%PDF-1.4 signed contract" and "attachment" in download.headers["Content-Disposition"]
    contract = one(app, studio, Contract)
    refused = client.submit(f"{url}/edit", {"title": "x", "amount": "1", "version": str(contract.version)})
    assert refused.status_code == 422 and "signed contract cannot be changed" in refused.get_data(as_text=True)


def test_deposit_and_final_invoices_payments_and_the_ageing(app, client, new_client, studio):
    client.login(studio.owner_email)
    wang_id = user_of(app, studio, add_member(app, studio, "wang@aurora.test", "member"))
    quote_url = _accepted_quote(client, app, studio, "100000", owner_id=wang_id)
    overdue = (TODAY - timedelta(days=45)).isoformat()
    later = (TODAY + timedelta(days=30)).isoformat()
    bad_split = client.submit(
        f"{quote_url}/schedule",
        {"part_kind": ["deposit", "final"], "part_percent": ["30", "60"], "part_due_on": [later, later]},
    )
    assert bad_split.status_code == 303 and len(query(app, studio.tenant_id, select(Invoice))) == 0

    made = client.submit(
        f"{quote_url}/schedule",
        {"part_kind": ["deposit", "final"], "part_percent": ["30", "70"], "part_due_on": [overdue, later]},
    )
    assert made.status_code == 302
    invoices = sorted(query(app, studio.tenant_id, select(Invoice)), key=lambda i: i.kind)
    deposit, final = invoices
    assert (deposit.kind, deposit.amount_minor, final.amount_minor) == ("deposit", 3_180_000, 7_420_000)
    twice = client.submit(
        f"{quote_url}/schedule", {"part_kind": ["final"], "part_percent": ["100"], "part_due_on": [later]}
    )
    assert twice.status_code == 303 and len(query(app, studio.tenant_id, select(Invoice))) == 2  # invoiced once
    deposit_url = f"/app/invoices/{deposit.id}"
    assert client.submit(f"{deposit_url}/pay", {"amount": "100", "method": "bank"}).status_code == 422  # a draft
    client.submit(f"{deposit_url}/send", {})
    client.submit(f"/app/invoices/{final.id}/send", {})
    add_member(app, studio, "li@aurora.test", "finance")
    wang, li = new_client(), new_client()
    wang.login("wang@aurora.test")
    li.login("li@aurora.test")
    assert wang.get(deposit_url).status_code == 200  # Wang sees the invoice of his client...
    assert wang.submit(f"{deposit_url}/pay", {"amount": "100", "method": "bank"}).status_code == 403  # ...not pays
    over = li.submit(f"{deposit_url}/pay", {"amount": "31,800.01", "method": "bank"})
    assert over.status_code == 422 and "more than the balance" in over.get_data(as_text=True)

    ageing = client.get("/app/receivables").get_data(as_text=True)
    assert "¥31,800.00" in ageing and "¥74,200.00" in ageing and "¥106,000.00" in ageing
    assert (
        li.submit(f"{deposit_url}/pay", {"amount": "10,000", "method": "bank", "reference": "招行 8812"}).status_code
        == 302
    )
    assert one_invoice(app, studio, deposit.id).status == "partly_paid"
    assert li.submit(f"{deposit_url}/pay", {"amount": "21,800", "method": "cash"}).status_code == 302
    assert one_invoice(app, studio, deposit.id).status == "paid"
    assert len(query(app, studio.tenant_id, select(Payment))) == 2
    ageing = client.get("/app/receivables").get_data(as_text=True)
    assert "¥31,800.00" not in ageing and "¥74,200.00" in ageing

    final_url = f"/app/invoices/{final.id}"
    assert client.submit(f"{final_url}/void", {"reason": ""}).status_code == 422
    assert client.submit(f"{final_url}/void", {"reason": "Client cancelled phase 2"}).status_code == 302
    refused = li.submit(f"{final_url}/pay", {"amount": "1", "method": "bank"})
    assert refused.status_code == 422 and "void" in refused.get_data(as_text=True)
    assert "Nothing outstanding" in client.get("/app/receivables").get_data(as_text=True)


def one_invoice(app, studio, invoice_id):
    return query(app, studio.tenant_id, select(Invoice).where(Invoice.id == invoice_id))[0]


def test_costs_and_profit_per_project_and_client(app, client, studio):
    from tests.factories import new_project

    client.login(studio.owner_email)
    client_url = create(client)
    project_url = new_project(client, client_url)
    project_id = project_url.rsplit("/", 1)[1]
    assert (
        client.submit(
            f"{project_url}/costs",
            {"kind": "hours", "description": "Design", "hours": "12.5", "rate": "400", "spent_on": TODAY.isoformat()},
        ).status_code
        == 302
    )
    assert (
        client.submit(
            f"{project_url}/costs",
            {"kind": "expense", "description": "Printing", "amount": "1,200", "spent_on": TODAY.isoformat()},
        ).status_code
        == 302
    )
    assert (
        client.submit(
            f"{project_url}/costs", {"kind": "hours", "description": "x", "spent_on": TODAY.isoformat()}
        ).status_code
        == 303
    )
    invoice = client.submit(
        "/app/invoices/new",
        {
            "client_id": client_url.rsplit("/", 1)[1],
            "project_id": project_id,
            "title": "Deposit",
            "kind": "deposit",
            "amount": "10,000",
            "due_on": TODAY.isoformat(),
        },
    )
    invoice_url = invoice.headers["Location"]
    client.submit(f"{invoice_url}/send", {})
    client.submit(f"{invoice_url}/pay", {"amount": "8,000", "method": "bank"})
    page = client.get(project_url).get_data(as_text=True)
    # Received 8,000 − costs (12.5 h × 400 = 5,000 + 1,200) = 1,800.
    for figure in ("¥10,000.00", "¥8,000.00", "¥6,200.00", "¥1,800.00"):
        assert figure in page, figure
    assert "¥1,800.00" in client.get(client_url).get_data(as_text=True)
