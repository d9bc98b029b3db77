"""The follow-ups logged (/app/follow-ups/logged): the list behind "follow-ups per person" and the builder's
follow-up counts. Its filters hold what they say (the studio's days, the client's owner and source), stay within
what the reader sees, name nothing of another studio, and answer hostile input with a message, never a 500.

The studio is test_figure_links's. Its follow-ups: Du's call (C1, 11 January), WeChat (C1, 11 February), meeting
(Blue Fox, 2 March), call on the archived Ash & Co (4 January) and call (松石茶舍, 30 December 2025); Su's call
(晨光书店, 2 February)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from saas.clients.models import Client, Interaction
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import Membership, User
from tests.conftest import studio_today
from tests.integration.dashboards_seed import Seeded, at, seed
from tests.integration.test_figure_links import page_html, rows_in, seed_more

URL = "/app/follow-ups/logged"


@pytest.fixture
def seeded(app, studio) -> Seeded:
    s = seed(app, studio, studio_today())
    seed_more(app, s)
    with app.app_context():  # 00:30 on 1 April in Shanghai: April's, not March's
        set_tenant(db.session(), studio.tenant_id)
        late = Interaction(
            client_id=s.clients["C3"],
            author_id=s.users["su"],
            kind="email",
            summary="邮件",
            occurred_at=at("2026-03-31 16:30"),
        )
        db.session.add(late)
        db.session.commit()
    return s


def _html(client, args: dict | None = None) -> str:
    return page_html(client, URL, args)


def test_the_list_shows_each_follow_up_with_its_client_and_is_in_the_menu(app, client, seeded):
    client.login(seeded.studio.owner_email)
    html = _html(client)
    for name in ("author", "kind", "logged_from", "logged_to", "owner", "source"):
        assert f'name="{name}"' in html, name
    assert f'href="{URL}"' in html  # the menu, beside My follow-ups
    assert f'href="/app/clients/{seeded.clients["C1"]}"' in html  # each row links its client's 360° page
    assert "Ash &amp; Co" in html and "Designer Du" in html and "发报价" in html  # archived client's too; next action
    assert rows_in(client, URL) == 7
    with app.app_context():
        db.session.execute(update(User).where(User.email == seeded.studio.owner_email).values(locale="zh_CN"))
        db.session.commit()
    html = _html(client)
    assert "已记录跟进" in html and "记录人" in html and "客户负责人" in html and "客户来源" in html


def test_what_each_filter_holds(app, client, seeded):
    client.login(seeded.studio.owner_email)
    du, su = str(seeded.users["du"]), str(seeded.users["su"])
    count = lambda args: rows_in(client, f"{URL}?{args}")  # noqa: E731
    assert count(f"author={du}") == 5 and count(f"author={su}") == 2
    assert count("author=me") == 0  # the owner logged none
    assert count("kind=call") == 4 and count("kind=wechat") == 1
    assert count("logged_from=2026-01-01&logged_to=2026-03-31") == 5  # the one at 00:30 on 1 April is April's
    assert count("logged_from=2026-04-01&logged_to=2026-04-01") == 1
    assert count(f"owner={su}") == 2 and count(f"owner={du}&author={du}") == 5
    assert count("source=展会") == 1  # the meeting at Blue Fox
    assert count("source=转介绍&kind=call") == 3  # C1's call, 晨光书店's, Ash & Co's


def test_pages_follow_one_another_without_gaps(app, client, seeded):
    client.login(seeded.studio.owner_email)
    with app.app_context():
        set_tenant(db.session(), seeded.studio.tenant_id)
        for n in range(60):
            occurred = at(f"2026-02-{1 + n % 28:02d} {n % 24:02d}:00")
            row = Interaction(client_id=seeded.clients["C2"], author_id=seeded.users["du"], kind="note",
                              summary=f"n{n}", occurred_at=occurred)  # fmt: skip
            db.session.add(row)
        db.session.commit()
    seen, url = [], f"{URL}?kind=note"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<td class="summary"[^>]*>(n\d+)</td>', html)
        found = re.search(r'href="([^"]*after=[^"]*)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert sorted(seen) == sorted(f"n{n}" for n in range(60))


def test_a_member_sees_follow_ups_on_the_clients_they_see_and_finance_none(app, client, seeded):
    client.login("du@aurora.test")
    su = str(seeded.users["su"])
    assert rows_in(client, URL) == 5  # his clients' (Ash & Co archived included), not Su's on 晨光书店
    assert rows_in(client, f"{URL}?author={su}") == 0
    assert rows_in(client, f"{URL}?owner={su}") == 0
    client.login("fin@aurora.test")
    assert client.get(URL).status_code == 403  # the relationship side
    assert f'href="{URL}"' not in client.get("/app/invoices").get_data(as_text=True)


def test_another_studios_people_and_follow_ups_never_come_through(app, client, seeded, other_studio):
    with app.app_context():
        set_tenant(db.session(), other_studio.tenant_id)
        stranger = db.session.get(Membership, other_studio.owner_membership_id).user_id
        theirs = Client(name="Bamboo client", sort_key="bamboo", owner_id=stranger, source="展会")
        db.session.add(theirs)
        db.session.flush()
        db.session.add(Interaction(client_id=theirs.id, author_id=stranger, kind="call", summary="他们的"))
        db.session.commit()
    client.login(seeded.studio.owner_email)
    for name in ("author", "owner"):
        html = _html(client, {name: str(stranger)})
        assert "Choose a person of this studio." in html and "他们的" not in html
        assert rows_in(client, f"{URL}?source=展会") == 1  # their 展会 client's follow-up is not here
    client.login(other_studio.owner_email)
    assert rows_in(client, URL) == 1 and "他们的" in _html(client)


@pytest.mark.parametrize(
    ("args", "said", "shown"),
    [
        ({"logged_from": "2026-02-30"}, "Enter a date as YYYY-MM-DD.", 7),
        # the end before the start is left out, the start kept: from 1 April
        ({"logged_from": "2026-04-01", "logged_to": "2026-03-01"}, "The period ends before it starts.", 1),
        ({"logged_to": "x" * 300}, "Enter a date as YYYY-MM-DD.", 7),
        ({"kind": "telepathy"}, "Choose one of the kinds offered.", 7),
        ({"author": "not-an-id"}, "Choose a person of this studio.", 7),
        ({"owner": "00000000-0000-0000-0000-000000000000"}, "Choose a person of this studio.", 7),
    ],
)
def test_a_bad_filter_is_said_beside_its_field(app, client, seeded, args, said, shown):
    client.login(seeded.studio.owner_email)
    html = _html(client, args)
    assert said in html and "field-error" in html
    assert rows_in_unchecked(html) == shown  # the bad filter left out, the rest applied


def rows_in_unchecked(html: str) -> int:
    body = re.search(r"<tbody>(.*?)</tbody>", html[html.rindex('method="get"') :], re.S)
    return body.group(1).count("<tr") if body else 0


@pytest.mark.parametrize(
    "raw", ["author=%00", "kind=call%00", "logged_from=%ff%fe", "source=%ed%a0%80", "after=%00", "owner=%c3"]
)
def test_nul_bytes_and_broken_unicode_are_refused_at_the_door(app, client, seeded, raw):
    client.login(seeded.studio.owner_email)
    assert client.get(f"{URL}?{raw}").status_code == 422


@pytest.mark.parametrize("cursor", ["junk", "2026-13-01T00:00:00~x", "~", "2026-02-01T00:00:00+00:00~" + "f" * 36])
def test_a_cursor_that_is_not_one_starts_over_or_reads_on(app, client, seeded, cursor):
    client.login(seeded.studio.owner_email)
    assert client.get(URL, query_string={"after": cursor}).status_code == 200
