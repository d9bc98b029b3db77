"""The workspace home (the person's day, and the first-run guide) and the studio switcher."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from saas.ids import parse_uuid
from saas.staff.blueprint import bp
from saas.staff.context import Deactivated, choose_membership, enter_workspace
from saas.staff.today import my_day
from saas.tenants import onboarding


@bp.get("/")
def home() -> ResponseReturnValue:
    today = datetime.now(ZoneInfo(g.tenant.timezone)).date()
    return render_template(
        "staff/home.html",
        steps=onboarding.first_run_steps(g.tenant, g.membership),
        day=my_day(g.membership, today, g.tenant.timezone),
        today=today,
    )


@bp.post("/switch")
def switch_studio() -> ResponseReturnValue:
    wanted = parse_uuid(request.form.get("tenant_id", ""))
    try:
        membership = choose_membership(current_user, wanted)
    except Deactivated:
        abort(404)
    if membership is None or membership.tenant_id != wanted:
        abort(404)
    enter_workspace(membership)
    current_user.last_tenant_id = membership.tenant_id
    session["tenant_id"] = str(membership.tenant_id)
    flash(_("You are now working in %(studio)s.", studio=membership.tenant.name), "info")
    return redirect(url_for("staff.home"))
