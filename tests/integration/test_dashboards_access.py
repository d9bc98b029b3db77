"""Who reads which dashboard and what it counts: the studio board for owners, admins and managers; a member's
board counts only their own clients; finance sees the money, never follow-ups, tickets or feedback; field staff
get their own day (visits today, follow-ups) and nothing else. Hostile query strings never break a board."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from saas.extensions import db
from saas.isolation import set_tenant
from saas.reports.boards import personal_board
from saas.visits.models import Visit
from tests.conftest import studio_today
from tests.integration.dashboards_seed import Q1, Seeded, seed
from tests.integration.test_dashboards import compute

EMAILS = {
    "du": "du@aurora.test",
    "su": "su@aurora.test",
    "manager": "mei@aurora.test",
    "finance": "fin@aurora.test",
    "field": "zhao@aurora.test",
}


@pytest.fixture
def seeded(app, studio) -> Seeded:
    return seed(app, studio, studio_today())


def _personal(scope):
    return personal_board(scope.membership, scope.filters, studio_today()).complete()


def _as(client, who: str, seeded: Seeded) -> None:
    client.login(EMAILS.get(who, seeded.studio.owner_email))


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("manager", 200), ("du", 403), ("finance", 403), ("field", 403)]
)
def test_the_studio_board_is_for_owners_admins_and_managers(app, client, seeded, who, status):
    _as(client, who, seeded)
    assert client.get("/app/dashboard", query_string=Q1).status_code == status
    assert client.get("/app/dashboard/me", query_string=Q1).status_code == 200


def test_the_menu_leads_each_role_to_their_dashboard(app, client, seeded):
    _as(client, "manager", seeded)
    assert 'href="/app/dashboard"' in client.get("/app/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    _as(client, "field", seeded)
    assert 'href="/app/dashboard/me"' in client.get("/app/dashboard/me").get_data(as_text=True)


def test_a_members_board_counts_only_their_own_clients(app, client, seeded):
    board = compute(app, seeded, "du", _personal)
    w = board.widgets
    assert [s.reached for s in w["funnel"].clients] == [2, 2, 1]  # C1 (signed) and C2 (intent), made in Q1
    assert (w["money"].revenue, w["money"].costs) == (1_000_000, 400_000)  # C1's payments; P1 and P2's costs
    assert (w["mine"].follow_ups_logged, w["mine"].follow_ups_due, w["mine"].follow_ups_done) == (3, 1, 1)
    assert (w["mine"].new_clients, w["mine"].signed_minor) == (2, 1_200_000)
    assert [(st.name, st.projects) for st in w["pipeline"].stages if st.projects] == [("Inquiry", 1)]  # P4
    su = compute(app, seeded, "su", _personal)
    assert su.widgets["money"].revenue == 0 and [s.reached for s in su.widgets["funnel"].clients] == [2, 1, 1]
    _as(client, "du", seeded)
    html = client.get("/app/dashboard/me", query_string=Q1).get_data(as_text=True)
    assert "Old Oak" not in html and "晨光书店" not in html  # Su's clients
    assert 'id="mine"' in html and 'id="money"' in html


def test_a_member_cannot_widen_their_board_with_someone_elses_owner_id(app, client, seeded):
    _as(client, "du", seeded)
    html = client.get("/app/dashboard/me", query_string={**Q1, "owner": str(seeded.users["su"])}).get_data(as_text=True)
    assert "晨光书店" not in html and "Old Oak" not in html


def test_finance_sees_the_money_not_the_relationship(app, client, seeded):
    _as(client, "finance", seeded)
    html = client.get("/app/dashboard/me", query_string=Q1).get_data(as_text=True)
    assert 'id="money"' in html and "INV-2" in html
    for hidden in ('id="mine"', 'id="funnel"', "Follow-ups", "First response", "NPS"):
        assert hidden not in html
    board = compute(app, seeded, "finance", _personal)
    assert board.widgets["money"].revenue == 1_000_000  # every client's money


def test_the_studio_board_for_a_manager_hides_nothing_but_counts_everything(app, client, seeded):
    _as(client, "manager", seeded)
    html = client.get("/app/dashboard", query_string=Q1).get_data(as_text=True)
    assert "First response" in html and "NPS" in html and "Follow-ups per person" in html


def test_field_staff_get_their_visits_today_and_follow_ups_only(app, client, seeded):
    zone = ZoneInfo("Asia/Shanghai")
    start = datetime.combine(studio_today(), time(10), zone)
    with app.app_context():
        set_tenant(db.session(), seeded.studio.tenant_id)
        db.session.add(
            Visit(
                client_id=seeded.clients["C1"],
                assignee_id=seeded.users["field"],
                scheduled_start=start,
                scheduled_end=start + timedelta(hours=1),
                site_address="南京西路 1 号",
                purpose="量房",
            )
        )
        db.session.commit()
    _as(client, "field", seeded)
    html = client.get("/app/dashboard/me").get_data(as_text=True)
    assert "鹿鸣咖啡" in html and "南京西路 1 号" in html
    for hidden in ('id="money"', 'id="funnel"', 'id="pipeline"', "Revenue"):
        assert hidden not in html


@pytest.mark.parametrize(
    "args",
    [
        {"period": "custom", "from": "2026-03-31", "to": "2026-01-01"},  # backwards
        {"period": "custom", "from": "1900-01-01", "to": "9999-12-31"},  # far too long
        {"period": "custom", "from": "not-a-day", "to": "2026-13-45"},
        {"period": "forever"},
        {"owner": "not-a-uuid"},
        {"owner": "00000000-0000-0000-0000-000000000000"},
        {"source": "x" * 5000, "type": "y" * 5000},
        {"source": "'; DROP TABLE clients; --"},
    ],
)
def test_hostile_filters_are_ignored_with_a_note_never_a_500(app, client, seeded, args):
    _as(client, "owner", seeded)
    response = client.get("/app/dashboard", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "from" in args or "owner" in args or args.get("period") == "forever":
        assert "flash-warning" in html or args.get("period") == "forever"


def test_nul_bytes_and_broken_unicode_in_filters_are_refused_at_the_door(app, client, seeded):
    _as(client, "owner", seeded)
    assert client.get("/app/dashboard?source=%00x").status_code == 422
    assert client.get("/app/dashboard?source=%ff%fe").status_code == 422
