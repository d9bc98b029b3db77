"""`client_id_visible_to` limits rows that belong to a client (projects, documents…) to the clients a person may
see, also inside a query that joins `clients` itself (a report, a list sorted by client name)."""

from __future__ import annotations

from sqlalchemy import select

from saas.clients.access import client_id_visible_to
from saas.clients.models import Client
from saas.extensions import db
from saas.isolation import set_tenant
from saas.projects.models import Project
from saas.tenants.models import Membership
from tests.conftest import add_member
from tests.factories import create, new_project


def test_rows_of_visible_clients_also_when_the_query_joins_clients(app, client, new_client, studio):
    client.login(studio.owner_email)
    new_project(client, create(client, {"name": "Owner Co"}), name="Owner's project")
    membership_id = add_member(app, studio, "wang@aurora.test", "member")
    wang = new_client()
    wang.login("wang@aurora.test")
    new_project(wang, create(wang, {"name": "Wang Co"}), name="Wang's project")

    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        wang_membership = db.session.scalar(select(Membership).where(Membership.id == membership_id))
        joined = (
            select(Project.name, Client.name)
            .join(Client, Client.id == Project.client_id)
            .where(client_id_visible_to(wang_membership, Project.client_id))
            .order_by(Client.name)
        )
        assert db.session.execute(joined).all() == [("Wang's project", "Wang Co")]
        alone = select(Project.name).where(client_id_visible_to(wang_membership, Project.client_id))
        assert db.session.scalars(alone).all() == ["Wang's project"]
