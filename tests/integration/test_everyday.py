"""Issue 14, the workspace as a studio uses it every day, through the staff UI and the portal: New on the money
lists and the client picker; a sent quote e-mailed to the client, opened in the portal and the opening shown; the
deposit sent by itself on acceptance; an invoice's page (what it bills, print, PDF, a reminder now, sent again, what
a payment did); the revision task's due date and who sees it; empty states by role; timeline entries that say which
document; a phone number typed with dashes or spaces; clients in pinyin order across keyset pages; and the home
page as each person's day."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from saas.billing.models import Invoice, Quote
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects.models import Task
from saas.proofing.models import ProofingSettings
from saas.tenants.accounts import find_user
from saas.tenants.queries import working_days_after
from tests.conftest import add_member, query, studio_today
from tests.factories import create, new_quote
from tests.integration.test_proofing import Setup, png_bytes, upload_to_draft


def _id(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _sent_quote(s: Setup, price: str = "10000") -> str:
    url = new_quote(s.staff, s.client_url, [("品牌设计", "1", price, "")], project_id=s.project_id)
    assert s.staff.submit(f"{url}/send", {}).status_code == 302
    return url


# New on the money lists; the client picker


def test_the_money_lists_have_new_and_new_without_a_client_picks_one(app, client, new_client, studio):
    client.login(studio.owner_email)
    create(client, {"name": "鹿鸣咖啡"})
    for kind, label in (("quotes", "New quote"), ("contracts", "New contract"), ("invoices", "New invoice")):
        listing = client.get(f"/app/{kind}").get_data(as_text=True)
        assert f'href="/app/{kind}/new"' in listing and label in listing, kind
        picker = client.get(f"/app/{kind}/new")
        assert picker.status_code == 200, kind
        page = picker.get_data(as_text=True)
        assert "Which client is it for?" in page and "鹿鸣咖啡" in page  # recently active clients to start with
        found = client.get(f"/app/{kind}/new", query_string={"q": "鹿鸣"}).get_data(as_text=True)
        assert f"/app/{kind}/new?client=" in found
        assert client.get(f"/app/{kind}/new", query_string={"q": "nobody-like-this"}).status_code == 200
    add_member(app, studio, "li@aurora.test", "finance")
    finance = new_client()
    finance.login("li@aurora.test")
    assert "New quote" not in finance.get("/app/quotes").get_data(as_text=True)
    assert "New invoice" in finance.get("/app/invoices").get_data(as_text=True)
    assert finance.get("/app/quotes/new").status_code == 403


# Quotes reach the client


def test_sending_a_quote_emails_the_portal_users_and_shows_in_their_bell(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    url = new_quote(client, s.client_url, [("品牌设计", "1", "10000", "")])
    sent = client.submit(f"{url}/send", {}, follow_redirects=True).get_data(as_text=True)
    assert "zw@deer.test got an e-mail with a link" in sent
    mail = outbox.last("zw@deer.test")
    quote = query(app, studio.tenant_id, select(Quote))[0]
    assert quote.number in mail["Subject"] and "¥10,600.00" in mail["Subject"]
    assert f"/portal/aurora/quotes/{quote.id}" in mail.get_body(preferencelist=("plain",)).get_content()
    bell = s.reviewer.get("/portal/aurora/notifications").get_data(as_text=True)
    assert f"sent you quote {quote.number}" in bell
    assert "Not opened in the portal yet" in client.get(url).get_data(as_text=True)


def test_a_quote_sent_to_a_client_nobody_can_open_says_so(app, client, studio, outbox):
    client.login(studio.owner_email)
    url = new_quote(client, create(client), [("品牌设计", "1", "10000", "")])
    page = client.submit(f"{url}/send", {}, follow_redirects=True).get_data(as_text=True)
    assert "no e-mail went out" in page
    assert query(app, studio.tenant_id, select(Quote))[0].status == "sent"
    assert outbox.messages() == []


def test_opening_a_quote_in_the_portal_is_kept_and_shown_to_the_studio(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    url = _sent_quote(s)
    portal_url = f"/portal/aurora/quotes/{_id(url)}"
    before = query(app, studio.tenant_id, select(Quote))[0].version
    first = s.reviewer.get(portal_url)
    assert first.status_code == 200 and "品牌设计" in first.get_data(as_text=True)
    assert s.reviewer.get(f"{portal_url}/pdf").get_data()[:5] == b"%PDF-"
    again = s.reviewer.get(portal_url)
    assert again.status_code == 200
    quote = query(app, studio.tenant_id, select(Quote))[0]
    assert quote.portal_opened_by == "张伟" and quote.portal_last_opened_at > quote.portal_first_opened_at
    assert quote.version == before  # reading it never makes a colleague's edit stale
    staff_page = client.get(url).get_data(as_text=True)
    assert "Opened in the portal by 张伟" in staff_page
    assert "opened quote" in client.get("/app/notifications").get_data(as_text=True)
    assert "Quote opened in the portal" in client.get(s.client_url).get_data(as_text=True)
    # Only the client's own sent quotes: a draft is missing, and so is another client's quote.
    draft = new_quote(client, s.client_url, [("草稿", "1", "1", "")])
    assert s.reviewer.get(f"/portal/aurora/quotes/{_id(draft)}").status_code == 404
    other = create(client, {"name": "Other client"})
    theirs = new_quote(client, other, [("x", "1", "1", "")])
    client.submit(f"{theirs}/send", {})
    assert s.reviewer.get(f"/portal/aurora/quotes/{_id(theirs)}").status_code == 404


def test_on_acceptance_the_deposit_goes_out_by_itself_where_the_studio_chose_so(
    app, client, new_client, studio, outbox
):
    s = Setup(app, client, new_client, studio, outbox)
    settings = client.get("/app/settings/billing").get_data(as_text=True)
    assert "Send the deposit invoice by itself" in settings
    form = {"tax": "6", "discount_threshold": "10", "quote_valid_days": "30", "reminder_days": "-3, 0, 7"}
    saved = client.submit(
        "/app/settings/billing", {**form, "send_deposit_on_acceptance": "on", "deposit_percent": "30"}
    )
    assert saved.status_code == 302
    url = _sent_quote(s, "10000")
    accepted = s.reviewer.submit(f"/portal/aurora/quotes/{_id(url)}/accept", {"name": "张伟"})
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/portal/aurora/quotes/{_id(url)}"
    invoices = sorted(query(app, studio.tenant_id, select(Invoice)), key=lambda i: i.amount_minor)
    assert [(i.kind, i.status, i.amount_minor) for i in invoices] == [
        ("deposit", "sent", 318_000),
        ("final", "draft", 742_000),
    ]
    assert invoices[0].due_on == studio_today() + timedelta(days=7)
    assert "sent you invoice" in outbox.last("zw@deer.test")["Subject"]
    page = client.get(url).get_data(as_text=True)
    assert "Invoices of this quote" in page and invoices[0].number in page

    # A deposit drafted beforehand is the one sent; nothing new is drafted.
    second = _sent_quote(s, "20000")
    parts = {"part_kind": ["deposit", "final"], "part_percent": ["50", "50"], "part_due_on": ["2027-01-01"] * 2}
    assert client.submit(f"{second}/schedule", parts).status_code == 302
    s.reviewer.submit(f"/portal/aurora/quotes/{_id(second)}/accept", {"name": "张伟"})
    mine = [i for i in query(app, studio.tenant_id, select(Invoice)) if str(i.quote_id) == _id(second)]
    assert sorted((i.kind, i.status) for i in mine) == [("deposit", "sent"), ("final", "draft")]


def test_without_the_setting_acceptance_sends_nothing(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    url = _sent_quote(s)
    s.reviewer.submit(f"/portal/aurora/quotes/{_id(url)}/accept", {"name": "张伟"})
    assert query(app, studio.tenant_id, select(Invoice)) == []


# An invoice's page


def _invoice_of_quote(s: Setup) -> str:
    url = _sent_quote(s, "10000")
    s.staff.submit(f"{url}/accept", {"name": "张伟"})
    parts = {
        "part_kind": ["deposit", "final"],
        "part_percent": ["30", "70"],
        "part_due_on": ["2026-01-01", "2027-06-30"],
    }
    assert s.staff.submit(f"{url}/schedule", parts).status_code == 302
    deposit = next(i for i in query(s.app, s.studio.tenant_id, select(Invoice)) if i.kind == "deposit")
    return f"/app/invoices/{deposit.id}"


def test_an_invoice_says_what_it_bills_prints_and_has_a_pdf(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    invoice_url = _invoice_of_quote(s)
    page = client.get(invoice_url).get_data(as_text=True)
    assert "What it bills" in page and "30% of" in page and "品牌设计" in page and "¥10,600.00" in page
    printed = client.get(f"{invoice_url}/print").get_data(as_text=True)
    assert "Deposit: 30% of quote Q-" in printed and "¥3,180.00" in printed and "Balance due" in printed
    pdf = client.get(f"{invoice_url}/pdf")
    assert pdf.status_code == 200 and pdf.get_data()[:5] == b"%PDF-" and pdf.mimetype == "application/pdf"
    standalone = client.submit(
        "/app/invoices/new",
        {"client_id": _id(s.client_url), "title": "加急打样费", "amount": "800", "due_on": "2027-01-01"},
    ).headers["Location"]
    assert "加急打样费" in client.get(standalone).get_data(as_text=True)
    assert client.get(f"{standalone}/pdf").get_data()[:5] == b"%PDF-"


def test_a_reminder_now_and_send_again_reach_the_client_and_say_so(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    invoice_url = _invoice_of_quote(s)
    refused = client.submit(f"{invoice_url}/remind", {})
    assert refused.status_code == 422 and "Only a sent invoice" in refused.get_data(as_text=True)  # still a draft
    client.submit(f"{invoice_url}/send", {})
    before = len(outbox.messages())
    reminded = client.submit(f"{invoice_url}/remind", {}, follow_redirects=True).get_data(as_text=True)
    assert "Reminder sent to zw@deer.test" in reminded
    assert "overdue since" in outbox.last("zw@deer.test")["Subject"]
    invoice = query(app, studio.tenant_id, select(Invoice).where(Invoice.kind == "deposit"))[0]
    assert invoice.reminded_on == studio_today() and invoice.version == 2  # sending moved it; the reminder did not
    again = client.submit(f"{invoice_url}/resend", {}, follow_redirects=True).get_data(as_text=True)
    assert "zw@deer.test got an e-mail" in again
    assert len(outbox.messages()) == before + 2
    timeline = client.get(s.client_url).get_data(as_text=True)
    assert "Invoice reminder sent" in timeline and "Invoice sent again" in timeline


def test_recording_a_payment_says_what_was_recorded_and_what_is_still_due(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    invoice_url = _invoice_of_quote(s)
    client.submit(f"{invoice_url}/send", {})
    part = client.submit(f"{invoice_url}/pay", {"amount": "1,000", "method": "bank"}, follow_redirects=True)
    assert re.search(r"¥1,000\.00 recorded; (CN)?¥2,180\.00 still due\.", part.get_data(as_text=True))
    rest = client.submit(f"{invoice_url}/pay", {"amount": "2180", "method": "bank"}, follow_redirects=True)
    assert "¥2,180.00 recorded; invoice INV-" in rest.get_data(as_text=True)
    portal = s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
    assert "INV-" in portal


def test_the_portal_calls_the_paid_part_paid_not_paid_in_full(app, client, new_client, studio, outbox):
    s = Setup(app, client, new_client, studio, outbox)
    invoice_url = _invoice_of_quote(s)
    client.submit(f"{invoice_url}/send", {})
    client.submit(f"{invoice_url}/pay", {"amount": "1000", "method": "bank"})
    s.reviewer.submit("/portal/aurora/language", {"locale": "zh_CN"})
    home = s.reviewer.get("/portal/aurora/home").get_data(as_text=True)
    assert "已付 ¥1,000.00" in home and "待付 ¥2,180.00" in home and "已付清" not in home
    page = s.reviewer.get(f"/portal/aurora/invoices/{_id(invoice_url)}").get_data(as_text=True)
    assert "<dt>已付</dt>" in page and "已付清" not in page


# The revision a client asks for


def test_the_revision_task_is_due_in_working_days_and_the_projects_owner_sees_it(
    app, client, new_client, studio, outbox
):
    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    s = Setup(app, client, new_client, studio, outbox)  # the owner owns the project
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.add(ProofingSettings(revision_days=2))
        db.session.commit()
    designer = new_client()
    designer.login("wang@aurora.test")
    with app.app_context():
        wang = find_user("wang@aurora.test").id
    client.submit(f"{s.client_url}/shares", {"user_id": str(wang)})  # the designer works on the owner's project
    draft_url = designer.submit(f"{s.project_url}/drafts", {}).headers["Location"]
    upload_to_draft(designer, draft_url, "logo.png", png_bytes((400, 300)), "image/png")
    assert designer.submit(f"{draft_url}/submit", {"reviewers": str(s.portal_user.id)}).status_code == 302
    decision = {"choice": "request_changes", "rating": "3", "note": "配色再暖一些"}
    assert s.reviewer.submit(f"{s.portal_url(draft_url)}/decision", decision).status_code == 302
    task = next(t for t in s.rows(Task) if t.title.startswith("Revise per feedback"))
    assert task.due_on == working_days_after(studio_today(), 2)
    assert task.assignee_id == wang and task.follower_id is not None
    for person in (designer, client):
        assert "Revise per feedback" in person.get("/app/tasks").get_data(as_text=True)
        assert "Revise per feedback" in person.get("/app/").get_data(as_text=True)
    assert client.submit(f"/app/tasks/{task.id}/done", {}).status_code in (302, 303)  # the follower may tick it off


def test_working_days_skip_the_weekend():
    friday = date(2026, 12, 4)
    assert working_days_after(friday, 3) == date(2026, 12, 9)
    assert working_days_after(friday, 1) == date(2026, 12, 7)
    assert working_days_after(friday, 0) == friday


# Empty states offer only what the role may do


def test_field_staff_are_never_offered_what_they_cannot_do(app, client, new_client, studio):
    add_member(app, studio, "zhao@aurora.test", "field")
    field = new_client()
    field.login("zhao@aurora.test")
    home = field.get("/app/").get_data(as_text=True)
    clients = field.get("/app/clients").get_data(as_text=True)
    for page in (home, clients):
        assert "/app/clients/new" not in page and "Add the first one" not in page
        assert "will appear here" not in page
    assert "A client appears here when a colleague gives it to you" in clients
    assert "/app/quotes" not in home  # no Money in their menu
    projects = field.get("/app/projects/list").get_data(as_text=True)
    assert "New project" not in projects and "No projects yet." in projects


# Timeline entries say which document


def test_timeline_entries_of_documents_say_which_with_number_and_amount(app, client, studio):
    client.login(studio.owner_email)
    url = create(client)
    made = client.submit(
        "/app/invoices/new", {"client_id": _id(url), "title": "设计费", "amount": "20,000", "due_on": "2027-01-01"}
    )
    invoice = query(app, studio.tenant_id, select(Invoice))[0]
    timeline = client.get(url).get_data(as_text=True)
    assert "Invoice drafted" in timeline
    assert f'<a href="{made.headers["Location"]}">{invoice.number}</a>' in timeline and "¥20,000.00" in timeline


# Finding things


def test_a_phone_typed_with_dashes_or_spaces_finds_the_client(app, client, studio):
    client.login(studio.owner_email)
    url = create(client, {"name": "上海某某设计有限公司"})
    client.submit(f"{url}/contacts", {"name": "张伟", "phone": "138 0013 8000"})
    other = create(client, {"name": "Harbour Lane"})
    client.submit(f"{other}/contacts", {"name": "Daniel", "phone": "+852 9123-4567"})
    for typed, name in (
        ("138-0013", "上海某某设计有限公司"),
        ("138 0013 8000", "上海某某设计有限公司"),
        ("13800138000", "上海某某设计有限公司"),
        ("(138) 0013", "上海某某设计有限公司"),
        ("9123 4567", "Harbour Lane"),
        ("+852 9123", "Harbour Lane"),
    ):
        page = client.get("/app/clients", query_string={"q": typed}).get_data(as_text=True)
        assert name in page and "No client matches" not in page, typed


def test_clients_sort_by_pinyin_across_keyset_pages(app, client, studio):
    client.login(studio.owner_email)
    names = ["张伟工作室", "阿里设计", "北京星图科技", "Harbour Lane", "杭州云栖茶舍", "鹿鸣咖啡", "重庆火锅店"]
    names += [f"测试客户{n:02d}" for n in range(50)]
    for name in names:
        create(client, {"name": name})
    seen: list[str] = []
    query_string: dict[str, str] = {}
    while True:
        page = client.get("/app/clients", query_string=query_string).get_data(as_text=True)
        seen += re.findall(r'<a class="strong" href="/app/clients/[0-9a-f-]{36}">([^<]+)</a>', page)
        found = re.search(r'<p class="pager"><a class="button button-secondary" href="([^"]+)"', page)
        if not found:
            break
        query_string = {k: v[0] for k, v in parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query).items()}
    assert len(seen) == len(names) and len(set(seen)) == len(names)
    first = [n for n in seen if not n.startswith("测试")]
    assert first == ["阿里设计", "北京星图科技", "重庆火锅店", "杭州云栖茶舍", "Harbour Lane", "鹿鸣咖啡", "张伟工作室"]
    tests = [n for n in seen if n.startswith("测试")]
    assert tests == sorted(tests)


# The home page: each person's day


def test_the_home_page_shows_each_person_their_day(app, client, new_client, studio, outbox):
    add_member(app, studio, "li@aurora.test", "finance")
    s = Setup(app, client, new_client, studio, outbox)
    url = _sent_quote(s)
    client.submit(
        f"{s.client_url}/interactions",
        {
            "kind": "call",
            "summary": "电话",
            "next_action": "回电确认方案",
            "next_action_due": studio_today().isoformat(),
        },
    )
    client.submit(f"{s.project_url}/tasks", {"title": "出平面图", "due_on": studio_today().isoformat()})
    invoice = client.submit(
        "/app/invoices/new",
        {"client_id": _id(s.client_url), "title": "定金", "amount": "5000", "due_on": "2026-01-01"},
    ).headers["Location"]
    client.submit(f"{invoice}/send", {})
    home = client.get("/app/").get_data(as_text=True)
    for text in ("Follow-ups due", "回电确认方案", "Tasks due", "出平面图", "Quotes waiting for an answer", _id(url)):
        assert text in home, text
    assert "Invoices overdue" in home and "¥5,000.00" in home
    assert "will appear here" not in home
    finance = new_client()
    finance.login("li@aurora.test")
    theirs = finance.get("/app/").get_data(as_text=True)
    assert "Invoices overdue" in theirs and "Follow-ups due" not in theirs and "New invoice" in theirs
    assert "New client" not in theirs


def test_a_person_with_nothing_due_is_told_so(app, new_client, studio):
    add_member(app, studio, "zhao@aurora.test", "field")
    field = new_client()
    field.login("zhao@aurora.test")
    assert "Nothing is due today" in field.get("/app/").get_data(as_text=True)


# The audit trail records money and commercial changes


def _audit(app, studio, action: str) -> list:
    from saas.tenants.models import AuditEvent

    return query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == action))


def test_the_audit_trail_records_quotes_prices_discounts_approvals_and_money(app, client, new_client, studio):
    add_member(app, studio, "chen@aurora.test", "manager", name="陈静")
    client.login(studio.owner_email)
    client_url = create(client, {"name": "鹿鸣咖啡"})
    url = new_quote(client, client_url, [("品牌标志", "1", "10000", ""), ("VI 手册", "2", "5000", "")])
    created = _audit(app, studio, "quote.created")[0]
    assert created.data["client"] == "鹿鸣咖啡" and created.data["amount"] == 2_120_000
    assert [c["line"] for c in created.data["changes"]] == ["品牌标志", "VI 手册"]

    form = {
        "client_id": _id(client_url),
        "title": "品牌设计",
        "line_description": ["品牌标志", "VI 手册"],
        "line_quantity": ["1", "2"],
        "line_unit": ["项", "项"],
        "line_unit_price": ["12000", "5000"],
        "line_discount": ["25", ""],
        "version": "1",
    }
    assert client.submit(f"{url}/edit", form).status_code == 302
    revised = _audit(app, studio, "quote.revised")[0]
    changes = {(c["what"], c.get("line")): c for c in revised.data["changes"]}
    line = changes[("line", "品牌标志")]
    assert (line["old"]["unit_price_minor"], line["new"]["unit_price_minor"]) == (1_000_000, 1_200_000)
    assert (line["old"]["discount_bp"], line["new"]["discount_bp"]) == (0, 2500)
    assert changes[("total_minor", None)]["old"] == 2_120_000 and changes[("total_minor", None)]["new"] == 2_014_000
    assert revised.actor_id is not None

    client.submit(f"{url}/request-approval", {})
    manager = new_client()
    manager.login("chen@aurora.test")
    manager.submit(f"{url}/approve", {})
    assert _audit(app, studio, "quote.approval_requested")[0].data["discount"] == 2500
    approved = _audit(app, studio, "quote.approved")[0]
    with app.app_context():
        assert approved.actor_id == find_user("chen@aurora.test").id
    client.submit(f"{url}/send", {})
    client.submit(f"{url}/accept", {"name": "陈思"})
    assert _audit(app, studio, "quote.accepted")[0].data["person"] == "陈思"

    invoice_url = client.submit(
        "/app/invoices/new", {"client_id": _id(client_url), "title": "定金", "amount": "6000", "due_on": "2027-01-01"}
    ).headers["Location"]
    client.submit(f"{invoice_url}/send", {})
    client.submit(f"{invoice_url}/pay", {"amount": "2500", "method": "bank"})
    other = client.submit(
        "/app/invoices/new", {"client_id": _id(client_url), "title": "作废", "amount": "100", "due_on": "2027-01-01"}
    ).headers["Location"]
    client.submit(f"{other}/void", {"reason": "开错了"})
    assert _audit(app, studio, "invoice.sent")[0].data["amount"] == 600_000
    assert _audit(app, studio, "payment.recorded")[0].data["amount"] == 250_000
    assert _audit(app, studio, "invoice.voided")[0].data["reason"] == "开错了"

    page = client.get("/app/settings/audit").get_data(as_text=True)
    for text in ("Quote revised", "Quote discount approved", "Payment recorded", "Invoice voided", "鹿鸣咖啡"):
        assert text in page, text
    assert "¥10,000.00 = ¥10,000.00 → 1 × ¥12,000.00 −25% = ¥9,000.00" in page.replace("CN¥", "¥")
    only = client.get("/app/settings/audit", query_string={"action": "quote.revised"}).get_data(as_text=True)
    rows = only[only.index("<tbody>") :]
    assert "Quote revised" in rows and "Payment recorded" not in rows


def test_billing_settings_and_approval_rules_are_audited_before_and_after(app, client, studio):
    client.login(studio.owner_email)
    form = {"tax": "9", "discount_threshold": "10", "quote_valid_days": "30", "reminder_days": "-3, 0, 7"}
    client.submit("/app/settings/billing", {**form, "rule_amount": ["50000"], "rule_role": ["manager"]})
    changed = _audit(app, studio, "billing.settings_changed")[0]
    assert {"what": "tax_rate_bp", "old": 600, "new": 900} in changed.data["changes"]
    rules = _audit(app, studio, "billing.approval_rules_changed")[0]
    assert rules.data["changes"] == [{"what": "approval_rules", "old": [], "new": [[5_000_000, "manager"]]}]
    page = client.get("/app/settings/audit").get_data(as_text=True)
    assert "Billing settings changed" in page and "6% → 9%" in page and "from" in page


def test_plan_and_stripe_account_changes_are_audited(app, studio):
    from saas.payments.models import StripeAccount
    from saas.payments.services.connect import refresh
    from saas.plans import services as plans
    from saas.plans.models import StudioSubscription

    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.add(StudioSubscription(customer_id="cus_1", plan="studio", status="trialing"))
        account = StripeAccount(account_id="acct_1", tenant_id=studio.tenant_id)
        db.session.add(account)
        db.session.flush()
        plans.sync({"id": "sub_1", "customer": "cus_1", "status": "past_due", "items": {"data": []}})
        refresh(account, {"charges_enabled": True, "details_submitted": True})
        db.session.commit()
    plan = _audit(app, studio, "plan.changed")[0]
    assert {"what": "subscription_status", "old": "trialing", "new": "past_due"} in plan.data["changes"]
    stripe = _audit(app, studio, "stripe.account_updated")[0]
    assert {"what": "charges_enabled", "old": False, "new": True} in stripe.data["changes"]
