"""Owners and admins read an audit trail of sign-ins, invitations, role changes and settings changes."""

from __future__ import annotations

from sqlalchemy import select

from saas.tenants.models import Membership
from tests.conftest import add_member, query


def test_the_audit_trail_lists_what_happened_newest_first(app, client, studio):
    member_id = add_member(app, studio, "wang@aurora.test", "member")
    client.login(studio.owner_email)
    client.submit("/app/settings/members/invite", {"email": "new@aurora.test", "role": "finance"})
    version = next(m.version for m in query(app, studio.tenant_id, select(Membership)) if m.id == member_id)
    client.submit(f"/app/settings/members/{member_id}/role", {"role": "manager", "version": version})

    page = client.get("/app/settings/audit").get_data(as_text=True)
    rows = page[page.index("<tbody>") :]
    assert "new@aurora.test" in rows and "wang@aurora.test" in rows
    assert rows.index("new@aurora.test") > rows.index("wang@aurora.test")  # newest first

    only_invites = client.get("/app/settings/audit?action=member.invited").get_data(as_text=True)
    assert "new@aurora.test" in only_invites and "wang@aurora.test" not in only_invites


def test_the_audit_trail_pages_with_a_cursor(app, client, studio):
    from saas.extensions import db
    from saas.isolation import set_tenant
    from saas.tenants import audit

    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        from datetime import timedelta

        from saas.db import utcnow

        start = utcnow() - timedelta(hours=1)
        for n in range(60):
            event = audit.record("studio.settings_changed", None, fields=[f"field-{n:02d}"])
            event.created_at = start + timedelta(seconds=n)
        db.session.commit()
    client.login(studio.owner_email)
    first = client.get("/app/settings/audit?action=studio.settings_changed").get_data(as_text=True)
    assert "field-59" in first and "field-05" not in first
    import re

    cursor = re.search(r"before=([^&\"]+)", first).group(1)
    second = client.get(f"/app/settings/audit?action=studio.settings_changed&before={cursor}").get_data(as_text=True)
    assert "field-05" in second and "field-59" not in second


def test_an_admin_reads_it_and_a_manager_may_not(app, new_client, studio):
    add_member(app, studio, "zhou@aurora.test", "admin")
    add_member(app, studio, "chen@aurora.test", "manager")
    admin, manager = new_client(), new_client()
    admin.login("zhou@aurora.test")
    manager.login("chen@aurora.test")
    assert admin.get("/app/settings/audit").status_code == 200
    assert manager.get("/app/settings/audit").status_code == 403
