"""The demo studio for `make run`: one person of each role, a second studio to switch to, realistic
Chinese and English names. Idempotent: a second run finds the studio and only prints the logins."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from saas.extensions import db
from saas.tenants import audit, services
from saas.tenants.isolation import set_tenant
from saas.tenants.models import Membership, Tenant, User
from saas.tenants.passwords import hash_password
from saas.tenants.roles import Role

DEMO_SLUG = "demo"
DEMO_PASSWORD = "atelier-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: Role
    locale: str


PEOPLE = (
    DemoPerson("林晓 Lin Xiao", "owner@demo.atelier.test", Role.OWNER, "zh_CN"),
    DemoPerson("周明 Zhou Ming", "admin@demo.atelier.test", Role.ADMIN, "zh_CN"),
    DemoPerson("陈静 Chen Jing", "manager@demo.atelier.test", Role.MANAGER, "zh_CN"),
    DemoPerson("王磊 Wang Lei", "designer@demo.atelier.test", Role.MEMBER, "zh_CN"),
    DemoPerson("Emma Clarke", "sales@demo.atelier.test", Role.MEMBER, "en"),
    DemoPerson("李娜 Li Na", "finance@demo.atelier.test", Role.FINANCE, "zh_CN"),
    DemoPerson("赵强 Zhao Qiang", "field@demo.atelier.test", Role.FIELD, "zh_CN"),
)


def ensure_demo() -> list[DemoPerson]:
    if db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG)) is None:
        _create_demo()
    return list(PEOPLE)


def _user(person: DemoPerson) -> User:
    user = User(email=person.email, name=person.name, password_hash=hash_password(DEMO_PASSWORD), locale=person.locale)
    db.session.add(user)
    return user


def _create_demo() -> None:
    owner, *staff = PEOPLE
    owner_membership = services.add_studio_for(_user(owner), "青柚设计工作室 Pomelo Design", DEMO_SLUG)
    tenant = owner_membership.tenant
    tenant.brand_color = "#2f6f5e"
    for person in staff:
        user = _user(person)
        user.last_tenant_id = tenant.id
        membership = Membership(user=user, tenant=tenant, role=person.role)
        db.session.add(membership)
        db.session.flush()
        audit.record("member.joined", membership, actor_id=user.id, email=person.email, role=person.role)
    db.session.flush()
    _second_studio(owner_membership.user)
    set_tenant(db.session(), None)


def _second_studio(owner: User) -> None:
    """A partner studio where the demo owner is a manager, so the studio switcher has something to show."""
    partner = _user(DemoPerson("Sofia Marin", "owner@northwind.atelier.test", Role.OWNER, "en"))
    northwind = services.add_studio_for(partner, "Northwind Interiors 北风室内", "northwind").tenant
    northwind.locale, northwind.currency, northwind.timezone = "en", "HKD", "Asia/Hong_Kong"
    db.session.add(Membership(user=owner, tenant=northwind, role=Role.MANAGER))
    owner.last_tenant_id = owner.last_tenant_id or northwind.id
    db.session.flush()
