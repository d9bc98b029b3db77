"""Every form's submissions (/app/forms/submissions): the list behind NPS and CSAT. Its filters hold what they say
(which score, the studio's days, the client's owner and source), it is for those who read submissions, names nothing
of another studio and answers hostile input with a message, never a 500.

The studio is test_figure_links's: four answers to "Feedback" on 15 February (鹿鸣咖啡 twice, NPS 10 and 9, CSAT 5
and 4; 晨光书店 7 and 2; Old Oak 3 without CSAT), and to "Survey" one without a client on 1 March (8, CSAT 5) and
one at 00:30 on 1 April in Shanghai (8, no CSAT)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from saas.clients.models import Client
from saas.extensions import db
from saas.forms.models import Form, Submission
from saas.isolation import set_tenant
from saas.tenants.models import Membership, User
from tests.integration.dashboards_seed import Seeded
from tests.integration.test_figure_links import page_html, rows_in, seeded_for_lists

URL = "/app/forms/submissions"


@pytest.fixture
def seeded(app, studio) -> Seeded:
    return seeded_for_lists(app, studio)


def _html(client, args: dict | None = None) -> str:
    return page_html(client, URL, args)


def test_the_list_is_in_the_forms_page_with_its_filters_in_both_languages(app, client, seeded):
    client.login(seeded.studio.owner_email)
    assert f'href="{URL}"' in client.get("/app/forms").get_data(as_text=True)
    html = _html(client)
    for name in ("score", "submitted_from", "submitted_to", "owner", "source"):
        assert f'name="{name}"' in html, name
    assert "Survey" in html and "Feedback" in html and "鹿鸣咖啡" in html
    assert rows_in(client, URL) == 6
    with app.app_context():
        db.session.execute(update(User).where(User.email == seeded.studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    html = _html(client)
    assert "全部提交" in html and "评分" in html and "客户负责人" in html


def test_what_each_filter_holds(app, client, seeded):
    client.login(seeded.studio.owner_email)
    du, su = str(seeded.users["du"]), str(seeded.users["su"])
    count = lambda args: rows_in(client, f"{URL}?{args}")  # noqa: E731
    assert count("score=nps") == 6 and count("score=csat") == 4
    assert count("submitted_from=2026-01-01&submitted_to=2026-03-31") == 5  # 00:30 on 1 April is April's
    assert count("score=csat&submitted_from=2026-03-01&submitted_to=2026-03-31") == 1  # the survey, no client
    assert count(f"owner={du}") == 2 and count(f"owner={su}&score=csat") == 1  # 晨光书店 (Old Oak has none)
    assert count("source=展会") == 1 and count("source=转介绍&score=nps") == 3


def test_it_is_for_those_who_read_submissions(app, client, seeded):
    client.login("du@aurora.test")
    assert client.get(URL).status_code == 403  # a member: the forms are read by those who see every client
    client.login("fin@aurora.test")
    assert rows_in(client, URL) == 6  # finance sees every client, and forms' submissions as on each form's list


def test_another_studios_people_and_submissions_never_come_through(app, client, seeded, other_studio):
    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        stranger = db.session.get(Membership, other_studio.owner_membership_id).user_id
        theirs = Client(name="Bamboo client", sort_key="bamboo", owner_id=stranger, source="展会")
        form = Form(slug="feedback", kind="feedback", status="published", title_en="Theirs", title_zh="他们的")
        db.session.add_all([theirs, form])
        db.session.flush()
        db.session.add(Submission(form_id=form.id, client_id=theirs.id, nps=0, ip_hash="x"))
        db.session.commit()
    client.login(seeded.studio.owner_email)
    html = _html(client, {"owner": str(stranger)})
    assert "Choose a person of this studio." in html and "Theirs" not in html
    assert rows_in(client, f"{URL}?source=展会") == 1 and "Theirs" not in _html(client, {"source": "展会"})
    client.login(other_studio.owner_email)
    assert rows_in(client, URL) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ({"submitted_from": "2026-02-30"}, "Enter a date as YYYY-MM-DD."),
        ({"submitted_to": "x" * 300}, "Enter a date as YYYY-MM-DD."),
        ({"score": "happiness"}, "Choose one of the scores offered."),
        ({"owner": "someone"}, "Choose a person of this studio."),
        ({"owner": "00000000-0000-0000-0000-000000000000"}, "Choose a person of this studio."),
    ],
)
def test_a_bad_filter_is_said_beside_its_field(app, client, seeded, args, said):
    client.login(seeded.studio.owner_email)
    html = _html(client, args)
    assert said in html and "field-error" in html
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.rindex('method="get"') :], re.S)
    assert body and body.group(1).count("<tr") == 6  # the bad filter left out


@pytest.mark.parametrize("raw", ["score=%00", "owner=%c3", "submitted_from=%ff", "source=%ed%a0%80", "after=x%00"])
def test_nul_bytes_and_broken_unicode_are_refused_at_the_door(app, client, seeded, raw):
    client.login(seeded.studio.owner_email)
    assert client.get(f"{URL}?{raw}").status_code == 422


def test_pages_follow_one_another(app, client, seeded):
    with app.app_context():
        set_tenant(db.session(), seeded.studio.tenant_id)
        form = db.session.query(Form).filter_by(slug="survey").one()
        for n in range(55):
            db.session.add(Submission(form_id=form.id, csat=1 + n % 5, ip_hash=f"p{n}"))
        db.session.commit()
    client.login(seeded.studio.owner_email)
    first = _html(client, {"score": "csat"})
    found = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first)
    assert found
    assert rows_in(client, found.group(1).replace("&amp;", "&")) == 59 - 50
    assert client.get(URL, query_string={"after": "junk~x"}).status_code == 200
