"""REST API v1 for clients, contacts and follow-ups: bearer tokens created in the workspace (or by the CLI),
strict JSON validation, ETag / If-Match, record-level access and studio isolation exactly as in the UI."""

from __future__ import annotations

import re
import time

from sqlalchemy import select

from saas.clients.models import Client
from tests.conftest import Browser, add_member, query
from tests.factories import api, make_token


def test_create_read_list_and_patch_a_client_with_etags(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    created = http.post("/api/v1/clients", json={"name": "上海某某设计有限公司", "status": "intent", "tags": ["VIP"]})
    assert created.status_code == 201 and created.headers["Location"].startswith("/api/v1/clients/")
    body = created.get_json()
    assert (body["name"], body["status"], body["tags"], body["version"]) == (
        "上海某某设计有限公司",
        "intent",
        ["VIP"],
        1,
    )
    url = created.headers["Location"]
    etag = http.get(url).headers["ETag"]
    assert etag == 'W/"1"'

    patched = http.patch(url, json={"status": "signed"}, headers={"If-Match": etag})
    assert patched.status_code == 200 and patched.get_json()["status"] == "signed"
    stale = http.patch(url, json={"status": "past"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and "If-Match" in stale.get_json()["errors"]
    assert http.patch(url, json={"status": "past"}).status_code == 428
    assert http.get(url).get_json()["status"] == "signed"

    listed = http.get("/api/v1/clients", query_string={"q": "某某"}).get_json()
    assert [c["name"] for c in listed["data"]] == ["上海某某设计有限公司"] and listed["next_cursor"] is None


def test_contacts_and_follow_ups_through_the_api(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    url = http.post("/api/v1/clients", json={"name": "Deer Coffee"}).headers["Location"]
    contact = http.post(f"{url}/contacts", json={"name": "陈思", "phone": "186 2100 7788", "decision_maker": True})
    assert contact.status_code == 201 and contact.get_json()["decision_maker"] is True
    logged = http.post(
        f"{url}/interactions",
        json={"kind": "call", "summary": "First call", "next_action": "Send quote", "next_action_due": "2030-01-02"},
    )
    assert logged.status_code == 201
    assert [c["name"] for c in http.get(f"{url}/contacts").get_json()["data"]] == ["陈思"]
    assert http.get(f"{url}/interactions").get_json()["data"][0]["next_action_due"] == "2030-01-02"
    assert http.get("/api/v1/clients", query_string={"q": "2100"}).get_json()["data"][0]["name"] == "Deer Coffee"


def test_bad_input_gets_field_errors_and_writes_nothing(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    cases = [
        ({"status": "intent"}, "name"),
        ({"name": "X", "status": "famous"}, "status"),
        ({"name": "X", "tags": ["x" * 500]}, "tags"),
        ({"name": "X", "colour": "red"}, "colour"),  # unknown fields are refused
        ({"name": 42}, "name"),
    ]
    for payload, field in cases:
        response = http.post("/api/v1/clients", json=payload)
        assert response.status_code == 422, payload
        assert field in response.get_json()["errors"], response.get_json()
    not_json = http.post("/api/v1/clients", data="name=X", content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 422
    assert query(app, studio.tenant_id, select(Client)) == []
    url = http.post("/api/v1/clients", json={"name": "Real"}).headers["Location"]
    etag = http.get(url).headers["ETag"]
    wrong_type = http.patch(url, json={"tags": "not-a-list-but-a-string", "owner_id": 7}, headers={"If-Match": etag})
    assert wrong_type.status_code == 422 and "owner_id" in wrong_type.get_json()["errors"]
    bad_contact = http.post(f"{url}/contacts", json={"name": "X", "email": "nope", "phone": "call me"})
    assert bad_contact.status_code == 422 and {"email", "phone"} <= set(bad_contact.get_json()["errors"])


def test_no_revoked_or_foreign_tokens(app, client, studio):
    assert api(app, None).get("/api/v1/clients").status_code == 401
    assert api(app, "atl_0000_nope").get("/api/v1/clients").status_code == 401
    client.login(studio.owner_email)
    token = make_token(client)
    assert api(app, token).get("/api/v1/clients").status_code == 200
    assert api(app, token[:-1] + ("A" if token[-1] != "A" else "B")).get("/api/v1/clients").status_code == 401
    token_id = re.search(
        r"/app/settings/api-tokens/([0-9a-f-]+)/revoke", client.get("/app/settings/api-tokens").get_data(as_text=True)
    ).group(1)
    assert client.submit(f"/app/settings/api-tokens/{token_id}/revoke").status_code == 302
    assert api(app, token).get("/api/v1/clients").status_code == 401


def test_a_token_dies_with_its_persons_access_and_names_its_own_studio(app, client, new_client, studio, other_studio):
    """The token's person must still be an active member of the token's studio (not of another one they also
    belong to): deactivated, their token is
    refused at once, and works again when they are reactivated. A token's secret under another studio's id
    (the prefix names the studio the lookup runs in) is refused too. Use is recorded at most every 5 minutes."""
    from saas.tenants.models import ApiToken, Membership

    zhou = add_member(app, studio, "zhou@aurora.test", "admin")
    add_member(app, other_studio, "zhou@aurora.test", "member")  # active there: it must not count here
    admin = new_client()
    admin.login("zhou@aurora.test")
    token = make_token(admin, "admin")
    assert api(app, token).get("/api/v1/clients").status_code == 200
    used = query(app, studio.tenant_id, select(ApiToken.last_used_at))
    assert used != [None]
    assert api(app, token).get("/api/v1/clients").status_code == 200
    assert query(app, studio.tenant_id, select(ApiToken.last_used_at)) == used

    client.login(studio.owner_email)
    for action, answer in (("deactivate", 401), ("reactivate", 200)):
        version = query(app, studio.tenant_id, select(Membership.version).where(Membership.id == zhou))[0]
        assert client.submit(f"/app/settings/members/{zhou}/{action}", {"version": version}).status_code == 302
        assert api(app, token).get("/api/v1/clients").status_code == answer

    secret = token.split("_", 2)[2]
    assert api(app, f"atl_{other_studio.tenant_id.hex}_{secret}").get("/api/v1/clients").status_code == 401


def test_record_level_access_applies_to_tokens(app, client, new_client, studio):
    add_member(app, studio, "wang@aurora.test", "member")
    add_member(app, studio, "zhou@aurora.test", "admin")
    wang = new_client()
    wang.login("wang@aurora.test")
    assert wang.get("/app/settings/api-tokens").status_code == 403  # members do not manage tokens
    admin = new_client()
    admin.login("zhou@aurora.test")
    admin_api = api(app, make_token(admin, "admin"))
    member_api = api(app, make_token(admin, "member", "designer tool"))  # acts as the admin, with member rights
    wang_client = wang.submit("/app/clients/new", {"name": "Wang's client"}).headers["Location"]
    client_id = wang_client.rsplit("/", 1)[1]
    assert admin_api.get(f"/api/v1/clients/{client_id}").status_code == 200
    assert member_api.get(f"/api/v1/clients/{client_id}").status_code == 404
    assert member_api.get("/api/v1/clients").get_json()["data"] == []
    assert admin.submit("/app/settings/api-tokens", {"name": "too much", "role": "owner"}).status_code == 422


def test_another_studios_ids_are_404_through_the_api(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    ours = api(app, make_token(client))
    url = ours.post("/api/v1/clients", json={"name": "极光的客户"}).headers["Location"]
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    theirs = api(app, make_token(intruder))
    etag = ours.get(url).headers["ETag"]
    ours.patch(url, json={"tags": ["极光标签"]}, headers={"If-Match": etag})
    etag = ours.get(url).headers["ETag"]
    contact = ours.post(f"{url}/contacts", json={"name": "张伟"}).get_json()["id"]
    interaction = ours.post(f"{url}/interactions", json={"kind": "call", "summary": "极光"}).get_json()["id"]
    for method, path, payload in (
        ("get", f"{url}/contacts/{contact}", None),
        ("patch", f"{url}/contacts/{contact}", {"name": "hacked"}),
        ("delete", f"{url}/contacts/{contact}", None),
        ("get", f"{url}/interactions/{interaction}", None),
        ("patch", f"{url}/interactions/{interaction}", {"summary": "hacked"}),
        ("patch", "/api/v1/tags/极光标签", {"name": "hacked"}),
        ("delete", "/api/v1/tags/极光标签", None),
        ("get", url, None),
        ("patch", url, {"name": "hacked"}),
        ("delete", url, None),
        ("get", f"{url}/contacts", None),
        ("post", f"{url}/contacts", {"name": "x"}),
        ("get", f"{url}/interactions", None),
        ("post", f"{url}/interactions", {"kind": "call", "summary": "x"}),
    ):
        response = getattr(theirs, method)(path, json=payload, headers={"If-Match": etag})
        assert response.status_code == 404, (method, path)
        assert "极光" not in response.get_data(as_text=True)
    assert theirs.get("/api/v1/clients").get_json()["data"] == []
    assert theirs.get("/api/v1/tags").get_json()["data"] == []
    assert ours.get(url).get_json()["name"] == "极光的客户"
    assert ours.get(url).get_json()["tags"] == ["极光标签"]
    assert ours.get(f"{url}/contacts/{contact}").get_json()["name"] == "张伟"


def test_the_api_is_rate_limited_per_token(make_app, studio):
    app = make_app(API_RATE_LIMIT="3 per minute")
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    http = api(app, make_token(browser))
    statuses = [http.get("/api/v1/clients").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = http.get("/api/v1/clients")
    assert limited.get_json()["errors"] and limited.headers.get("Retry-After")


def test_the_limit_headers_count_down_and_the_window_resets_on_the_clock(make_app, studio):
    app = make_app(API_RATE_LIMIT="5 per minute")
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    http = api(app, make_token(browser))
    answers = [http.get("/api/v1/tags") for _ in range(3)]
    assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["5", "5", "5"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2"]
    reset = int(answers[-1].headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 61
    another = api(app, make_token(browser))  # each token has its own allowance
    assert another.get("/api/v1/tags").headers["X-RateLimit-Remaining"] == "4"
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200  # the document is not counted
    assert "X-RateLimit-Limit" not in app.test_client().get("/api/v1/openapi.json").headers


def test_an_unreachable_limit_store_counts_in_memory_and_still_limits(make_app, studio, caplog):
    # Nothing listens on port 1: the store refuses every connection, as a Redis that is down would.
    app = make_app(API_RATE_LIMIT="2 per minute", RATE_LIMIT_STORAGE_URL="redis://127.0.0.1:1/0")
    app.test_client_class = Browser
    browser = app.test_client()
    browser.login(studio.owner_email)
    http = api(app, make_token(browser))
    assert [http.get("/api/v1/tags").status_code for _ in range(3)] == [200, 200, 429]
    assert "counting in this process's memory" in caplog.text


def test_made_up_tokens_are_limited_before_any_lookup(make_app):
    app = make_app(API_RATE_LIMIT="2 per minute")
    forged = {"Authorization": "Bearer atl_not-a-real-token"}
    statuses = [app.test_client().get("/api/v1/clients", headers=forged).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_every_api_route_is_in_the_openapi_document_with_its_errors(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (re.sub(r"\{(\w+)\}", r"<\1>", f"/api/v1{path}"), method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/") and rule.endpoint not in ("api.openapi", "api.docs")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    patch = document["paths"]["/clients/{client_id}"]["patch"]["responses"]
    assert {"401", "404", "412", "422", "428", "429"} <= set(patch)
    assert document["components"]["schemas"]["ClientInput"]["additionalProperties"] is False
    assert app.test_client().get("/api/v1/docs").status_code == 200


def test_every_schema_the_openapi_document_refers_to_is_in_it(app):
    import json

    from saas.api.openapi import openapi_document

    with app.app_context():
        document = openapi_document()
    referred = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(document)))
    assert referred and referred <= set(document["components"]["schemas"])


def test_saas_token_create_prints_a_working_token(app, migrated, studio):
    import json
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "saas.cli", "token", "create", "--tenant", "aurora", "--role", "manager", "--json"],
        env={**os.environ, **migrated},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    token = json.loads(result.stdout.strip().splitlines()[-1])["token"]
    assert api(app, token).get("/api/v1/clients").status_code == 200
    bad = subprocess.run(
        [sys.executable, "-m", "saas.cli", "token", "create", "--tenant", "aurora", "--role", "emperor", "--json"],
        env={**os.environ, **migrated},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "role" in json.loads(bad.stderr.strip().splitlines()[-1])["errors"]


def test_members_and_shares_through_the_api(app, client, new_client, studio, other_studio):
    add_member(app, studio, "wang@aurora.test", "member", name="王磊")
    add_member(app, studio, "emma@aurora.test", "member", name="Emma")
    client.login(studio.owner_email)
    admin_api = api(app, make_token(client))
    team = admin_api.get("/api/v1/members").get_json()["data"]
    assert sorted((m["email"], m["role"]) for m in team) == [
        ("emma@aurora.test", "member"),
        ("lin@aurora.test", "owner"),
        ("wang@aurora.test", "member"),
    ]
    assert "wu@bamboo.test" not in str(team)
    emma_id = next(m["user_id"] for m in team if m["email"] == "emma@aurora.test")
    outsider = api(app, make_token(new_client_logged_in(new_client, other_studio.owner_email)))
    assert "lin@aurora.test" not in str(outsider.get("/api/v1/members").get_json())

    url = admin_api.post("/api/v1/clients", json={"name": "Shared Co"}).headers["Location"]
    assert admin_api.post(f"{url}/shares", json={"user_id": emma_id, "expires_on": "2000-01-01"}).status_code == 422
    assert admin_api.post(f"{url}/shares", json={"user_id": emma_id, "colour": "x"}).status_code == 422
    share = admin_api.post(f"{url}/shares", json={"user_id": emma_id, "expires_on": "2099-12-31"})
    assert share.status_code == 201 and share.get_json()["active"] is True
    emma = new_client()
    emma.login("emma@aurora.test")
    client_id = url.rsplit("/", 1)[1]
    assert emma.get(f"/app/clients/{client_id}").status_code == 200
    assert outsider.get(f"{url}/shares").status_code == 404
    assert admin_api.delete(f"{url}/shares/{share.get_json()['id']}").status_code == 204
    assert emma.get(f"/app/clients/{client_id}").status_code == 404
    assert admin_api.get(f"{url}/shares").get_json()["data"] == []


def new_client_logged_in(new_client, email: str):
    browser = new_client()
    browser.login(email)
    return browser


def test_a_long_chinese_name_still_pages_through_the_client_list(app, client, studio, monkeypatch):
    """A client list page's next_cursor carries the last client's sort key: for a long Chinese name (200 characters
    of 庄, zhuang1 each) that is the key's whole column, 400 characters — the API takes its own cursor back."""
    import saas.clients.queries as client_queries

    client.login(studio.owner_email)
    http = api(app, make_token(client))
    names = ["庄" * 200, "壮" * 200]
    for name in names:
        assert http.post("/api/v1/clients", json={"name": name}).status_code == 201
    monkeypatch.setattr(client_queries, "PAGE_SIZE", 1)
    first = http.get("/api/v1/clients", query_string={"sort": "name"}).get_json()
    assert len(first["next_cursor"]) > 400
    second = http.get("/api/v1/clients", query_string={"sort": "name", "cursor": first["next_cursor"]})
    assert second.status_code == 200, second.get_json()
    assert [c["name"] for c in first["data"] + second.get_json()["data"]] == names
