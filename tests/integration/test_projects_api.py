"""/api/v1 for the pipeline: stages, projects with If-Match, moves through PATCH recorded like drags, tasks,
strict validation, and the token's role and record-level access."""

from __future__ import annotations

from sqlalchemy import select

from saas.projects.models import Project
from tests.conftest import add_member, query
from tests.factories import api, make_token


def _setup(app, client, studio):
    client.login(studio.owner_email)
    http = api(app, make_token(client))
    client_url = http.post("/api/v1/clients", json={"name": "Deer Coffee"}).headers["Location"]
    stages = {s["key"]: s for s in http.get("/api/v1/stages").get_json()["data"]}
    return http, client_url.rsplit("/", 1)[1], stages


def test_projects_are_created_read_moved_and_archived_through_the_api(app, client, studio):
    http, client_id, stages = _setup(app, client, studio)
    assert list(stages) == ["inquiry", "quote", "design", "feedback", "revision", "delivery", "final", "won", "lost"]
    created = http.post(
        "/api/v1/projects",
        json={"client_id": client_id, "name": "Campus store", "value_minor": 12_000_050, "brief": {"goals": "年轻化"}},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["stage_id"], body["value_minor"], body["brief"]) == (
        stages["inquiry"]["id"],
        12_000_050,
        {"goals": "年轻化"},
    )
    url = created.headers["Location"]
    etag = created.headers["ETag"]

    moved = http.patch(url, json={"stage_id": stages["design"]["id"]}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved.get_json()["stage_id"] == stages["design"]["id"]
    assert http.patch(url, json={"name": "x"}, headers={"If-Match": etag}).status_code == 412
    assert http.patch(url, json={"name": "x"}).status_code == 428
    history = http.get(f"{url}/stage-changes").get_json()["data"]
    assert [h["to_stage_id"] for h in history] == [stages["design"]["id"], stages["inquiry"]["id"]]

    listed = http.get("/api/v1/projects", query_string={"stage": stages["design"]["id"]}).get_json()
    assert [p["name"] for p in listed["data"]] == ["Campus store"]
    assert http.delete(url).status_code == 204
    assert http.get("/api/v1/projects").get_json()["data"] == []
    assert http.get("/api/v1/projects", query_string={"archived": "1"}).get_json()["data"][0]["archived"] is True


def test_project_input_is_validated_and_nothing_is_written(app, client, studio):
    http, client_id, _stages = _setup(app, client, studio)
    for payload, field in (
        ({"client_id": client_id}, "name"),
        ({"client_id": client_id, "name": "X", "value_minor": 12.5}, "value_minor"),
        ({"client_id": client_id, "name": "X", "value_minor": -1}, "value_minor"),
        ({"client_id": client_id, "name": "X", "probability": 101}, "probability"),
        ({"client_id": client_id, "name": "X", "colour": "red"}, "colour"),
        ({"client_id": "00000000-0000-0000-0000-000000000000", "name": "X"}, "client_id"),
        ({"client_id": client_id, "name": "X", "brief": {"mood": "calm"}}, "brief.mood"),
    ):
        response = http.post("/api/v1/projects", json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"], (payload, response.get_json())
    assert query(app, studio.tenant_id, select(Project)) == []


def test_tasks_through_the_api(app, client, studio):
    http, client_id, _stages = _setup(app, client, studio)
    url = http.post("/api/v1/projects", json={"client_id": client_id, "name": "Menu"}).headers["Location"]
    task = http.post(f"{url}/tasks", json={"title": "Draft A", "due_on": "2030-01-01", "checklist": [{"text": "Logo"}]})
    assert task.status_code == 201 and task.get_json()["checklist"] == [{"text": "Logo", "done": False}]
    on_client = http.post("/api/v1/tasks", json={"title": "Call", "client_id": client_id})
    assert on_client.status_code == 201 and on_client.get_json()["project_id"] is None
    assert [t["title"] for t in http.get("/api/v1/tasks").get_json()["data"]] == ["Draft A", "Call"]
    task_url = task.headers["Location"]
    done = http.patch(task_url, json={"status": "done"}, headers={"If-Match": task.headers["ETag"]})
    assert done.status_code == 200 and done.get_json()["done_at"] is not None
    assert http.patch(task_url, json={"status": "later"}, headers={"If-Match": done.headers["ETag"]}).status_code == 422
    assert [t["title"] for t in http.get("/api/v1/tasks").get_json()["data"]] == ["Call"]
    assert http.post("/api/v1/tasks", json={"title": "Orphan"}).status_code == 422
    extra = http.post(f"{url}/tasks", json={"title": "X", "checklist": [{"text": "a", "colour": "red"}]})
    assert extra.status_code == 422 and "checklist.0.colour" in extra.get_json()["errors"]


def test_a_member_token_sees_only_projects_of_its_clients_and_finance_does_not_edit(app, client, studio):
    http, _client_id, stages = _setup(app, client, studio)
    add_member(app, studio, "wang@aurora.test", "member")
    wang_id = next(
        m["user_id"] for m in http.get("/api/v1/members").get_json()["data"] if m["email"].startswith("wang")
    )
    wangs_client = http.post("/api/v1/clients", json={"name": "Wang's client", "owner_id": wang_id}).get_json()["id"]
    project = {"client_id": wangs_client, "name": "Hidden", "owner_id": wang_id}
    url = http.post("/api/v1/projects", json=project).headers["Location"]
    # A member-role token acts as its creator (the owner here) with member rights: Wang's client is not theirs.
    member_api = api(app, make_token(client, "member", "designer tool"))
    assert member_api.get(url).status_code == 404 and member_api.get("/api/v1/projects").get_json()["data"] == []
    refused = member_api.post("/api/v1/projects", json={"client_id": wangs_client, "name": "X"})
    assert refused.status_code == 422 and "client_id" in refused.get_json()["errors"]
    finance_api = api(app, make_token(client, "finance", "books"))
    assert finance_api.get(url).status_code == 200
    etag = finance_api.get(url).headers["ETag"]
    refused = finance_api.patch(url, json={"stage_id": stages["won"]["id"]}, headers={"If-Match": etag})
    assert refused.status_code == 403
