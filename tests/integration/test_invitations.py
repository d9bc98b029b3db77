"""The owner invites staff by e-mail with a role; the invitee sets a password and lands in that studio.
One person can belong to several studios and switch between them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from saas.db import utcnow
from saas.extensions import db
from saas.isolation import set_tenant
from saas.tenants.models import AuditEvent, Invitation, Membership
from tests.conftest import PASSWORD, add_member, link_in, query


def _invite(client, email: str, role: str = "member"):
    return client.submit("/app/settings/members/invite", {"email": email, "role": role})


def test_an_invited_designer_joins_with_a_new_account(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    assert _invite(client, "Wang@Aurora.test").status_code == 302
    mail = outbox.last("wang@aurora.test")
    assert "极光设计 Aurora Design" in mail["Subject"] or "极光设计 Aurora Design" in str(mail.get_body())
    link = link_in(mail)
    assert link.startswith("/join/aurora/")

    invitee = new_client()
    page = invitee.get(link)
    assert page.status_code == 200 and "wang@aurora.test" in page.get_data(as_text=True)
    response = invitee.submit(link, {"name": "王磊", "password": "designer-password-1"})
    assert response.status_code == 302 and response.headers["Location"] == "/app/"
    assert "极光设计 Aurora Design" in invitee.get("/app/").get_data(as_text=True)

    members = query(app, studio.tenant_id, select(Membership))
    assert sorted((m.user.email, m.role) for m in members) == [
        ("lin@aurora.test", "owner"),
        ("wang@aurora.test", "member"),
    ]
    assert new_client().get(link).status_code == 404  # single use

    joined = query(app, studio.tenant_id, select(AuditEvent).where(AuditEvent.action == "member.joined"))[0]
    designer = next(m for m in members if m.user.email == "wang@aurora.test")
    assert (joined.actor_id, joined.target_id) == (designer.user_id, str(designer.id))


def test_a_resent_invitation_replaces_the_old_link(client, new_client, app, studio, outbox):
    client.login(studio.owner_email)
    _invite(client, "zhao@aurora.test", "field")
    first = link_in(outbox.last())
    invitation = query(app, studio.tenant_id, select(Invitation))[0]
    assert client.submit(f"/app/settings/invitations/{invitation.id}/resend").status_code == 302
    second = link_in(outbox.last())
    assert first != second
    assert new_client().get(first).status_code == 404
    assert new_client().get(second).status_code == 200


def test_withdrawn_and_expired_invitations_no_longer_work(app, client, new_client, studio, outbox):
    client.login(studio.owner_email)
    _invite(client, "a@aurora.test")
    withdrawn = link_in(outbox.last())
    _invite(client, "b@aurora.test")
    expired = link_in(outbox.last())
    a, b = sorted(query(app, studio.tenant_id, select(Invitation)), key=lambda i: i.email)
    client.submit(f"/app/settings/invitations/{a.id}/revoke")
    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        db.session.execute(
            update(Invitation).where(Invitation.id == b.id).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    for link in (withdrawn, expired):
        visitor = new_client()
        assert visitor.get(link).status_code == 404
        assert visitor.submit(link, {"name": "X", "password": "whatever-pass-1"}).status_code == 404


def test_a_person_with_an_account_joins_a_second_studio_and_switches(
    app, client, new_client, studio, other_studio, outbox
):
    """Wu owns Bamboo; Aurora invites Wu as a manager. Wu proves it is them with their password."""
    client.login(studio.owner_email)
    _invite(client, other_studio.owner_email, "manager")
    link = link_in(outbox.last(other_studio.owner_email))

    wu = new_client()
    page = wu.get(link).get_data(as_text=True)
    assert 'name="name"' not in page  # no new account to set up
    assert wu.submit(link, {"password": "not-my-password"}).status_code == 422
    assert wu.submit(link, {"password": PASSWORD}).status_code == 302
    assert "极光设计 Aurora Design" in wu.get("/app/").get_data(as_text=True)

    response = wu.submit("/app/switch", {"tenant_id": str(other_studio.tenant_id)})
    assert response.status_code == 302
    home = wu.get("/app/").get_data(as_text=True)
    assert "竹子工作室 Bamboo" in home
    # What they see belongs to the studio they are in: Bamboo's team page does not list Aurora's owner.
    team = wu.get("/app/settings/members").get_data(as_text=True)
    assert "wu@bamboo.test" in team and "lin@aurora.test" not in team


def test_inviting_someone_already_in_the_studio_is_refused(app, client, studio):
    add_member(app, studio, "chen@aurora.test", "manager")
    client.login(studio.owner_email)
    response = _invite(client, "chen@aurora.test")
    assert response.status_code == 422
    assert "already a member" in response.get_data(as_text=True)


def test_bad_invitation_input_writes_nothing(app, client, studio):
    client.login(studio.owner_email)
    for data in (
        {"email": "not-an-email", "role": "member"},
        {"email": "x@y.test", "role": "emperor"},
        {"email": "x@y.test", "role": "owner"},
    ):
        assert client.submit("/app/settings/members/invite", data).status_code == 422
    assert query(app, studio.tenant_id, select(Invitation)) == []


def test_who_may_invite_whom(app, new_client, studio):
    add_member(app, studio, "manager@aurora.test", "manager")
    add_member(app, studio, "designer@aurora.test", "member")
    manager, designer = new_client(), new_client()
    manager.login("manager@aurora.test")
    designer.login("designer@aurora.test")
    assert _invite(manager, "new1@aurora.test", "member").status_code == 302
    assert _invite(manager, "new2@aurora.test", "admin").status_code == 403
    assert _invite(designer, "new3@aurora.test", "member").status_code == 403
    emails = {i.email for i in query(app, studio.tenant_id, select(Invitation))}
    assert emails == {"new1@aurora.test"}


def test_the_invitation_speaks_the_studios_language(app, client, studio, outbox):
    """A new person has no language yet: the e-mail uses the studio's default, in HTML and plain text."""
    from saas.tenants.models import Tenant

    with app.app_context():
        tenant = db.session.get(Tenant, studio.tenant_id)
        tenant.locale = "zh_CN"
        db.session.commit()
    client.login(studio.owner_email)
    _invite(client, "li@aurora.test", "finance")
    mail = outbox.last("li@aurora.test")
    assert "邀请您加入" in mail["Subject"]
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "接受邀请" in html and "财务" in html and 'lang="zh-CN"' in html
