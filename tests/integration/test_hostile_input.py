"""Hostile input, the way an outsider sends it, on SQLite and on PostgreSQL: NUL bytes, lone surrogates, broken
UTF-8 and control characters in every text field of the API and in the main forms; oversized bodies; blind
overwrites. Each ends in a clear 4xx naming the field, and nothing is written."""

from __future__ import annotations

import json

import pytest
from marshmallow import fields
from sqlalchemy import func, select

from saas.extensions import db
from tests.factories import api, make_token

NUL, SURROGATE, CONTROL = "a\x00b", "a\ud800b", "a\x1bb"


def _rows(app, tenant_id) -> dict[str, int]:
    """Rows per table as the studio sees them (on PostgreSQL, Row-Level Security shows its own; SQLite shows all),
    for a before-and-after comparison: nothing written."""
    from saas.db import Base
    from saas.isolation import ALL_TENANTS, set_tenant

    with app.app_context():
        set_tenant(db.session(), tenant_id)
        return {
            table.name: db.session.execute(
                select(func.count()).select_from(table), execution_options={ALL_TENANTS: True}
            ).scalar()
            for table in Base.metadata.sorted_tables
        }


def _string_fields(schema) -> list[str]:
    return [
        field.data_key or name
        for name, field in schema.fields.items()
        if isinstance(field, fields.String) and not field.dump_only
    ]


@pytest.mark.parametrize("hostile", [NUL, SURROGATE, CONTROL], ids=["nul", "lone-surrogate", "escape"])
def test_every_text_field_of_the_api_refuses_what_cannot_be_stored(app, studio, seeded, hostile):
    """For every operation with a JSON body, every string field at once: 422 naming each of them, nothing
    written — whatever else the body says, and before any rule reads it."""
    from saas.api.http import api as operations

    http = api(app, seeded["token"])
    tenant = studio.tenant_id
    before = _rows(app, tenant)
    tried = 0
    for op in operations:
        if op.body is None or op.body.schema is None:
            continue
        names = _string_fields(op.body.build())
        if not names:
            continue
        path = "/api/v1" + op.rule
        for param in op.path_params:
            path = path.replace(f"<{param}>", seeded.get(param, "6f1c3f0e-5f4e-4b8e-9a3b-1d2c3e4f5a6b"))
        answer = http.open(path, method=op.method, json={name: hostile for name in names})
        assert answer.status_code == 422, (op.endpoint, answer.status_code, answer.get_data(as_text=True)[:300])
        assert set(names) <= set(answer.get_json()["errors"]), (op.endpoint, answer.get_json())
        tried += 1
    assert tried >= 15
    assert _rows(app, tenant) == before


def test_query_strings_keys_and_path_parameters_are_checked_too(app, seeded):
    http = api(app, seeded["token"])
    nul = http.get("/api/v1/clients?q=a%00b")
    assert nul.status_code == 422 and "q" in nul.get_json()["errors"]
    broken = http.get("/api/v1/clients?q=%ED%A0%80")  # the UTF-8 bytes of a lone surrogate: not UTF-8
    assert broken.status_code == 422 and "q" in broken.get_json()["errors"]
    key = http.post("/api/v1/clients", json={"name": "ok", "\x00": 1})
    assert key.status_code == 422
    assert http.delete("/api/v1/tags/VIP%00").status_code == 404
    raw = http.post("/api/v1/clients", data=b'{"name": "\xff\xfe"}', content_type="application/json")
    assert raw.status_code == 422  # not UTF-8 at all: not JSON
    assert http.get("/api/v1/clients?status=bogus").status_code == 422  # a known parameter must be valid


def test_the_main_forms_refuse_it_with_the_field_named(app, client, studio, new_client):
    client.login(studio.owner_email)
    before = _rows(app, studio.tenant_id)
    for hostile in (NUL, CONTROL):
        page = client.submit("/app/clients/new", {"name": hostile, "kind": "company"})
        assert page.status_code == 422 and "name" in page.get_data(as_text=True)
    raw = client.post(
        "/app/clients/new",
        data=b"name=%ED%A0%80&kind=company&csrf_token=" + client.csrf_token().encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert raw.status_code == 422
    visitor = new_client()
    assert visitor.submit("/signup", {"studio_name": NUL, "slug": "x", "email": "a@b.test"}).status_code == 422
    assert visitor.submit("/portal/aurora/login", {"email": f"{NUL}@x.test"}).status_code == 422
    file_name = client.post(
        "/app/files",
        json={"name": "logo\x01.png", "size": 10, "content_type": "image/png"},
        headers={"X-CSRFToken": client.csrf_token()},
    )
    assert file_name.status_code == 422 and "name" in file_name.get_json()["errors"]
    assert _rows(app, studio.tenant_id) == before


def test_a_stored_header_is_cleaned_not_refused(app, new_client, studio):
    from saas.tenants.models import AuthSession

    browser = new_client()
    browser.environ_base["HTTP_USER_AGENT"] = "Mozilla\x01/5.0\x7f"
    assert browser.login(studio.owner_email).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(AuthSession.user_agent)) == "Mozilla/5.0"


def test_an_oversized_body_is_refused_before_it_is_read(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    huge = json.dumps({"name": "x", "notes": "字" * (2 * 1024 * 1024)})
    answer = http.post("/api/v1/clients", data=huge, content_type="application/json")
    assert answer.status_code == 413 and answer.get_json()["errors"]
    form = client.submit("/app/clients/new", {"name": "x", "notes": "y" * (2 * 1024 * 1024)})
    assert form.status_code == 413
    # A logo may be larger than an ordinary request: it is read (and refused for not being an image).
    logo = client.post(
        "/app/settings/studio/logo",
        data={"logo": (__import__("io").BytesIO(b"x" * 1_500_000), "logo.png"), "csrf_token": client.csrf_token()},
        content_type="multipart/form-data",
    )
    assert logo.status_code == 422
    assert _rows(app, studio.tenant_id)["clients"] == 0


def test_a_blind_overwrite_with_if_match_star_is_refused(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    made = http.post("/api/v1/clients", json={"name": "鹿鸣咖啡"})
    star = http.patch(made.headers["Location"], json={"name": "改名"}, headers={"If-Match": "*"})
    assert star.status_code == 428 and "If-Match" in star.get_json()["errors"]
    assert http.get(made.headers["Location"]).get_json()["name"] == "鹿鸣咖啡"


def test_project_hours_are_exact_hundredths_and_answered_as_numbers(app, seeded):
    http = api(app, seeded["token"])
    url = f"/api/v1/projects/{seeded['project_id']}/costs"
    cost = {"kind": "hours", "description": "Design", "rate_minor": 40_000, "spent_on": "2026-12-01"}
    refused = http.post(url, json={**cost, "hours": 0.00000005960464477539063})
    assert refused.status_code == 422 and "hours" in refused.get_json()["errors"]
    made = http.post(url, json={**cost, "hours": "1.25"})
    assert made.status_code == 201 and made.get_json()["hours"] == 1.25 and made.get_json()["amount_minor"] == 50_000
    assert http.get(url).get_json()["data"][0]["hours"] == 1.25


def test_every_write_operation_documents_the_conflicts_and_refusals_it_can_answer(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    archive = document["paths"]["/clients/{client_id}"]["delete"]["responses"]
    assert {"204", "401", "403", "404", "409", "422", "429"} <= set(archive)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("post", "patch", "delete"):
                assert {"403", "409", "422"} <= set(operation["responses"]), (method, path)


def test_a_refused_move_never_redirects_off_the_site(app, client, studio):
    client.login(studio.owner_email)
    made = client.submit("/app/clients/new", {"name": "鹿鸣咖啡", "kind": "company"})
    client_id = made.headers["Location"].rsplit("/", 1)[1]
    project = client.submit("/app/projects/new", {"client_id": client_id, "name": "菜单"})
    moved = client.submit(
        f"{project.headers['Location']}/move", {"stage_id": "not-a-stage", "next": "https://evil.test/"}
    )
    assert moved.status_code in (302, 303) and "evil" not in moved.headers["Location"]
