"""Security basics asserted on real responses: headers, CSP, cookies, CSRF."""

from __future__ import annotations

from tests.conftest import SECRET, Browser


def test_every_page_carries_the_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers  # plain-HTTP local development


def test_the_style_nonce_changes_on_every_response(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert first != second


def test_session_cookie_flags_in_development(client, studio):
    response = client.login(studio.owner_email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_production_sets_secure_cookies_and_hsts(make_app, studio):
    app = make_app(ATELIER_ENV="production", SECRET_KEY=SECRET, BASE_URL="https://atelier.example")
    app.test_client_class = Browser
    browser = app.test_client()
    response = browser.login(studio.owner_email, base_url="https://atelier.example")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = browser.get("/login", base_url="https://atelier.example")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_forged_csrf_token_is_refused_on_every_staff_form(client, studio):
    client.login(studio.owner_email)
    for path in ("/app/settings/studio", "/app/settings/members/invite", "/app/account", "/logout", "/app/switch"):
        response = client.submit(path, {"csrf_token": "forged"}, csrf=False)
        assert response.status_code == 400, path
    assert client.get("/app/").status_code == 200  # the forged logout did not sign out


def test_errors_answer_in_json_to_programs(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"errors": {"_schema": [response.get_json()["errors"]["_schema"][0]]}}


def test_only_the_stripe_webhook_the_token_api_and_public_forms_skip_csrf(app):
    """Stripe signs its webhook (no cookie to ride on); the API takes bearer tokens only; public forms have no
    session to ride on (and are embedded cross-site, where cookies do not go), a signed start time instead.
    Nothing else is exempt."""
    from saas.extensions import csrf

    assert csrf._exempt_views == set()
    assert {bp.name for bp in csrf._exempt_blueprints} == {"api", "stripe", "public"}
    public_rules = sorted(r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("public."))
    # The offer of a direct upload (S3) has no session to ride on either: it only reserves a key for one question
    # of a published form, rate-limited, and the submission that names it is checked (test_direct_uploads.py).
    assert public_rules == [
        "/f/<slug>/<form_slug>",
        "/f/<slug>/<form_slug>",
        "/f/<slug>/<form_slug>/thanks",
        "/f/<slug>/<form_slug>/uploads",
    ]
    stripe_rules = [r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("stripe.")]
    assert stripe_rules == ["/webhooks/stripe"]
