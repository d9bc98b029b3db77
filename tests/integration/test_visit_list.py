"""The visits as a list (/app/visits/list): the list behind the report builder's visit counts. Its filters hold what
they say (status, assignee, the studio's days scheduled), it shows what each person sees of the visits, names
nothing of another studio and answers hostile input with a message, never a 500.

The studio is test_figure_links's: Zhao (field) visits 鹿鸣咖啡 on 15 February and Blue Fox at 00:30 on 1 April in
Shanghai (done); Du's visit to 松石茶舍 on 20 January was cancelled."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import Membership, User
from saas.visits.models import Visit
from tests.integration.dashboards_seed import Seeded, at
from tests.integration.test_figure_links import page_html, rows_in, seeded_for_lists

URL = "/app/visits/list"


@pytest.fixture
def seeded(app, studio) -> Seeded:
    return seeded_for_lists(app, studio)


def _html(client, args: dict | None = None) -> str:
    return page_html(client, URL, args)


def test_the_list_is_reached_from_the_schedule_with_its_filters_in_both_languages(app, client, seeded):
    client.login(seeded.studio.owner_email)
    assert f'href="{URL}"' in client.get("/app/visits").get_data(as_text=True)
    html = _html(client)
    for name in ("status", "assignee", "scheduled_from", "scheduled_to"):
        assert f'name="{name}"' in html, name
    assert "Field Zhao" in html and "松石茶舍" in html and rows_in(client, URL) == 3
    with app.app_context():
        db.session.execute(update(User).where(User.email == seeded.studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    assert "按列表" in _html(client) and "按列表" in client.get("/app/visits").get_data(as_text=True)


def test_what_each_filter_holds(app, client, seeded):
    client.login(seeded.studio.owner_email)
    zhao, du = str(seeded.users["field"]), str(seeded.users["du"])
    count = lambda args: rows_in(client, f"{URL}?{args}")  # noqa: E731
    assert count(f"assignee={zhao}") == 2 and count(f"assignee={du}") == 1 and count("assignee=me") == 0
    assert count("status=cancelled") == 1 and count("status=checked_out") == 1
    assert count("scheduled_from=2026-01-01&scheduled_to=2026-03-31") == 2  # 00:30 on 1 April is April's
    assert count("scheduled_from=2026-04-01") == 1


def test_each_person_sees_the_visits_they_may(app, client, seeded):
    client.login("zhao@aurora.test")  # field staff: their own
    assert rows_in(client, URL) == 2
    client.login("du@aurora.test")  # a member: the visits of his clients (鹿鸣咖啡, Blue Fox, 松石茶舍)
    assert rows_in(client, URL) == 3
    client.login("su@aurora.test")
    assert rows_in(client, URL) == 0
    client.login("fin@aurora.test")
    assert client.get(URL).status_code == 403  # the relationship side


def test_another_studios_people_and_visits_never_come_through(app, client, seeded, other_studio):
    from saas.clients.models import Client

    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        stranger = db.session.get(Membership, other_studio.owner_membership_id).user_id
        theirs = Client(name="Bamboo client", sort_key="bamboo", owner_id=stranger)
        db.session.add(theirs)
        db.session.flush()
        start = at("2026-02-15 02:00")
        db.session.add(
            Visit(
                client_id=theirs.id,
                assignee_id=stranger,
                scheduled_start=start,
                scheduled_end=start + timedelta(hours=1),
                site_address="杭州",
                purpose="他们的",
            )
        )
        db.session.commit()
    client.login(seeded.studio.owner_email)
    html = _html(client, {"assignee": str(stranger)})
    assert "Choose a person of this studio." in html and "他们的" not in html and "Bamboo" not in html
    client.login(other_studio.owner_email)
    assert rows_in(client, URL) == 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ({"scheduled_from": "2026-02-30"}, "Enter a date as YYYY-MM-DD."),
        ({"status": "teleported"}, "Choose one of the statuses offered."),
        ({"assignee": "nobody"}, "Choose a person of this studio."),
        ({"assignee": "00000000-0000-0000-0000-000000000000"}, "Choose a person of this studio."),
    ],
)
def test_a_bad_filter_is_said_beside_its_field(app, client, seeded, args, said):
    client.login(seeded.studio.owner_email)
    html = _html(client, args)
    assert said in html and "field-error" in html
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.rindex('method="get"') :], re.S)
    assert body and body.group(1).count("<tr") == 3


@pytest.mark.parametrize("raw", ["status=%00", "assignee=%c3", "scheduled_to=%ff", "after=%00"])
def test_nul_bytes_and_broken_unicode_are_refused_at_the_door(app, client, seeded, raw):
    client.login(seeded.studio.owner_email)
    assert client.get(f"{URL}?{raw}").status_code == 422


def test_pages_follow_one_another(app, client, seeded):
    with app.app_context():
        set_tenant(db.session(), seeded.studio.tenant_id)
        for n in range(52):
            start = at(f"2026-02-{1 + n % 28:02d} {n % 24:02d}:00")
            db.session.add(
                Visit(
                    client_id=seeded.clients["C3"],
                    assignee_id=seeded.users["su"],
                    scheduled_start=start,
                    scheduled_end=start + timedelta(hours=1),
                    site_address="上海",
                    purpose=f"p{n}",
                )
            )
        db.session.commit()
    client.login("su@aurora.test")
    first = _html(client)
    found = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first)
    assert found and rows_in(client, found.group(1).replace("&amp;", "&")) == 2
    assert client.get(URL, query_string={"after": "junk~x"}).status_code == 200
