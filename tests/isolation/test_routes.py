"""Layer 3 of isolation: every staff route, tried by studio B's staff with studio A's ids, answers 404 and
changes nothing. Runs on SQLite and on PostgreSQL (where RLS stands behind the ORM)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from saas.tenants.models import AuditEvent, Invitation, Membership
from tests.conftest import add_member, link_in, query


@pytest.fixture
def two_studios(app, client, new_client, studio, other_studio, outbox):
    """A has a member and a pending invitation; B's owner is signed in as `intruder`."""
    member_id = add_member(app, studio, "wang@aurora.test", "member")
    client.login(studio.owner_email)
    client.submit("/app/settings/members/invite", {"email": "new@aurora.test", "role": "member"})
    invitation = query(app, studio.tenant_id, select(Invitation))[0]
    intruder = new_client()
    intruder.login(other_studio.owner_email)
    return {
        "member_id": member_id,
        "invitation_id": invitation.id,
        "join_link": link_in(outbox.last()),
        "intruder": intruder,
    }


def _snapshot(app, studio):
    memberships = sorted((m.id, m.role, m.active, m.version) for m in query(app, studio.tenant_id, select(Membership)))
    invitations = sorted((i.id, i.revoked_at, i.token_hash) for i in query(app, studio.tenant_id, select(Invitation)))
    return memberships, invitations


def test_another_studios_member_and_invitation_ids_are_404(app, studio, two_studios):
    intruder, member_id, invitation_id = (two_studios[k] for k in ("intruder", "member_id", "invitation_id"))
    before = _snapshot(app, studio)
    attempts = [
        (f"/app/settings/members/{member_id}/role", {"role": "admin", "version": 1}),
        (f"/app/settings/members/{member_id}/deactivate", {"version": 1}),
        (f"/app/settings/members/{member_id}/reactivate", {"version": 1}),
        (f"/app/settings/members/{studio.owner_membership_id}/role", {"role": "member", "version": 1}),
        (f"/app/settings/invitations/{invitation_id}/resend", {}),
        (f"/app/settings/invitations/{invitation_id}/revoke", {}),
        ("/app/switch", {"tenant_id": str(studio.tenant_id)}),
    ]
    for path, data in attempts:
        response = intruder.submit(path, data)
        assert response.status_code == 404, path
        body = response.get_data(as_text=True)
        assert "wang@aurora.test" not in body and "Aurora" not in body, path
    assert _snapshot(app, studio) == before


def test_malformed_ids_are_404_too(two_studios):
    intruder = two_studios["intruder"]
    assert intruder.submit("/app/settings/members/not-a-uuid/role", {"role": "admin", "version": 1}).status_code == 404
    assert intruder.submit("/app/switch", {"tenant_id": "../../etc"}).status_code == 404


def test_another_studios_pages_show_nothing_of_it(app, two_studios):
    intruder = two_studios["intruder"]
    for path in ("/app/", "/app/settings/members", "/app/settings/audit", "/app/settings/studio", "/app/account"):
        body = intruder.get(path).get_data(as_text=True)
        assert "wang@aurora.test" not in body and "new@aurora.test" not in body and "极光" not in body, path


def test_a_join_link_only_works_under_its_own_studio(app, two_studios, new_client):
    link = two_studios["join_link"]
    wrong_studio = link.replace("/join/aurora/", "/join/bamboo/")
    visitor = new_client()
    assert visitor.get(wrong_studio).status_code == 404
    assert visitor.submit(wrong_studio, {"name": "X", "password": "some-password-1"}).status_code == 404
    assert visitor.get(link.replace("/join/aurora/", "/join/no-such-studio/")).status_code == 404


def test_the_audit_trail_of_one_studio_holds_none_of_the_others_events(app, studio, other_studio, two_studios):
    ids_a = {e.id for e in query(app, studio.tenant_id, select(AuditEvent))}
    ids_b = {e.id for e in query(app, other_studio.tenant_id, select(AuditEvent))}
    assert ids_a and ids_b and not ids_a & ids_b


def test_the_portal_and_brand_urls_resolve_only_real_studios(client, studio):
    assert client.get("/portal/aurora/").status_code == 200
    assert client.get("/portal/no-such-studio/").status_code == 404
    assert client.get("/brand/no-such-studio/logo").status_code == 404
    assert client.get("/brand/aurora/logo").status_code == 404  # no logo yet
