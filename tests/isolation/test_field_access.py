"""Another studio's custom fields: every page and API operation naming one of studio A's field definitions, tried
by studio B, answers 404 and changes nothing; A's keys are unknown in B's payloads; B's filters never reach A's
values; and below the ORM, RLS shows B none of A's definitions or values."""

from __future__ import annotations

from sqlalchemy import select, text

from saas.extensions import db
from saas.fields.models import FieldDefinition, FieldValue
from saas.isolation import set_tenant
from tests.conftest import query
from tests.integration.test_api import api, make_token


def _definitions(app, studio):
    return sorted(
        (d.id, d.label_en, d.position, d.archived_at, d.version)
        for d in query(app, studio.tenant_id, select(FieldDefinition))
    )


def test_another_studios_field_ids_are_404_everywhere(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    made = client.submit(
        "/app/settings/fields/new?entity=client", {"key": "area", "label_en": "Area", "type": "number"}
    )
    assert made.status_code == 302
    owner_api = api(app, make_token(client))
    assert owner_api.post("/api/v1/clients", json={"name": "A", "custom_fields": {"area": 120}}).status_code == 201
    area = query(app, studio.tenant_id, select(FieldDefinition))[0]
    before = _definitions(app, studio)

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    assert intruder.get(f"/app/settings/fields/{area.id}/edit").status_code == 404
    for path, data in [
        (f"/app/settings/fields/{area.id}/edit", {"label_en": "Mine", "type": "number", "version": "1"}),
        (f"/app/settings/fields/{area.id}/move", {"direction": "down"}),
        (f"/app/settings/fields/{area.id}/archive", {}),
        (f"/app/settings/fields/{area.id}/restore", {}),
        ("/app/settings/fields/not-a-uuid/archive", {}),
    ]:
        response = intruder.submit(path, data)
        assert response.status_code == 404, path
        assert "Area" not in response.get_data(as_text=True)
    assert "Area" not in intruder.get("/app/settings/fields").get_data(as_text=True)
    their_api = api(app, make_token(intruder))
    assert their_api.get(f"/api/v1/custom-fields/{area.id}").status_code == 404
    assert their_api.get("/api/v1/custom-fields").get_json()["data"] == []
    refused = their_api.post("/api/v1/clients", json={"name": "B", "custom_fields": {"area": 1}})
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["custom_fields.area"]
    assert their_api.get("/api/v1/clients", query_string={"cf.area.min": "0"}).get_json()["data"] == []
    assert _definitions(app, studio) == before

    # Below the ORM: studio B's transaction sees none of A's rows, even by a query that names no studio.
    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        if db.engine.dialect.name == "postgresql":
            assert db.session.execute(text("SELECT count(*) FROM field_definitions")).scalar() == 0
            assert db.session.execute(text("SELECT count(*) FROM field_values")).scalar() == 0
        assert db.session.scalars(select(FieldValue)).all() == []
        db.session.rollback()
