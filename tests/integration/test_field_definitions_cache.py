"""A process keeps each studio's custom-field definitions and reloads them when the studio's fields_version moves
(bumped in the same transaction as any change): a record read asks no question about definitions, a change made
by another process is seen on the next request, and a change that rolls back never reaches another request."""

from __future__ import annotations

from sqlalchemy import select, update

from saas.extensions import db
from saas.fields import services as field_services
from saas.fields import values
from saas.fields.models import FieldDefinition
from saas.isolation import set_tenant
from saas.tenants.models import Membership, Tenant
from tests.factories import api, make_token
from tests.integration.test_custom_fields import define
from tests.integration.test_statement_counts import counting


def labels(http) -> list[str]:
    found = http.get("/api/v1/custom-fields", query_string={"entity": "client"}).get_json()["data"]
    return [d["label_en"] for d in found]


def test_a_record_read_asks_nothing_about_definitions(app, client, studio):
    client.login(studio.owner_email)
    define(client, "budget", "number")
    http = api(app, make_token(client))
    made = http.post("/api/v1/clients", json={"name": "甲", "custom_fields": {"budget": 12}}).get_json()
    http.get(f"/api/v1/clients/{made['id']}")  # this process now holds the studio's definitions
    with counting(app) as seen:
        answer = http.get(f"/api/v1/clients/{made['id']}")
    assert answer.get_json()["custom_fields"] == {"budget": 12}
    assert not [s for s in seen if "field_definitions" in s], seen
    assert len(seen) <= 3, seen  # set_config, the token with its studio, the client


def test_a_change_by_another_process_is_seen_once_its_version_moves(app, client, studio):
    client.login(studio.owner_email)
    define(client, "budget", "number")
    http = api(app, make_token(client))
    assert labels(http) == ["Budget"]
    with app.app_context():  # another process: the row changes and the studio's version moves, in one transaction
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(update(FieldDefinition).values(label_en="Budget (CNY)"))
        db.session.execute(
            update(Tenant).where(Tenant.id == studio.tenant_id).values(fields_version=Tenant.fields_version + 1)
        )
        db.session.commit()
    assert labels(http) == ["Budget (CNY)"]


def test_changes_through_the_app_are_seen_at_once(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    assert labels(http) == []
    define(client, "budget", "number")
    assert labels(http) == ["Budget"]
    define(client, "style", "text")
    assert labels(http) == ["Budget", "Style"]


def test_a_change_that_rolls_back_never_reaches_another_request(app, client, studio):
    client.login(studio.owner_email)
    define(client, "budget", "number")
    http = api(app, make_token(client))
    assert labels(http) == ["Budget"]
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        owner = db.session.scalar(select(Membership).where(Membership.role == "owner"))
        field_services.create_definition(owner, "client", {"label_en": "Draft", "label_zh": "草稿", "type": "text"})
        # Inside the transaction the new field is there, read from the database, not kept for others...
        assert [d.label_en for d in values.definitions("client")] == ["Budget", "Draft"]
        db.session.rollback()
    # ...and after the rollback nobody sees it, nor a version it never committed.
    assert labels(http) == ["Budget"]
    define(client, "style", "text")
    assert labels(http) == ["Budget", "Style"]


def test_each_studio_reads_its_own_definitions(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    define(client, "budget", "number")
    ours = api(app, make_token(client))
    owner_b = new_client()
    owner_b.login(other_studio.owner_email)
    define(owner_b, "mood", "text")
    theirs = api(app, make_token(owner_b))
    for _ in range(2):
        assert labels(ours) == ["Budget"]
        assert labels(theirs) == ["Mood"]
