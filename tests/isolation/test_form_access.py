"""Forms across studios: another studio's forms, questions and submissions are 404 in the staff pages and the
API; a public form of studio A never writes into studio B, whatever ids of B its hidden fields carry."""

from __future__ import annotations

from sqlalchemy import select

from saas.clients.models import Client, Contact, Interaction
from saas.forms.models import Form, FormRequest, Question, Submission
from saas.projects.models import Project
from tests.conftest import query
from tests.integration.forms_helpers import answers, build, send, the_form
from tests.integration.test_api import api, make_token
from tests.integration.test_clients import create
from tests.integration.test_projects import new_project

LEAD = {"contact.name": "王芳", "contact.phone": "138-0013-8000", "client.name": "鹿鸣咖啡"}


def _rows(app, studio):
    return [
        sorted(str(r.id) for r in query(app, studio.tenant_id, select(model)))
        for model in (Form, Question, Submission, FormRequest, Client, Contact, Interaction, Project)
    ]


def test_another_studios_forms_and_submissions_are_404_in_pages_and_api(app, client, new_client, studio, other_studio):
    client.login(studio.owner_email)
    url = build(client, "intake")
    form = the_form(app, studio.tenant_id, "new-client")
    assert send(new_client(), "aurora", "new-client", answers(app, studio.tenant_id, form, LEAD)).status_code == 303
    [submission] = query(app, studio.tenant_id, select(Submission))
    question = query(app, studio.tenant_id, select(Question))[0]
    before = _rows(app, studio)

    intruder = new_client()
    intruder.login(other_studio.owner_email)
    for method, path, data in (
        ("get", url, None),
        ("post", url, {"slug": "x", "title_en": "hacked", "version": 1}),
        ("post", f"{url}/questions", {"type": "text", "label_en": "x"}),
        ("post", f"{url}/questions/{question.id}", {"action": "remove"}),
        ("post", f"{url}/published", {}),
        ("post", f"{url}/closed", {}),
        ("get", f"{url}/submissions", None),
        ("get", f"{url}/submissions/{submission.id}", None),
    ):
        response = intruder.get(path) if method == "get" else intruder.submit(path, data)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "王芳" not in response.get_data(as_text=True)
    assert intruder.post(f"{url}/order", json={"order": []}).status_code in (400, 404)
    assert str(form.id) not in intruder.get("/app/forms").get_data(as_text=True)
    for path in (
        "/app/forms/submissions",
        "/app/forms/submissions?score=nps",
        f"/app/forms/submissions?owner={form.id}",
    ):
        every_form = intruder.get(path).get_data(as_text=True)  # every form's submissions: theirs alone
        assert "王芳" not in every_form and str(submission.id) not in every_form, path
    # Their own form's page cannot reach our submission either.
    build(intruder, "intake")
    theirs_form = the_form(app, other_studio.tenant_id, "new-client")
    nested = intruder.get(f"/app/forms/{theirs_form.id}/submissions/{submission.id}")
    assert nested.status_code == 404

    theirs = api(app, make_token(intruder))
    for path in (f"/api/v1/forms/{form.id}", f"/api/v1/forms/{form.id}/submissions"):
        assert theirs.get(path).status_code == 404, path
    assert [f["id"] for f in theirs.get("/api/v1/forms").get_json()["data"]] == [str(theirs_form.id)]
    ours = api(app, make_token(client))
    listed = ours.get(f"/api/v1/forms/{form.id}/submissions").get_json()
    assert [s["id"] for s in listed["data"]] == [str(submission.id)] and listed["data"][0]["outcome"] == "created_lead"
    assert len(ours.get(f"/api/v1/forms/{form.id}").get_json()["questions"]) == len(form.questions)
    assert _rows(app, studio) == before


def test_a_public_form_of_studio_a_never_writes_into_studio_b(app, client, new_client, studio, other_studio):
    """B has a project with a pending requirements request; a visitor posts A's form with B's request id."""
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    build(intruder, "requirements")
    client_url = create(intruder, {"name": "Bamboo client"})
    new_project(intruder, client_url, name="Bamboo project")
    [b_project] = query(app, other_studio.tenant_id, select(Project))
    b_form = the_form(app, other_studio.tenant_id, "requirements")
    with app.app_context():
        from saas.extensions import db
        from saas.isolation import set_tenant

        set_tenant(db.session(), other_studio.tenant_id)
        db.session.add(FormRequest(form_id=b_form.id, project_id=b_project.id, client_id=b_project.client_id))
        db.session.commit()
    [b_request] = query(app, other_studio.tenant_id, select(FormRequest))
    before_b = _rows(app, other_studio)

    client.login(studio.owner_email)
    build(client, "requirements")
    a_form = the_form(app, studio.tenant_id, "requirements")
    data = answers(app, studio.tenant_id, a_form, {"brief.background": "A's words", "brief.audience": "x"})
    data = {**data, "r": str(b_request.id)}
    assert send(new_client(), "aurora", "requirements", data).status_code == 303
    assert _rows(app, other_studio) == before_b
    assert query(app, other_studio.tenant_id, select(Project))[0].brief == {}
    [a_submission] = query(app, studio.tenant_id, select(Submission))
    assert a_submission.project_id is None and a_submission.request_id is None and a_submission.outcome == "kept"
    # B's form under A's slug is 404, and B's questions' ids are ignored on A's form.
    assert new_client().get("/f/aurora/requirements-b").status_code == 404
    b_question = query(app, other_studio.tenant_id, select(Question))[0]
    foreign = {**answers(app, studio.tenant_id, a_form, {"brief.background": "y", "brief.audience": "y"}),
               f"q_{b_question.id}": "into B?"}  # fmt: skip
    assert send(new_client(), "aurora", "requirements", foreign).status_code == 303
    assert _rows(app, other_studio) == before_b
