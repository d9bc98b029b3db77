"""Clients pay invoices in the portal through the studio's own Stripe account, and every effect comes from
Stripe's webhooks, once. Stripe is played over HTTP by localstripe (PaymentIntents, charges, refunds) and by
tests/stripe_standin.py for what localstripe lacks (Connect, Checkout) — product code goes through stripe-python
over HTTP either way. Webhook events are the stand-in's, built and signed as Stripe documents, and delivered
by the test to /webhooks/stripe."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta

import pytest
import urllib3
from sqlalchemy import select

from saas.billing.models import Invoice, Payment
from saas.clients.models import ClientEvent
from saas.payments.models import RefundRequest, StripeAccount, StripeEvent
from saas.portal_accounts.models import PortalUser
from tests.conftest import Browser, link_in, query
from tests.factories import client_with_contact
from tests.stripe_standin import event, sign

HTTP = urllib3.PoolManager()


class Shop:
    """A studio on an app with Stripe configured, its Stripe account connected through the workspace, a client
    whose contact is signed in to the portal, and a sent invoice."""

    def __init__(self, make_app, settings, standin, studio, outbox, amount: str = "12,800.00", connect=True):
        self.app = make_app(**settings)
        self.app.test_client_class = Browser
        self.standin, self.studio, self.outbox = standin, studio, outbox
        self.staff = self.app.test_client()
        self.staff.login(studio.owner_email)
        self.client_url, contact_url = client_with_contact(self.staff, self.app, studio, "鹿鸣咖啡", "zw@deer.test")
        if connect:
            self.connect()
        self.invoice_id = self.new_invoice(amount)
        self.reviewer = self.app.test_client()
        assert self.staff.submit(f"{contact_url}/portal", {}).status_code == 302
        assert self.reviewer.submit(link_in(outbox.last("zw@deer.test")), {}).status_code == 302

    def connect(self) -> str:
        started = self.staff.submit("/app/settings/billing/stripe", {})
        assert started.status_code == 303, started.get_data(as_text=True)[:500]
        onboarding = started.headers["Location"]
        assert onboarding.startswith(self.standin.base)
        done = HTTP.request("POST", onboarding, redirect=False)  # the owner on Stripe's onboarding page
        assert done.status == 303 and done.headers["Location"].endswith("/app/settings/billing/stripe/done")
        self.deliver_all()  # account.updated
        assert self.staff.get("/app/settings/billing/stripe/done").status_code == 302
        account = self.rows(StripeAccount)[0]
        assert account.charges_enabled
        self.account = account.account_id
        return self.account

    def new_invoice(self, amount: str, kind: str = "milestone") -> str:
        due = (date.today() + timedelta(days=10)).isoformat()
        form = {"client_id": self.client_url.rsplit("/", 1)[1], "title": "品牌设计 首期", "amount": amount}
        made = self.staff.submit("/app/invoices/new", {**form, "due_on": due, "kind": kind})
        assert made.status_code == 302, made.get_data(as_text=True)[:1000]
        invoice_url = made.headers["Location"]
        assert self.staff.submit(f"{invoice_url}/send", {}).status_code == 302
        return invoice_url.rsplit("/", 1)[1]

    def pay(self, amount: str | None = None) -> str:
        """The client presses Pay in the portal, then pays on Stripe's page; returns the session id."""
        form = {"amount": amount} if amount else {}
        started = self.reviewer.submit(f"/portal/aurora/invoices/{self.invoice_id}/pay", form)
        assert started.status_code == 303, started.get_data(as_text=True)[:1500]
        session_id = started.headers["Location"].rsplit("/", 1)[1]
        paid = HTTP.request("POST", started.headers["Location"], redirect=False)
        assert paid.status == 303 and f"?paid={session_id}" in paid.headers["Location"]
        return session_id

    def post_event(self, body: dict, secret: str | None = None, timestamp: int | None = None):
        payload = json.dumps(body).encode()
        header = sign(payload, secret or self.standin.secret, timestamp)
        return self.app.test_client().post(
            "/webhooks/stripe", data=payload, headers={"Stripe-Signature": header, "Content-Type": "application/json"}
        )

    def deliver_all(self) -> None:
        while self.standin.events:
            assert self.post_event(self.standin.events.pop(0)).status_code == 200

    def invoice(self) -> Invoice:
        return self.rows(Invoice, Invoice.id == __import__("uuid").UUID(self.invoice_id))[0]

    def rows(self, model, *where):
        return query(self.app, self.studio.tenant_id, select(model).where(*where))


@pytest.fixture
def shop(make_app, stripe_settings, stripe_standin, studio, outbox):
    return Shop(make_app, stripe_settings, stripe_standin, studio, outbox)


def test_a_client_pays_an_invoice_in_full_and_only_the_webhook_records_it(shop, outbox):
    page = shop.reviewer.get(f"/portal/aurora/invoices/{shop.invoice_id}").get_data(as_text=True)
    assert "Pay CN¥12,800.00 online" in page
    session_id = shop.pay()
    created = [r for r in shop.standin.requests if r["path"] == "/v1/checkout/sessions"]
    assert len(created) == 1 and created[0]["account"] == shop.account  # a direct charge on the studio's account
    assert created[0]["idempotency_key"].startswith("checkout-")
    back = shop.reviewer.get(f"/portal/aurora/invoices/{shop.invoice_id}?paid={session_id}")
    assert "being confirmed" in back.get_data(as_text=True)  # the redirect alone changes nothing
    assert shop.invoice().status == "sent" and shop.rows(Payment) == []

    shop.deliver_all()
    invoice = shop.invoice()
    assert (invoice.status, invoice.paid_minor) == ("paid", 1_280_000)
    [payment] = shop.rows(Payment)
    assert payment.method == "stripe" and payment.stripe_payment_intent.startswith("pi_")
    receipt = outbox.last("zw@deer.test")
    assert "Receipt" in receipt["Subject"] and "¥12,800.00" in receipt["Subject"]
    receipt_page = shop.reviewer.get(link_in(receipt))
    assert receipt_page.status_code == 200 and "¥12,800.00" in receipt_page.get_data(as_text=True)
    kinds = [e.kind for e in shop.rows(ClientEvent)]
    assert "payment.recorded" in kinds
    assert "paid CN¥12,800.00 online" in shop.staff.get("/app/notifications").get_data(as_text=True)
    assert "Pay ¥" not in shop.reviewer.get(f"/portal/aurora/invoices/{shop.invoice_id}").get_data(as_text=True)


def test_a_deposit_then_the_rest(shop):
    shop.staff.submit(
        "/app/settings/billing",
        {"tax": "6", "discount_threshold": "10", "quote_valid_days": "30", "allow_partial_payments": "on"},
    )
    refused = shop.reviewer.submit(f"/portal/aurora/invoices/{shop.invoice_id}/pay", {"amount": "20,000"})
    assert refused.status_code == 422 and "at most the balance" in refused.get_data(as_text=True)
    shop.pay("3,840.00")
    shop.deliver_all()
    invoice = shop.invoice()
    assert (invoice.status, invoice.paid_minor, invoice.balance_minor) == ("partly_paid", 384_000, 896_000)
    shop.pay()  # the balance
    shop.deliver_all()
    invoice = shop.invoice()
    assert (invoice.status, invoice.paid_minor, invoice.balance_minor) == ("paid", 1_280_000, 0)
    assert len(shop.rows(Payment)) == 2


def test_partial_amounts_are_refused_unless_the_studio_allows_them(shop):
    refused = shop.reviewer.submit(f"/portal/aurora/invoices/{shop.invoice_id}/pay", {"amount": "100"})
    assert refused.status_code == 422 and "paid in full" in refused.get_data(as_text=True)
    assert not [r for r in shop.standin.requests if r["path"] == "/v1/checkout/sessions"]


def test_the_same_event_ten_times_records_one_payment(shop):
    shop.pay()
    completed = next(e for e in shop.standin.events if e["type"] == "checkout.session.completed")
    answers = [shop.post_event(completed).get_json()["duplicate"] for _ in range(10)]
    assert answers == [False] + [True] * 9
    assert len(shop.rows(Payment)) == 1 and shop.invoice().paid_minor == 1_280_000
    with shop.app.app_context():
        from saas.extensions import db

        assert db.session.query(StripeEvent).filter_by(type="checkout.session.completed").count() == 1


@pytest.mark.parametrize("order", [("payment_intent.succeeded", "checkout.session.completed"), None])
def test_events_in_either_order_reach_the_same_end_state(shop, order):
    shop.pay()
    events = shop.standin.events
    if order:
        events.sort(key=lambda e: order.index(e["type"]))
    shop.deliver_all()
    invoice = shop.invoice()
    assert (invoice.status, invoice.paid_minor, len(shop.rows(Payment))) == ("paid", 1_280_000, 1)


def test_a_forged_stale_or_future_signature_is_refused_and_nothing_recorded(shop):
    shop.pay()
    completed = shop.standin.events[0]
    assert shop.post_event(completed, secret="whsec_someone_else").status_code == 400
    assert shop.post_event(completed, timestamp=int(time.time()) - 3600).status_code == 400
    assert shop.post_event(completed, timestamp=int(time.time()) + 3600).status_code == 400  # from the future
    unsigned = shop.app.test_client().post("/webhooks/stripe", data=json.dumps(completed))
    assert unsigned.status_code == 400
    with shop.app.app_context():
        from saas.extensions import db

        assert db.session.query(StripeEvent).filter(StripeEvent.type != "account.updated").count() == 0
    assert shop.rows(Payment) == [] and shop.invoice().status == "sent"


def test_the_platform_and_the_connect_endpoint_each_sign_with_their_own_secret(
    make_app, stripe_settings, stripe_standin, studio, outbox
):
    """Stripe delivers a connected account's events through a Connect endpoint and the platform's own through
    another, each signing with its own secret; both may point at /webhooks/stripe."""
    connect_secret = "whsec_test_connect_endpoint"
    settings = {**stripe_settings, "STRIPE_CONNECT_WEBHOOK_SECRET": connect_secret}
    shop = Shop(make_app, settings, stripe_standin, studio, outbox)  # account.updated: the platform's secret
    shop.pay()
    for body in shop.standin.events:
        assert shop.post_event(body, secret="whsec_neither_endpoint").status_code == 400
        assert shop.post_event(body, secret=connect_secret).status_code == 200
    assert (shop.invoice().status, len(shop.rows(Payment))) == ("paid", 1)


def test_a_refund_by_staff_shows_on_the_invoice_and_the_timeline_once_stripe_confirms(shop):
    shop.pay()
    shop.deliver_all()
    [payment] = shop.rows(Payment)
    url = f"/app/invoices/{shop.invoice_id}/payments/{payment.id}/refund"
    too_much = shop.staff.submit(url, {"amount": "20,000"})
    assert too_much.status_code == 422 and "at most what is left" in too_much.get_data(as_text=True)
    assert shop.staff.submit(url, {"amount": "1,000", "reason": "少交付一张海报"}).status_code == 302
    [refund] = shop.rows(RefundRequest)
    assert refund.status == "sent" and refund.stripe_refund_id.startswith("re_")  # the job ran (inline)
    assert shop.invoice().paid_minor == 1_280_000  # not before Stripe says so

    charge = {"id": payment.stripe_charge, "object": "charge", "payment_intent": payment.stripe_payment_intent}
    assert shop.post_event(event("charge.refunded", charge, shop.account)).status_code == 200
    invoice = shop.invoice()
    assert (invoice.status, invoice.paid_minor) == ("partly_paid", 1_180_000)
    assert shop.rows(Payment)[0].refunded_minor == 100_000
    assert "payment.refunded" in [e.kind for e in shop.rows(ClientEvent)]
    assert "¥1,000.00 refunded" in shop.reviewer.get(f"/portal/aurora/invoices/{shop.invoice_id}").get_data(
        as_text=True
    )
    # The same news again (Stripe retries; refund.updated follows) changes nothing more.
    shop.post_event(event("refund.updated", {"object": "refund", "charge": payment.stripe_charge}, shop.account))
    assert shop.invoice().paid_minor == 1_180_000


def test_a_refund_job_that_dies_after_calling_stripe_never_refunds_twice(shop):
    from saas.extensions import db
    from saas.isolation import set_tenant
    from saas.jobs import run_job
    from saas.payments.services.refunds import send_refund

    shop.pay()
    shop.deliver_all()
    [payment] = shop.rows(Payment)
    shop.staff.submit(f"/app/invoices/{shop.invoice_id}/payments/{payment.id}/refund", {"amount": "500"})
    [refund] = shop.rows(RefundRequest)
    with shop.app.app_context():  # the job again, as if the first run's commit had been lost
        set_tenant(db.session(), shop.studio.tenant_id)
        row = db.session.get(RefundRequest, refund.id)
        row.status = "requested"
        db.session.commit()
    with shop.app.app_context():
        run_job(f"{send_refund.__module__}:send_refund", (str(refund.id),), str(shop.studio.tenant_id))
    calls = [r for r in shop.standin.requests if r["path"] == "/v1/refunds"]
    assert len(calls) == 2 and calls[0]["idempotency_key"] == calls[1]["idempotency_key"] == f"refund-{refund.id}"
    charge = json.loads(
        HTTP.request(
            "GET",
            f"{shop.standin.upstream}/v1/charges/{payment.stripe_charge}",
            headers={"Authorization": "Bearer sk_test_x"},
        ).data
    )
    assert charge["amount_refunded"] == 50_000  # refunded once, not twice


def test_without_stripe_the_portal_says_how_to_pay(app, client, studio, outbox, new_client):
    client.login(studio.owner_email)
    client_url, contact_url = client_with_contact(client, app, studio, "鹿鸣咖啡", "zw@deer.test")
    client.submit(
        "/app/settings/billing",
        {
            "tax": "6",
            "discount_threshold": "10",
            "quote_valid_days": "30",
            "payment_instructions": "招商银行 6225 8888",
        },
    )
    due = (date.today() + timedelta(days=10)).isoformat()
    form = {"client_id": client_url.rsplit("/", 1)[1], "title": "首期", "amount": "1000", "due_on": due}
    invoice_url = client.submit("/app/invoices/new", form).headers["Location"]
    client.submit(f"{invoice_url}/send", {})
    reviewer = new_client()
    client.submit(f"{contact_url}/portal", {})
    reviewer.submit(link_in(outbox.last("zw@deer.test")), {})
    page = reviewer.get(f"/portal/aurora/invoices/{invoice_url.rsplit('/', 1)[1]}").get_data(as_text=True)
    assert "招商银行 6225 8888" in page and "online" not in page.lower().replace("onlinepay", "")
    refused = reviewer.submit(f"/portal/aurora/invoices/{invoice_url.rsplit('/', 1)[1]}/pay", {})
    assert refused.status_code == 422 and "does not take online payments" in refused.get_data(as_text=True)
    assert "not set up on this Atelier installation" in client.get("/app/settings/billing").get_data(as_text=True)


def test_only_the_owner_connects_stripe(make_app, stripe_settings, stripe_standin, studio):
    from tests.conftest import add_member

    add_member(make_app(), studio, "admin@aurora.test", "admin")
    app = make_app(**stripe_settings)
    app.test_client_class = Browser
    admin = app.test_client()
    admin.login("admin@aurora.test")
    assert admin.submit("/app/settings/billing/stripe", {}).status_code == 403
    assert stripe_standin.accounts == {}


def test_portal_users_see_only_their_own_clients_invoices(shop):
    other_url, _contact = client_with_contact(shop.staff, shop.app, shop.studio, "Other", "o@other.test")
    due = (date.today() + timedelta(days=10)).isoformat()
    form = {"client_id": other_url.rsplit("/", 1)[1], "title": "Other's", "amount": "99", "due_on": due}
    theirs = shop.staff.submit("/app/invoices/new", form).headers["Location"].rsplit("/", 1)[1]
    shop.staff.submit(f"/app/invoices/{theirs}/send", {})
    assert shop.reviewer.get(f"/portal/aurora/invoices/{theirs}").status_code == 404
    assert shop.reviewer.submit(f"/portal/aurora/invoices/{theirs}/pay", {}).status_code == 404
    assert not [r for r in shop.standin.requests if r["path"] == "/v1/checkout/sessions"]
    users = [u for u in shop.rows(PortalUser) if u.email == "zw@deer.test"]
    assert users  # the client's own invoice stays payable
    assert shop.reviewer.get(f"/portal/aurora/invoices/{shop.invoice_id}").status_code == 200


def test_a_final_invoice_paid_online_closes_the_project_as_won(shop):
    from saas.projects.models import PipelineStage, Project
    from tests.factories import new_project

    project_url = new_project(shop.staff, shop.client_url, name="品牌焕新")
    final = next(s for s in shop.rows(PipelineStage) if s.key == "final")
    shop.staff.submit(f"{project_url}/move", {"stage_id": str(final.id)})
    due = (date.today() + timedelta(days=10)).isoformat()
    form = {"client_id": shop.client_url.rsplit("/", 1)[1], "project_id": project_url.rsplit("/", 1)[1]}
    made = shop.staff.submit(
        "/app/invoices/new", {**form, "title": "尾款", "amount": "6400", "due_on": due, "kind": "final"}
    )
    shop.invoice_id = made.headers["Location"].rsplit("/", 1)[1]
    shop.staff.submit(f"/app/invoices/{shop.invoice_id}/send", {})
    shop.pay()
    assert shop.rows(Project)[0].stage.key == "final"  # the redirect back changes nothing
    shop.deliver_all()
    assert shop.rows(Project)[0].stage.key == "won" and shop.rows(Project)[0].closed_at is not None


def test_the_receipt_downloads_as_a_pdf(shop):
    import io

    import pypdfium2

    shop.pay()
    shop.deliver_all()
    [payment] = shop.rows(Payment)
    answer = shop.reviewer.get(f"/portal/aurora/payments/{payment.id}/receipt.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    text = pypdfium2.PdfDocument(io.BytesIO(answer.data))[0].get_textpage().get_text_range()
    assert "Receipt" in text and "12,800.00" in text and "鹿鸣咖啡" in text
    assert shop.app.test_client().get(f"/portal/aurora/payments/{payment.id}/receipt.pdf").status_code == 302
