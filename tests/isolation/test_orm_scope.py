"""Layer 1 of isolation: the ORM scopes every query on a studio-owned model, and fails closed."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from saas.extensions import db
from saas.isolation import ALL_TENANTS, CrossTenantWrite, TenantNotSet, UnscopableStatement, set_tenant, set_user
from saas.tenants.models import AuditEvent, Invitation, Membership, Tenant
from tests.conftest import add_member


def test_queries_see_only_the_current_studio(app, studio, other_studio):
    """With studio A set, a plain select, a count and a get by B's id all see only A."""
    add_member(app, other_studio, "x@bamboo.test", "member")
    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        assert {m.tenant_id for m in session.scalars(select(Membership))} == {studio.tenant_id}
        assert session.scalar(select(func.count()).select_from(Membership)) == 1
        ids = select(Membership.id).subquery()
        assert session.scalar(select(func.count()).select_from(ids)) == 1
        assert session.get(Membership, other_studio.owner_membership_id) is None
        assert session.get(Membership, studio.owner_membership_id) is not None


def test_no_studio_set_raises_instead_of_returning_everything(app, studio):
    with app.app_context():
        session = db.session()
        set_tenant(session, None)
        with pytest.raises(TenantNotSet):
            session.scalars(select(Membership)).all()
        with pytest.raises(TenantNotSet):
            session.get(AuditEvent, studio.owner_membership_id)


def test_joined_and_aliased_queries_are_scoped_too(app, studio, other_studio):
    """A join from a global table (tenants) into a studio table still gets the filter."""
    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        rows = session.execute(select(Tenant.slug, Membership.role).join(Membership, Membership.tenant_id == Tenant.id))
        assert [r.slug for r in rows] == ["aurora"]


def test_bulk_update_and_delete_cannot_reach_another_studio(app, studio, other_studio):
    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        session.execute(update(Membership).values(active=False).execution_options(synchronize_session=False))
        session.execute(delete(AuditEvent))
        session.commit()
        set_tenant(session, other_studio.tenant_id)
        assert session.get(Membership, other_studio.owner_membership_id).active is True
        assert session.scalar(select(func.count()).select_from(AuditEvent)) > 0


def test_new_rows_are_stamped_and_cross_studio_writes_refused(app, studio, other_studio):
    from datetime import timedelta

    from saas.db import utcnow

    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        invitation = Invitation(
            email="a@x.test", role="member", token_hash="h" * 64, expires_at=utcnow() + timedelta(1)
        )
        session.add(invitation)
        session.flush()
        assert invitation.tenant_id == studio.tenant_id

        foreign = Invitation(
            tenant_id=other_studio.tenant_id, email="b@x.test", role="member", token_hash="i" * 64, expires_at=utcnow()
        )
        session.add(foreign)
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()


def test_moving_a_row_to_another_studio_is_refused(app, studio, other_studio):
    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        membership = session.get(Membership, studio.owner_membership_id)
        membership.tenant_id = other_studio.tenant_id
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()


def test_a_tenant_relationship_pointing_elsewhere_is_refused(app, studio, other_studio):
    """Setting `tenant=` to another studio would overwrite tenant_id at flush; the check sees it first."""
    with app.app_context():
        session = db.session()
        set_tenant(session, studio.tenant_id)
        owner = session.get(Membership, studio.owner_membership_id).user
        session.add(Membership(user=owner, tenant=session.get(Tenant, other_studio.tenant_id), role="member"))
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()


def test_the_all_tenants_option_lifts_only_the_orm_layer(app, studio, other_studio):
    """The one cross-studio read (a person's own studios) must say so. It lifts the ORM filter only: on
    PostgreSQL, RLS still shows the signed-in person their own memberships and nobody else's."""
    with app.app_context():
        session = db.session()
        owner = _owner_id(session, studio)
        set_tenant(session, None)
        set_user(session, owner)
        rows = session.scalars(select(Membership).execution_options(**{ALL_TENANTS: True})).all()
        backend = session.get_bind().dialect.name
    assert owner in {m.user_id for m in rows}
    if backend == "postgresql":
        assert {m.user_id for m in rows} == {owner}
    else:
        assert {m.tenant_id for m in rows} == {studio.tenant_id, other_studio.tenant_id}


def _owner_id(session, studio):
    set_tenant(session, studio.tenant_id)
    return session.get(Membership, studio.owner_membership_id).user_id


def test_one_statement_object_is_scoped_to_whichever_studio_is_current(app, studio, other_studio):
    """The scope is compiled once and takes the studio as a parameter of each execution: the same statement,
    cached and prepared, run under A then B, sees A's rows then B's, never the other's."""
    add_member(app, other_studio, "x@bamboo.test", "member")
    statement = select(Membership.tenant_id, func.count()).group_by(Membership.tenant_id)
    with app.app_context():
        session = db.session()
        for current, members in ((studio, 1), (other_studio, 2), (studio, 1)):
            set_tenant(session, current.tenant_id)
            assert session.execute(statement).all() == [(current.tenant_id, members)]
            session.commit()


def test_relationship_loads_are_scoped_and_bulk_updates_by_key_refused(app, studio, other_studio):
    """A relationship loaded in its own statement gets the studio's value. An UPDATE given a list of rows by
    primary key, to which SQLAlchemy adds no criteria, is refused: it would change another studio's row."""
    from saas.clients.models import Client, Contact, Interaction

    with app.app_context():
        session = db.session()
        set_tenant(session, other_studio.tenant_id)
        theirs = Client(name="Bamboo's client", tags=[])
        session.add(theirs)
        session.flush()
        session.add(Contact(client_id=theirs.id, name="Their contact"))
        session.commit()
        theirs_id = theirs.id

        set_tenant(session, studio.tenant_id)
        ours = Client(name="Aurora's client", tags=[])
        session.add(ours)
        session.flush()
        session.add(Contact(client_id=ours.id, name="Our contact"))
        session.commit()
        session.expire_all()
        assert [c.name for c in session.get(Client, ours.id).contacts] == ["Our contact"]
        # An object read by a query, expired by a rollback, reloads by key with its joined relationships (a follow-up
        # with its client): the reload is a statement the scope has to fill in too, not only the first query.
        session.add(Interaction(client_id=ours.id, kind="call", summary="Called"))
        session.commit()
        session.expunge_all()
        found = session.scalars(select(Interaction)).one()
        session.rollback()
        assert (found.summary, found.client.name) == ("Called", "Aurora's client")
        assert [c.name for c in found.client.contacts] == ["Our contact"]
        rows = [{"id": ours.id, "version": 1, "notes": "ours"}, {"id": theirs_id, "version": 1, "notes": "theirs"}]
        with pytest.raises(UnscopableStatement):
            session.execute(update(Client), rows)
        session.rollback()

        set_tenant(session, other_studio.tenant_id)
        assert session.get(Client, theirs_id).notes is None
