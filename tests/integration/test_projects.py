"""The project pipeline through the staff UI: the seeded stages and their settings, projects with a brief,
the Kanban board and its moves (form and JSON), stage history, tasks and My tasks, and the client page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from saas.projects.models import PipelineStage, Project, StageChange, Task
from tests.conftest import add_member, query
from tests.factories import create, new_project, stages


def test_every_studio_starts_with_the_seven_stages_and_the_outcomes(app, studio, other_studio):
    names = [s.name for s in sorted(stages(app, studio).values(), key=lambda s: s.position)]
    assert names == [
        "Inquiry",
        "Quote & contract",
        "Design",
        "Feedback",
        "Revision",
        "Delivery & acceptance",
        "Final payment & review",
        "Won",
        "Lost",
    ]  # the test studios sign up in English; a Chinese studio gets 需求沟通 ... 尾款结算与复盘
    assert len(stages(app, other_studio)) == 9


def test_a_project_with_a_brief_moves_across_the_board_and_keeps_its_history(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    url = new_project(
        client,
        client_url,
        brief_goals="让品牌更年轻",
        brief_style="极简，留白",
        due_on="2020-01-31",
        probability="60",
    )
    project = query(app, studio.tenant_id, select(Project))[0]
    assert project.value_minor == 8000050 and project.brief == {"goals": "让品牌更年轻", "style": "极简，留白"}
    page = client.get(url).get_data(as_text=True)
    assert "让品牌更年轻" in page and "¥80,000.50" in page
    assert "Late since 2020-01-31" in page

    board = client.get("/app/projects").get_data(as_text=True)
    assert "Brand refresh" in board and "上海某某设计有限公司" in board
    s = stages(app, studio)
    moved = client.submit(f"{url}/move", {"stage_id": str(s["quote"].id), "version": "1", "next": "/app/projects"})
    assert moved.status_code == 302 and moved.headers["Location"] == "/app/projects"
    # Drag and drop posts the same form asking for JSON.
    dropped = client.post(
        f"{url}/move",
        data={"stage_id": str(s["design"].id), "version": "2", "csrf_token": client.csrf_token()},
        headers={"Accept": "application/json"},
    )
    assert dropped.status_code == 200 and dropped.get_json()["version"] == 3
    stale = client.post(
        f"{url}/move",
        data={"stage_id": str(s["inquiry"].id), "version": "2", "csrf_token": client.csrf_token()},
        headers={"Accept": "application/json"},
    )
    assert stale.status_code == 409
    changes = query(app, studio.tenant_id, select(StageChange).order_by(StageChange.created_at))
    assert [(c.from_stage_id, c.to_stage_id) for c in changes] == [
        (None, s["inquiry"].id),
        (s["inquiry"].id, s["quote"].id),
        (s["quote"].id, s["design"].id),
    ]
    assert all(c.actor_id is not None and c.seconds_in_from is not None for c in changes[1:])
    timeline = client.get(client_url, query_string={"only": "changes"}).get_data(as_text=True)
    assert "Project moved" in timeline and "Design" in timeline


def test_the_board_counts_and_sums_in_sql_and_filters(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    for n in range(3):
        new_project(client, client_url, name=f"P{n}", value="1000", type="Interior" if n else "Brand identity")
    board = client.get("/app/projects").get_data(as_text=True)
    inquiry = board[board.index("Inquiry") :]
    assert re.search(r"<span data-count>3</span> · (CN)?¥3,000.00", inquiry)
    filtered = client.get("/app/projects", query_string={"type": "Interior"}).get_data(as_text=True)
    assert "P1" in filtered and "P2" in filtered and ">P0<" not in filtered
    listed = client.get("/app/projects/list", query_string={"type": "Brand identity"}).get_data(as_text=True)
    assert ">P0<" in listed and ">P1<" not in listed


def test_bad_project_input_is_refused_and_writes_nothing(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    client_id = client_url.rsplit("/", 1)[1]
    for data, message in (
        ({"name": ""}, "required"),
        ({"value": "12.345"}, "amount like"),
        ({"value": "-5"}, "zero or more"),
        ({"probability": "140"}, "0 to 100"),
        ({"start_on": "2026-12-10", "due_on": "2026-12-01"}, "after the start"),
        ({"stage_id": "00000000-0000-0000-0000-000000000000"}, "stage of this studio"),
    ):
        response = client.submit("/app/projects/new", {"client_id": client_id, "name": "X", **data})
        assert response.status_code == 422 and message in response.get_data(as_text=True), data
    assert query(app, studio.tenant_id, select(Project)) == []


def test_pipeline_settings_rename_reorder_add_and_remove_only_empty_stages(app, client, studio):
    client.login(studio.owner_email)
    s = stages(app, studio)
    assert client.submit(f"/app/settings/pipeline/{s['feedback'].id}/rename", {"name": "客户反馈"}).status_code == 302
    assert client.submit(f"/app/settings/pipeline/{s['design'].id}/left", {}).status_code == 302
    assert client.submit("/app/settings/pipeline", {"name": "Photo shoot"}).status_code == 302
    after = sorted(
        (x for x in query(app, studio.tenant_id, select(PipelineStage)) if x.kind == "open"), key=lambda x: x.position
    )
    assert [x.name for x in after][:4] == ["Inquiry", "Design", "Quote & contract", "客户反馈"]
    assert after[-1].name == "Photo shoot"

    new_project(client, create(client), stage_id=str(s["revision"].id))
    refused = client.submit(f"/app/settings/pipeline/{s['revision'].id}/remove", {})
    assert refused.status_code == 422 and "1 projects are in Revision" in refused.get_data(as_text=True)
    assert client.submit(f"/app/settings/pipeline/{s['won'].id}/remove", {}).status_code == 422
    assert client.submit(f"/app/settings/pipeline/{s['delivery'].id}/remove", {}).status_code == 302
    assert "delivery" not in stages(app, studio)
    assert client.submit("/app/settings/pipeline", {"name": " "}).status_code == 422


def test_only_admins_change_the_pipeline(app, new_client, studio):
    add_member(app, studio, "chen@aurora.test", "manager")
    chen = new_client()
    chen.login("chen@aurora.test")
    assert chen.get("/app/settings/pipeline").status_code == 403
    s = stages(app, studio)
    assert chen.submit(f"/app/settings/pipeline/{s['design'].id}/rename", {"name": "x"}).status_code == 403


def test_tasks_with_checklists_and_my_tasks(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    url = new_project(client, client_url)
    today = date.today()
    for title, due in (("Overdue thing", today - timedelta(days=2)), ("Later thing", today + timedelta(days=5))):
        added = client.submit(f"{url}/tasks", {"title": title, "due_on": due.isoformat(), "checklist": "Logo\nColours"})
        assert added.status_code == 302
    assert client.submit(f"{client_url}/tasks", {"title": "Send the portfolio"}).status_code == 302
    mine = client.get("/app/tasks").get_data(as_text=True)
    overdue = mine[mine.index("Overdue") : mine.index("Upcoming")]
    assert "Overdue thing" in overdue and "Later thing" not in overdue and "Send the portfolio" in mine

    task = next(t for t in query(app, studio.tenant_id, select(Task)) if t.title == "Overdue thing")
    assert client.submit(f"/app/tasks/{task.id}/checklist/0", {}).status_code == 302
    edited = client.submit(
        f"/app/tasks/{task.id}/edit",
        {"title": "Overdue thing", "checklist": "Logo\nColours\nFonts", "version": "2", "status": "open"},
    )
    assert edited.status_code == 302
    task = next(t for t in query(app, studio.tenant_id, select(Task)) if t.title == "Overdue thing")
    assert task.checklist == [
        {"text": "Logo", "done": True},
        {"text": "Colours", "done": False},
        {"text": "Fonts", "done": False},
    ]
    assert client.submit(f"/app/tasks/{task.id}/edit", {"title": "x", "version": "1"}).status_code == 409
    assert client.submit(f"/app/tasks/{task.id}/done", {}).status_code == 302
    assert "Overdue thing" not in client.get("/app/tasks").get_data(as_text=True)
    assert client.submit(f"{url}/tasks", {"title": ""}).status_code == 422


def test_the_client_page_shows_its_projects_and_tasks(app, client, studio):
    client.login(studio.owner_email)
    client_url = create(client)
    new_project(client, client_url, name="Flagship store")
    client.submit(f"{client_url}/tasks", {"title": "Call about the site survey"})
    page = client.get(client_url).get_data(as_text=True)
    assert "Flagship store" in page and "Call about the site survey" in page and "Inquiry" in page


def test_members_see_projects_of_their_clients_and_of_their_teams(app, client, new_client, studio):
    client.login(studio.owner_email)
    wang_id = add_member(app, studio, "wang@aurora.test", "member")
    add_member(app, studio, "emma@aurora.test", "member")
    from saas.tenants.models import Membership

    wang_user = query(app, studio.tenant_id, select(Membership).where(Membership.id == wang_id))[0].user_id
    owner_client = create(client, {"name": "Owner's client"})
    hidden = new_project(client, owner_client, name="Secret project")
    shared = new_project(client, owner_client, name="Team project", team=str(wang_user))
    wang = new_client()
    wang.login("wang@aurora.test")
    assert wang.get(hidden).status_code == 404 and wang.get(shared).status_code == 200
    board = wang.get("/app/projects").get_data(as_text=True)
    assert "Team project" in board and "Secret project" not in board
    emma = new_client()
    emma.login("emma@aurora.test")
    assert emma.get(shared).status_code == 404
    assert "Team project" not in emma.get("/app/projects/list").get_data(as_text=True)
    # A member may not move a project they cannot see; finance sees all but does not move.
    s = stages(app, studio)
    assert emma.submit(f"{shared}/move", {"stage_id": str(s["design"].id)}).status_code == 404
    add_member(app, studio, "li@aurora.test", "finance")
    li = new_client()
    li.login("li@aurora.test")
    assert li.get(hidden).status_code == 200
    assert li.submit(f"{hidden}/move", {"stage_id": str(s["design"].id)}).status_code == 403
