"""Portal entry: resolves the studio from the URL once per request; an unknown slug is a 404."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from saas.extensions import db
from saas.tenants.access import tenant_by_slug
from saas.tenants.isolation import set_tenant

bp = Blueprint("portal", __name__, url_prefix="/portal/<slug>", template_folder="templates")


@bp.url_value_preprocessor
def _resolve_studio(_endpoint: str | None, values: dict | None) -> None:
    g.portal_tenant = tenant_by_slug((values or {}).pop("slug", ""))
    set_tenant(db.session(), g.portal_tenant.id)


@bp.url_defaults
def _add_slug(_endpoint: str, values: dict) -> None:
    if "portal_tenant" in g:
        values.setdefault("slug", g.portal_tenant.slug)


@bp.get("/")
def landing() -> ResponseReturnValue:
    """The studio-branded front door clients reach from their e-mails."""
    return render_template("portal/landing.html", tenant=g.portal_tenant)
