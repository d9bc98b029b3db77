"""The studio's plan: what it allows, what the studio uses, and (for the owner) subscribing through Stripe
Checkout or managing the card and cancellation in Stripe's customer portal."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from saas.payments import gateway
from saas.plans import limits
from saas.plans import services as plans
from saas.plans.catalog import PLANS
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants.roles import Perm
from saas.web.pages import flash_and_return, on_invalid
from saas.web.urls import external_url


@bp.get("/settings/plan")
@requires(Perm.BILLING_SETTINGS)
def plan_page() -> ResponseReturnValue:
    return render_template(
        "staff/plan.html",
        standing=limits.standing(),
        used=limits.usage(),
        plans=list(PLANS.values()),
        prices=gateway.settings().stripe_prices if gateway.enabled() else {},
        subscription=plans.subscription_of(),
        welcome=request.args.get("subscribed") == "1",
    )


@bp.post("/settings/plan/<any(subscribe, manage):action>")
@requires(Perm.BILLING_SETTINGS)
@on_invalid(flash_and_return(lambda: url_for("staff.plan_page")))
def change_plan(action: str) -> ResponseReturnValue:
    back = external_url("staff.plan_page")
    if action == "subscribe":
        done = external_url("staff.plan_page", subscribed="1")
        url = plans.upgrade_url(g.membership, request.form.get("plan", ""), done, back)
    else:
        url = plans.portal_url(g.membership, back)
    return redirect(url, 303)
