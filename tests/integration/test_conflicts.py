"""A stale edit anywhere ends in a conflict the person can act on: a form again with what happened (409), the
API's error format with 409 or 412 — never a 500, never a silent overwrite."""

from __future__ import annotations

from tests.factories import api, make_token


def test_a_stale_payment_form_shows_the_invoice_again_with_what_happened(app, client, studio, seeded):
    http = api(app, seeded["token"])
    invoice = http.post(
        "/api/v1/invoices",
        json={"client_id": seeded["client_id"], "title": "首期款", "amount_minor": 100_000, "due_on": "2027-01-31"},
    ).get_json()
    http.post(f"/api/v1/invoices/{invoice['id']}/send")
    page = f"/app/invoices/{invoice['id']}"
    read = http.get(f"/api/v1/invoices/{invoice['id']}").get_json()["version"]
    http.post(f"/api/v1/invoices/{invoice['id']}/payments", json={"amount_minor": 10_000, "method": "bank"})

    client.login(studio.owner_email)
    stale = client.submit(f"{page}/pay", {"amount": "100", "method": "bank", "version": str(read)})
    assert stale.status_code == 409
    assert "Someone else changed this in the meantime" in stale.get_data(as_text=True)
    assert http.get(f"/api/v1/invoices/{invoice['id']}").get_json()["paid_minor"] == 10_000


def test_a_stale_if_match_is_412_with_the_current_etag(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    made = http.post("/api/v1/clients", json={"name": "鹿鸣咖啡"})
    etag = made.headers["ETag"]
    assert http.patch(made.headers["Location"], json={"name": "一"}, headers={"If-Match": etag}).status_code == 200
    late = http.patch(made.headers["Location"], json={"name": "二"}, headers={"If-Match": etag})
    assert late.status_code == 412 and late.headers["ETag"] != etag and "If-Match" in late.get_json()["errors"]
    assert http.get(made.headers["Location"]).get_json()["name"] == "一"
