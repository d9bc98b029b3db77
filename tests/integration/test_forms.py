"""Public forms (issue 16): the intake form creates a lead, then a second submission with the same phone typed
differently adds a follow-up instead of a duplicate; the requirements form fills a project's brief from the
link e-mailed to the client's portal contacts and from the portal; an NPS submission is recorded; bad values
are refused per question and write nothing; robots (honeypot, too fast) and bursts (429) are refused;
draft and closed forms are 404; only these pages may be framed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from saas.clients.models import Client, Contact, Interaction
from saas.events import _listeners, listen
from saas.forms.models import FormRequest, Submission
from saas.projects.models import Project
from tests.conftest import body_text, link_in, query
from tests.integration.forms_helpers import answers, build, send, started_in_page, the_form
from tests.integration.test_clients import create
from tests.integration.test_projects import new_project

pytestmark = pytest.mark.postgres

LEAD = {
    "contact.name": "王芳",
    "contact.phone": "138-0013-8000",
    "contact.email": "wf@deer.test",
    "client.name": "鹿鸣咖啡",
}


def _intake(app, client, studio):
    client.login(studio.owner_email)
    build(client, "intake")
    return the_form(app, studio.tenant_id, "new-client")


def test_the_intake_form_creates_a_lead_then_a_known_phone_adds_a_follow_up(
    app, client, new_client, studio, outbox, request
):
    form = _intake(app, client, studio)
    seen: list[dict] = []
    listener = listen("form.submitted")(lambda _n, payload: seen.append(payload))
    request.addfinalizer(lambda: _listeners["form.submitted"].remove(listener))
    visitor = new_client()
    page = visitor.get("/f/aurora/new-client")
    assert page.status_code == 200 and "新客户信息登记表" not in page.get_data(as_text=True)  # English browser
    assert "Tell us about your project" in page.get_data(as_text=True)

    first = send(visitor, "aurora", "new-client", answers(app, studio.tenant_id, form, LEAD))
    assert first.status_code == 303 and first.headers["Location"].startswith("/f/aurora/new-client/thanks")
    assert "Thank you" in visitor.get(first.headers["Location"]).get_data(as_text=True)
    [lead] = query(app, studio.tenant_id, select(Client))
    assert (lead.name, lead.status, lead.source, lead.kind) == ("鹿鸣咖啡", "potential", "form", "company")
    [contact] = query(app, studio.tenant_id, select(Contact))
    assert (contact.name, contact.phone, contact.email) == ("王芳", "138-0013-8000", "wf@deer.test")
    confirmation = outbox.last("wf@deer.test")
    assert "We received your answers" in confirmation["Subject"] and "138-0013-8000" in body_text(confirmation)
    assert seen[-1]["kind"] == "intake" and seen[-1]["outcome"] == "created_lead"
    assert seen[-1]["client_id"] == str(lead.id) and seen[-1]["contact_id"] == str(contact.id)

    again = {**LEAD, "contact.phone": "13800138000", "contact.email": "", "contact.name": "王芳 (again)"}
    assert send(visitor, "aurora", "new-client", answers(app, studio.tenant_id, form, again)).status_code == 303
    assert len(query(app, studio.tenant_id, select(Client))) == 1  # no duplicate
    [follow_up] = query(app, studio.tenant_id, select(Interaction))
    assert follow_up.client_id == lead.id and "王芳 (again)" in follow_up.summary
    subs = sorted(query(app, studio.tenant_id, select(Submission)), key=lambda s: s.submitted_at)
    assert [s.outcome for s in subs] == ["created_lead", "follow_up"]
    assert all(s.client_id == lead.id for s in subs) and all(len(s.ip_hash) == 64 for s in subs)

    bell = client.get("/app/notifications").get_data(as_text=True)
    assert "New answers to “Tell us about your project”" in bell and "Created a lead" in bell
    listing = client.get(f"/app/forms/{form.id}/submissions").get_data(as_text=True)
    assert "Follow-up added to an existing client" in listing and "Created a lead" in listing
    assert listing.index("Follow-up added") < listing.index("Created a lead")  # newest first
    assert f"/app/clients/{lead.id}" in listing
    assert client.get(f"/app/forms/{form.id}/submissions/{subs[0].id}").status_code == 200


def test_the_forms_channel_is_the_new_leads_source(app, client, new_client, studio):
    form = _intake(app, client, studio)
    builder = f"/app/forms/{form.id}"
    settings = {"slug": "new-client", "title_en": "Hello", "title_zh": "", "channel": "小红书", "version": form.version}
    assert client.submit(builder, settings).status_code == 302
    data = answers(app, studio.tenant_id, form, {"contact.name": "Li", "contact.phone": "139 0000 1111"})
    assert send(new_client(), "aurora", "new-client", data).status_code == 303
    [lead] = query(app, studio.tenant_id, select(Client))
    assert (lead.name, lead.source, lead.kind) == ("Li", "小红书", "person")


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("contact.phone", "call me", "Enter a phone number"),
        ("contact.email", "wf-at-deer.test", "Enter a valid e-mail address"),
        ("client.industry", "mining", "Choose one of the options"),
        ("Budget", "lots", "Enter an amount"),
    ],
)
def test_a_bad_value_is_refused_beside_its_question_and_nothing_is_written(
    app, client, new_client, studio, key, bad, message
):
    form = _intake(app, client, studio)
    response = send(new_client(), "aurora", "new-client", answers(app, studio.tenant_id, form, {**LEAD, key: bad}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'aria-invalid="true"' in html and 'class="field-error"' in html
    assert query(app, studio.tenant_id, select(Client)) == [] and query(app, studio.tenant_id, select(Submission)) == []


def test_a_required_question_left_empty_is_refused(app, client, new_client, studio):
    form = _intake(app, client, studio)
    response = send(new_client(), "aurora", "new-client", answers(app, studio.tenant_id, form, {"contact.name": "X"}))
    assert response.status_code == 422 and "This field is required." in response.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Submission)) == []


def test_robots_are_refused_and_nothing_is_written(app, client, new_client, studio):
    form = _intake(app, client, studio)
    visitor = new_client()
    trapped = {**answers(app, studio.tenant_id, form, LEAD), "website": "http://spam.example"}
    assert send(visitor, "aurora", "new-client", trapped).status_code == 422
    hasty = answers(app, studio.tenant_id, form, LEAD, seconds_ago=0)
    refused = send(visitor, "aurora", "new-client", hasty)
    assert refused.status_code == 422 and "quicker than a person" in refused.get_data(as_text=True)
    forged = {**answers(app, studio.tenant_id, form, LEAD), "started": "forged.token"}
    assert send(visitor, "aurora", "new-client", forged).status_code == 422
    page_token = started_in_page(visitor.get("/f/aurora/new-client").get_data(as_text=True))
    at_once = {**answers(app, studio.tenant_id, form, LEAD), "started": page_token}
    assert send(visitor, "aurora", "new-client", at_once).status_code == 422  # the page's own token, posted at once
    assert query(app, studio.tenant_id, select(Client)) == [] and query(app, studio.tenant_id, select(Submission)) == []


def test_a_burst_from_one_address_is_cut_off_with_429(app, client, new_client, studio):
    form = _intake(app, client, studio)
    visitor = new_client()
    statuses = []
    for n in range(14):
        data = answers(app, studio.tenant_id, form, {**LEAD, "contact.phone": f"1390000{n:04d}", "contact.email": ""})
        statuses.append(send(visitor, "aurora", "new-client", data).status_code)
    assert statuses[:10] == [303] * 10 and statuses[10:] == [429] * 4
    assert len(query(app, studio.tenant_id, select(Submission))) == 10
    other_address = send(new_client(), "aurora", "new-client", data, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other_address.status_code == 303  # the limit is per address (and per form)


def test_an_oversized_submission_is_refused_and_writes_nothing(app, client, new_client, studio):
    form = _intake(app, client, studio)
    data = answers(app, studio.tenant_id, form, {**LEAD, "Anything else?": "长" * 400_000})
    assert send(new_client(), "aurora", "new-client", data).status_code == 413
    long_text = answers(app, studio.tenant_id, form, {**LEAD, "Anything else?": "x" * 10_001})
    refused = send(new_client(), "aurora", "new-client", long_text)
    assert refused.status_code == 422 and "at most 10000 characters" in refused.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(Submission)) == []


def test_draft_and_closed_forms_are_404_publicly_and_previewed_by_staff(app, client, new_client, studio):
    url = build(client, "intake", publish=False) if client.login(studio.owner_email) else None
    visitor = new_client()
    assert visitor.get("/f/aurora/new-client").status_code == 404
    assert visitor.get("/f/aurora/new-client?preview=1").status_code == 404
    preview = client.get("/f/aurora/new-client?preview=1")
    assert preview.status_code == 200 and "Preview" in preview.get_data(as_text=True)
    client.submit(f"{url}/published")
    assert visitor.get("/f/aurora/new-client").status_code == 200
    client.submit(f"{url}/closed")
    assert visitor.get("/f/aurora/new-client").status_code == 404
    form = the_form(app, studio.tenant_id, "new-client")
    assert send(visitor, "aurora", "new-client", answers(app, studio.tenant_id, form, LEAD)).status_code == 404
    assert visitor.get("/f/nobody/new-client").status_code == 404


def test_only_the_public_form_pages_may_be_framed(app, client, new_client, studio):
    _intake(app, client, studio)
    page = new_client().get("/f/aurora/new-client")
    assert "frame-ancestors *" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    for path in ("/app/forms", "/login", "/portal/aurora/"):
        other = client.get(path)
        assert "frame-ancestors 'none'" in other.headers["Content-Security-Policy"], path
        assert other.headers["X-Frame-Options"] == "DENY"


def test_a_studio_names_the_sites_that_may_frame_its_forms(app, client, new_client, studio, other_studio):
    from saas.extensions import db as database
    from saas.tenants.models import Tenant

    _intake(app, client, studio)
    with app.app_context():
        tenant = database.session.get(Tenant, studio.tenant_id)
        profile = {k: getattr(tenant, k) for k in ("name", "brand_color", "currency", "timezone", "locale", "version")}
    typed = "https://www.Aurora-Design.cn/, https://*.aurora.test:8443\nhttps://www.aurora-design.cn"
    assert client.submit("/app/settings/studio", {**profile, "embed_origins": typed}).status_code == 302
    page = new_client().get("/f/aurora/new-client")
    policy = page.headers["Content-Security-Policy"]
    assert "frame-ancestors https://www.aurora-design.cn https://*.aurora.test:8443;" in policy
    settings = client.get("/app/settings/studio").get_data(as_text=True)
    assert 'value="https://www.aurora-design.cn https://*.aurora.test:8443"' in settings
    owner_b = new_client()  # another studio's forms keep their own setting (none: any site)
    owner_b.login(other_studio.owner_email)
    _intake(app, owner_b, other_studio)
    theirs = new_client().get(f"/f/{other_studio.slug}/new-client")
    assert "frame-ancestors *" in theirs.headers["Content-Security-Policy"]


def test_the_visitors_language_and_the_switch(app, client, new_client, studio):
    _intake(app, client, studio)
    visitor = new_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    assert "新客户信息登记表" in visitor.get("/f/aurora/new-client").get_data(as_text=True)
    english = visitor.get("/f/aurora/new-client?lang=en").get_data(as_text=True)
    assert "Tell us about your project" in english and 'href="?lang=zh"' in english


def _project_with_portal_contact(client, studio, app):
    client_url = create(client, {"name": "鹿鸣咖啡"})
    client.submit(f"{client_url}/contacts", {"name": "张伟", "email": "zw@deer.test"})
    contact = next(c for c in query(app, studio.tenant_id, select(Contact)) if c.email == "zw@deer.test")
    assert client.submit(f"{client_url}/contacts/{contact.id}/portal", {}).status_code == 302
    project_url = new_project(client, client_url, name="校园店品牌焕新")
    return project_url


BRIEF = {
    "brief.background": "开第二家店",
    "brief.audience": "大学生",
    "Style preferences": ["minimal", "guochao"],
    "brief.timeline_note": "三月开业",
}


def test_the_requirements_form_fills_the_projects_brief_from_the_emailed_link(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    build(client, "requirements")
    project_url = _project_with_portal_contact(client, studio, app)
    project_id = project_url.rsplit("/", 1)[1]
    form = the_form(app, studio.tenant_id, "requirements")
    page = client.get(project_url).get_data(as_text=True)
    assert "Send a form to the client" in page
    assert client.submit(f"{project_url}/forms", {"form_id": str(form.id)}).status_code == 302
    link = link_in(outbox.last("zw@deer.test"))
    assert link.startswith("/f/aurora/requirements?r=")
    request_id = link.split("r=", 1)[1]

    visitor = new_client()
    assert f'name="r" value="{request_id}"' in visitor.get(link).get_data(as_text=True)
    data = {**answers(app, studio.tenant_id, form, BRIEF), "r": request_id}
    assert send(visitor, "aurora", "requirements", data).status_code == 303
    [project] = query(app, studio.tenant_id, select(Project))
    assert project.brief["background"] == "开第二家店" and project.brief["audience"] == "大学生"
    assert project.brief["style"] == "Minimal、Guochao (Chinese chic)" or "简约" in project.brief["style"]
    [request] = query(app, studio.tenant_id, select(FormRequest))
    assert request.answered_at is not None
    [submission] = query(app, studio.tenant_id, select(Submission))
    assert (submission.outcome, str(submission.project_id)) == ("brief_filled", project_id)
    assert "开第二家店" in client.get(project_url).get_data(as_text=True)  # the brief, on the project page
    # The link is used: a second sending does not touch the project again.
    again = {**answers(app, studio.tenant_id, form, {**BRIEF, "brief.background": "changed"}), "r": request_id}
    assert send(visitor, "aurora", "requirements", again).status_code == 303
    assert query(app, studio.tenant_id, select(Project))[0].brief["background"] == "开第二家店"


def test_the_requirements_form_is_filled_from_the_portal(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    build(client, "requirements")
    project_url = _project_with_portal_contact(client, studio, app)
    form = the_form(app, studio.tenant_id, "requirements")
    client.submit(f"{project_url}/forms", {"form_id": str(form.id)})
    portal = new_client()
    invitation = next(m for m in outbox.messages() if "/portal/aurora/signin/" in str(m))
    invite = link_in(invitation, r"http://localhost(/portal/aurora/signin/\S+)")
    portal.submit(invite, {})
    home = portal.get("/portal/aurora/home").get_data(as_text=True)
    assert "Project requirements" in home
    path = re.search(r'href="(/portal/aurora/forms/[^"]+)"', home).group(1)
    page = portal.get(path)
    assert page.status_code == 200
    data = {**answers(app, studio.tenant_id, form, BRIEF), "started": started_in_page(page.get_data(as_text=True))}
    data = {**data, **{k: v for k, v in answers(app, studio.tenant_id, form, BRIEF).items() if k == "started"}}
    assert portal.submit(path, data).status_code == 303
    [project] = query(app, studio.tenant_id, select(Project))
    assert project.brief["audience"] == "大学生"
    [submission] = query(app, studio.tenant_id, select(Submission))
    assert submission.portal_user_id is not None and submission.outcome == "brief_filled"
    assert "Project requirements" not in portal.get("/portal/aurora/home").get_data(as_text=True)  # answered


def test_an_nps_submission_is_recorded_and_a_won_project_asks_for_feedback(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    build(client, "feedback")
    project_url = _project_with_portal_contact(client, studio, app)
    [project] = query(app, studio.tenant_id, select(Project))
    from tests.integration.test_projects import stages

    won = next(s for s in stages(app, studio).values() if s.kind == "won")
    assert client.submit(f"{project_url}/move", {"stage_id": str(won.id)}).status_code in (302, 303)
    link = link_in(outbox.last("zw@deer.test"))
    assert link.startswith("/f/aurora/feedback?r=")
    form = the_form(app, studio.tenant_id, "feedback")
    bad = {**answers(app, studio.tenant_id, form, {"feedback.nps": "11", "feedback.csat": "5"}), "r": link[-36:]}
    refused = send(new_client(), "aurora", "feedback", bad)
    assert refused.status_code == 422 and "from 0 to 10" in refused.get_data(as_text=True)
    good = {**answers(app, studio.tenant_id, form, {"feedback.nps": "9", "feedback.csat": "4",
                                                    "feedback.comments": "很满意"}), "r": link[-36:]}  # fmt: skip
    assert send(new_client(), "aurora", "feedback", good).status_code == 303
    [submission] = query(app, studio.tenant_id, select(Submission))
    assert (submission.nps, submission.csat, submission.outcome) == (9, 4, "feedback")
    assert submission.project_id == project.id
    listing = client.get(f"/app/forms/{form.id}/submissions").get_data(as_text=True)
    assert "NPS" in listing and ">9<" in listing


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_upload_is_kept_with_the_submission_and_a_disguised_file_is_refused(app, client, new_client, studio):
    from io import BytesIO

    from saas.files.models import StoredFile

    client.login(studio.owner_email)
    build(client, "feedback")
    form = the_form(app, studio.tenant_id, "feedback")
    scores = {"feedback.nps": "10", "feedback.csat": "5"}
    shot = next(q for q in form.questions if q.type == "file")

    disguised = {**answers(app, studio.tenant_id, form, scores), f"q_{shot.id}": (BytesIO(b"<svg/>"), "marks.png")}
    refused = send(new_client(), "aurora", "feedback", disguised, content_type="multipart/form-data")
    assert refused.status_code == 422 and "Attach an image" in refused.get_data(as_text=True)
    assert query(app, studio.tenant_id, select(StoredFile)) == []

    good = {**answers(app, studio.tenant_id, form, scores), f"q_{shot.id}": (BytesIO(PNG), "marks.png")}
    assert send(new_client(), "aurora", "feedback", good, content_type="multipart/form-data").status_code == 303
    [submission] = query(app, studio.tenant_id, select(Submission))
    [stored] = query(app, studio.tenant_id, select(StoredFile))
    assert (stored.owner_kind, stored.owner_id, stored.status) == ("form_submission", submission.id, "ready")
    assert submission.answers[str(shot.id)] == str(stored.id)
    page = client.get(f"/app/forms/{form.id}/submissions/{submission.id}").get_data(as_text=True)
    assert f"/app/files/{stored.id}" in page
    assert client.get(f"/app/files/{stored.id}").status_code == 200


def test_questions_fill_the_studios_own_fields_of_the_lead(app, client, new_client, studio):
    """A studio's custom fields are targets in the builder; the intake form's answers to them become the new
    lead's values (typed, money in the studio's currency) without the visitor being asked every required field."""
    from tests.integration.test_custom_fields import define

    client.login(studio.owner_email)
    define(client, "floor_area", "number")
    define(client, "budget", "money")
    define(client, "survey_on", "date", required="on")  # required, but not asked by the form: the next edit asks
    url = build(client, "intake")
    builder = client.get(url).get_data(as_text=True)
    assert 'value="client.custom.floor_area"' in builder
    form_id = url.rstrip("/").rsplit("/", 1)[1]
    for target, kind, label in (
        ("client.custom.floor_area", "number", "Area"),
        ("client.custom.budget", "money", "Budget"),
    ):
        question = {"type": kind, "label_en": label, "label_zh": label, "target": target}
        assert client.submit(f"/app/forms/{form_id}/questions", question).status_code == 302
    form = the_form(app, studio.tenant_id, "new-client")
    visitor = new_client()
    data = answers(app, studio.tenant_id, form, {**LEAD, "Area": "128.5", "Budget": "300,000"})
    assert send(visitor, "aurora", "new-client", data).status_code == 303
    [lead] = query(app, studio.tenant_id, select(Client))
    assert lead.custom_fields == {"floor_area": 128.5, "budget": 30_000_000}
    assert "128.5" in client.get(f"/app/clients/{lead.id}").get_data(as_text=True)


def test_a_choice_question_that_fills_a_custom_choice_field_offers_the_fields_options(app, client, new_client, studio):
    """Whatever options the builder typed, the question offers the field's own (their keys are what it stores),
    so a visitor's pick lands in the field."""
    from tests.integration.test_custom_fields import BUDGETS, define

    client.login(studio.owner_email)
    define(client, "budget", "choice", choices=BUDGETS)
    url = build(client, "intake")
    form_id = url.rstrip("/").rsplit("/", 1)[1]
    question = {
        "type": "choice",
        "label_en": "Budget",
        "label_zh": "预算",
        "target": "client.custom.budget",
        "choices": "cheap | Cheap | 便宜\ndear | Dear | 贵",
    }
    assert client.submit(f"/app/forms/{form_id}/questions", question).status_code == 302
    form = the_form(app, studio.tenant_id, "new-client")
    [asked] = [q for q in form.questions if q.target == "client.custom.budget"]
    assert [c["key"] for c in asked.choices] == ["low", "mid", "high"]
    assert asked.choices[1]["label_zh"] == "10–30万"
    visitor = new_client()
    data = answers(app, studio.tenant_id, form, {**LEAD, "client.custom.budget": "mid"})
    sent = send(visitor, "aurora", "new-client", data)
    assert sent.status_code == 303
    [lead] = query(app, studio.tenant_id, select(Client))
    assert lead.custom_fields == {"budget": "mid"}
