"""Another studio's projects, stages and tasks: 404 on every route of the staff UI and of the API, nothing of
them on any page, and nothing changed."""

from __future__ import annotations

from sqlalchemy import select

from saas.projects.models import PipelineStage, Project, Task
from tests.conftest import query
from tests.factories import api, create, make_token, new_project


def test_another_studios_project_ids_are_404_in_the_ui_and_the_api(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    client_url = create(client, {"name": "极光的客户"})
    url = new_project(client, client_url, name="极光项目")
    client.submit(f"{url}/tasks", {"title": "极光任务", "checklist": "一"})
    project = query(app, studio.tenant_id, select(Project))[0]
    task = query(app, studio.tenant_id, select(Task))[0]
    our_stage = next(s for s in query(app, studio.tenant_id, select(PipelineStage)) if s.key == "design")
    before = (project.version, task.version, project.stage_id)

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    their_stage = next(s for s in query(app, other_studio.tenant_id, select(PipelineStage)) if s.key == "design")
    client_id = client_url.rsplit("/", 1)[1]
    for method, path, data in (
        ("get", url, None),
        ("get", f"{url}/edit", None),
        ("post", f"{url}/edit", {"name": "hacked", "client_id": client_id, "version": "1"}),
        ("post", f"{url}/move", {"stage_id": str(their_stage.id)}),
        ("post", f"{url}/archive", {}),
        ("post", f"{url}/tasks", {"title": "x"}),
        ("get", f"/app/tasks/{task.id}/edit", None),
        ("post", f"/app/tasks/{task.id}/edit", {"title": "hacked", "version": "1"}),
        ("post", f"/app/tasks/{task.id}/done", {}),
        ("post", f"/app/tasks/{task.id}/checklist/0", {}),
        ("get", f"/app/projects/new?client={client_id}", None),
        ("post", f"{client_url}/tasks", {"title": "x"}),
        ("post", f"/app/settings/pipeline/{our_stage.id}/rename", {"name": "hacked"}),
        ("post", f"/app/settings/pipeline/{our_stage.id}/remove", {}),
    ):
        response = intruder.get(path) if method == "get" else intruder.submit(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "极光" not in response.get_data(as_text=True), path
    # A project of ours cannot be created under their studio either.
    refused = intruder.submit("/app/projects/new", {"client_id": client_id, "name": "x"})
    assert refused.status_code == 404
    for path in ("/app/projects", "/app/projects/list", "/app/tasks", "/app/settings/pipeline"):
        assert "极光" not in intruder.get(path).get_data(as_text=True), path

    theirs = api(app, make_token(intruder))
    api_url = f"/api/v1/projects/{project.id}"
    for method, path, payload in (
        ("get", api_url, None),
        ("patch", api_url, {"name": "hacked"}),
        ("delete", api_url, None),
        ("get", f"{api_url}/stage-changes", None),
        ("get", f"{api_url}/tasks", None),
        ("post", f"{api_url}/tasks", {"title": "x"}),
        ("get", f"/api/v1/tasks/{task.id}", None),
        ("patch", f"/api/v1/tasks/{task.id}", {"title": "hacked"}),
    ):
        response = getattr(theirs, method)(path, json=payload, headers={"If-Match": 'W/"1"'})
        assert response.status_code == 404, (method, path)
        assert "极光" not in response.get_data(as_text=True)
    assert theirs.post("/api/v1/projects", json={"client_id": client_id, "name": "x"}).status_code == 422
    assert theirs.post("/api/v1/tasks", json={"client_id": client_id, "title": "x"}).status_code == 422
    listed = theirs.get("/api/v1/projects").get_json()["data"] + theirs.get("/api/v1/tasks").get_json()["data"]
    assert listed == []
    assert str(our_stage.id) not in theirs.get("/api/v1/stages").get_data(as_text=True)

    project = query(app, studio.tenant_id, select(Project))[0]
    task = query(app, studio.tenant_id, select(Task))[0]
    assert (project.version, task.version, project.stage_id) == before
    assert project.name == "极光项目" and task.title == "极光任务"
