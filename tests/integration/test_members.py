"""Owners and admins manage the team: roles, deactivation (sessions end at once), reactivation."""

from __future__ import annotations

from sqlalchemy import select

from saas.tenants.models import AuditEvent, Membership
from tests.conftest import add_member, query


def _membership(app, studio, membership_id) -> Membership:
    return next(m for m in query(app, studio.tenant_id, select(Membership)) if m.id == membership_id)


def test_the_owner_changes_a_role_and_it_is_audited(app, client, studio):
    member_id = add_member(app, studio, "wang@aurora.test", "member")
    client.login(studio.owner_email)
    version = _membership(app, studio, member_id).version
    response = client.submit(f"/app/settings/members/{member_id}/role", {"role": "manager", "version": version})
    assert response.status_code == 302
    assert _membership(app, studio, member_id).role == "manager"
    events = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "member.role_changed"))
    assert [(e.data["old"], e.data["new"]) for e in events] == [("member", "manager")]


def test_a_stale_form_gets_a_conflict_not_a_silent_overwrite(app, client, new_client, studio):
    member_id = add_member(app, studio, "wang@aurora.test", "member")
    admin_id = add_member(app, studio, "zhou@aurora.test", "admin")
    assert admin_id
    version = _membership(app, studio, member_id).version
    admin = new_client()
    admin.login("zhou@aurora.test")
    assert (
        admin.submit(f"/app/settings/members/{member_id}/role", {"role": "finance", "version": version}).status_code
        == 302
    )
    client.login(studio.owner_email)
    stale = client.submit(f"/app/settings/members/{member_id}/role", {"role": "manager", "version": version})
    assert stale.status_code == 409
    assert _membership(app, studio, member_id).role == "finance"


def test_deactivating_a_member_ends_their_session_at_once(app, client, new_client, studio):
    member_id = add_member(app, studio, "wang@aurora.test", "member")
    designer = new_client()
    designer.login("wang@aurora.test")
    assert designer.get("/app/").status_code == 200

    client.login(studio.owner_email)
    version = _membership(app, studio, member_id).version
    assert client.submit(f"/app/settings/members/{member_id}/deactivate", {"version": version}).status_code == 302

    response = designer.get("/app/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert designer.get("/app/").status_code == 302
    assert designer.login("wang@aurora.test").status_code == 302
    assert designer.get("/app/").status_code == 403  # signed in, but no studio to work in

    version = _membership(app, studio, member_id).version
    assert client.submit(f"/app/settings/members/{member_id}/reactivate", {"version": version}).status_code == 302
    assert designer.get("/app/").status_code == 200


def test_the_last_owner_cannot_be_demoted_or_deactivated(app, client, studio):
    admin_id = add_member(app, studio, "zhou@aurora.test", "admin")
    assert admin_id
    owner = _membership(app, studio, studio.owner_membership_id)
    from tests.conftest import Browser

    app.test_client_class = Browser
    admin = app.test_client()
    admin.login("zhou@aurora.test")
    # An admin may not touch an owner at all; the owner may not act on themselves.
    path = f"/app/settings/members/{owner.id}"
    assert admin.submit(f"{path}/deactivate", {"version": owner.version}).status_code == 403
    assert admin.submit(f"{path}/role", {"role": "member", "version": owner.version}).status_code == 403
    client.login(studio.owner_email)
    assert client.submit(f"{path}/deactivate", {"version": owner.version}).status_code == 403
    assert _membership(app, studio, owner.id).active is True


def test_only_owners_and_admins_manage_members(app, new_client, studio):
    target = add_member(app, studio, "wang@aurora.test", "member")
    for role in ("manager", "member", "finance", "field"):
        add_member(app, studio, f"{role}-person@aurora.test", role)
        person = new_client()
        person.login(f"{role}-person@aurora.test")
        version = _membership(app, studio, target).version
        assert (
            person.submit(f"/app/settings/members/{target}/role", {"role": "finance", "version": version}).status_code
            == 403
        )
        assert person.submit(f"/app/settings/members/{target}/deactivate", {"version": version}).status_code == 403
    assert _membership(app, studio, target).role == "member"
