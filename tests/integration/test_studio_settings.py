"""The owner edits the studio profile and uploads a logo; bad input is refused and changes nothing."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from saas.extensions import db
from saas.tenants.models import AuditEvent, Tenant
from tests.conftest import add_member, query
from tests.factories import png_bytes


def _tenant(app, studio) -> Tenant:
    with app.app_context():
        return db.session.get(Tenant, studio.tenant_id)


def _profile(tenant: Tenant, **changes) -> dict:
    data = {
        "name": tenant.name,
        "brand_color": tenant.brand_color,
        "currency": tenant.currency,
        "timezone": tenant.timezone,
        "locale": tenant.locale,
        "version": tenant.version,
    }
    return {**data, **changes}


def test_the_owner_edits_the_profile_and_it_is_audited(app, client, studio):
    client.login(studio.owner_email)
    tenant = _tenant(app, studio)
    response = client.submit(
        "/app/settings/studio",
        _profile(
            tenant,
            name="极光设计工作室",
            brand_color="#aa3366",
            currency="USD",
            timezone="Europe/Paris",
            locale="zh_CN",
        ),
    )
    assert response.status_code == 302
    saved = _tenant(app, studio)
    assert (saved.name, saved.brand_color, saved.currency, saved.timezone, saved.locale) == (
        "极光设计工作室",
        "#aa3366",
        "USD",
        "Europe/Paris",
        "zh_CN",
    )
    events = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "studio.settings_changed"))
    assert events[0].data["fields"] == ["brand_color", "currency", "locale", "name", "timezone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("brand_color", "red"),
        ("brand_color", "#12345"),
        ("currency", "BTC"),
        ("timezone", "Mars/Olympus"),
        ("locale", "fr"),
        ("name", ""),
        ("embed_origins", "javascript:alert(1)"),
        ("embed_origins", "https://www.example.com/forms"),
        ("embed_origins", "ftp://example.com"),
        ("embed_origins", "https://exa\x00mple.com"),
        ("embed_origins", " ".join(f"https://s{i}.example.com" for i in range(21))),
    ],
)
def test_bad_profile_input_changes_nothing(app, client, studio, field, value):
    client.login(studio.owner_email)
    before = _tenant(app, studio)
    assert client.submit("/app/settings/studio", _profile(before, **{field: value})).status_code == 422
    after = _tenant(app, studio)
    assert (after.version, getattr(after, field)) == (before.version, getattr(before, field))


def test_a_stale_profile_form_gets_a_conflict(app, client, studio):
    client.login(studio.owner_email)
    stale = _tenant(app, studio)
    assert client.submit("/app/settings/studio", _profile(stale, name="First")).status_code == 302
    assert client.submit("/app/settings/studio", _profile(stale, name="Second")).status_code == 409
    assert _tenant(app, studio).name == "First"


def test_logo_upload_is_stored_under_the_studio_and_served(app, client, studio, migrated):
    client.login(studio.owner_email)
    data = png_bytes()
    response = client.submit(
        "/app/settings/studio/logo", {"logo": (io.BytesIO(data), "logo.png")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    tenant = _tenant(app, studio)
    assert tenant.logo_key.startswith(f"tenants/{studio.tenant_id}/branding/")
    served = client.get("/brand/aurora/logo")
    assert served.status_code == 200 and served.data == data and served.mimetype == "image/png"


@pytest.mark.parametrize(
    ("payload", "filename", "message"),
    [
        (b"just some text, not an image", "logo.png", "PNG, JPEG, GIF or WebP"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg", "PNG, JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "logo.png", "could not be read"),
        (png_bytes(), "logo.exe", "PNG, JPEG"),
    ],
)
def test_a_logo_that_is_not_an_image_is_refused(app, client, studio, payload, filename, message):
    client.login(studio.owner_email)
    response = client.submit(
        "/app/settings/studio/logo", {"logo": (io.BytesIO(payload), filename)}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _tenant(app, studio).logo_key is None


def test_a_logo_that_is_too_large_is_refused(make_app, studio):
    from tests.conftest import Browser

    app = make_app(MAX_LOGO_BYTES="2000")
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    response = browser.submit(
        "/app/settings/studio/logo",
        {"logo": (io.BytesIO(png_bytes((1500, 1500))), "big.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "too large" in response.get_data(as_text=True)


def test_staff_without_the_settings_permission_get_403(app, new_client, studio):
    for role in ("manager", "member", "finance", "field"):
        add_member(app, studio, f"{role}@aurora.test", role)
        person = new_client()
        person.login(f"{role}@aurora.test")
        assert person.get("/app/settings/studio").status_code == 403
        assert person.submit("/app/settings/studio", _profile(_tenant(app, studio), name="Hacked")).status_code == 403
        assert person.get("/app/settings/audit").status_code == 403
    assert _tenant(app, studio).name != "Hacked"
