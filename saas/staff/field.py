"""The field app's server side, at /field/: the installable offline app field staff open on their phones (its
pages, scripts and service worker live in pwa/, served from here), and the small JSON API it talks to with the
staff session — who is signed in, the visits to keep offline, the clients one may log a follow-up with, and
the sync endpoint that applies what the phone queued (saas/visits/sync.py).

A session that ended while the phone was offline answers 401 (JSON, never a redirect): the app keeps its queue
and sends it after the person signs in again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, g, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields

from saas.clients.queries import ClientFilters, client_page
from saas.db import utcnow
from saas.errors import ValidationFailed
from saas.schemas import load
from saas.staff.context import require_workspace
from saas.tenants.queries import studio_today
from saas.tenants.roles import Perm, has_perm, require
from saas.visits import queries, sync
from saas.visits.schemas import BatchSchema
from saas.web.errors import error_response
from saas.web.security import uploading_surface

bp = Blueprint("field", __name__, url_prefix="/field")
bp.before_request(uploading_surface)  # visit photos go to the bucket from the app and its worker


@bp.before_request
def _signed_in() -> ResponseReturnValue | None:
    if request.endpoint in PUBLIC:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/field/api/"):
            return error_response(401, _("Sign in again: your session has ended."), "session")
        return redirect(url_for("staff_auth.login", next=request.path))
    return require_workspace()


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> ResponseReturnValue:
    return jsonify(errors=exc.errors), 422


PUBLIC: set[str] = set()  # the shell's static pieces register themselves here (saas/staff/field_app.py)


# The JSON API the app talks to.


class SessionOut(Schema):
    user_id = fields.UUID()
    name = fields.String()
    role = fields.String()
    studio = fields.String()
    studio_slug = fields.String()
    brand_color = fields.String()
    locale = fields.String()
    timezone = fields.String()
    today = fields.Date()
    csrf_token = fields.String()
    can_record = fields.Boolean()


@bp.get("/api/session")
def session_state() -> ResponseReturnValue:
    """Who is signed in, where, and the CSRF token the app sends with its writes."""
    return jsonify(session_payload())


def session_payload() -> dict[str, Any]:
    """The signed-in person and studio as the app keeps them (also the shell's boot data)."""
    from saas.i18n import current_locale

    membership, tenant = g.membership, g.tenant
    state = {
        "user_id": membership.user_id,
        "name": membership.user.name,
        "role": membership.role,
        "studio": tenant.name,
        "studio_slug": tenant.slug,
        "brand_color": tenant.brand_color or "#2f6f62",
        "locale": current_locale(),
        "timezone": tenant.timezone,
        "today": studio_today(tenant.id),
        "csrf_token": generate_csrf(),
        "can_record": has_perm(membership.role, Perm.VISITS_RECORD),
    }
    return SessionOut().dump(state)


class ContactOut(Schema):
    id = fields.UUID()
    name = fields.String()
    title = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    wechat = fields.String(allow_none=True)
    decision_maker = fields.Boolean()


class ClientOut(Schema):
    id = fields.UUID()
    name = fields.String()
    status = fields.String()
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    payment_terms = fields.String(allow_none=True)
    credit_rating = fields.String(allow_none=True)
    notes = fields.String(allow_none=True)
    tags = fields.List(fields.String())


class FollowUpOut(Schema):
    id = fields.UUID()
    kind = fields.String()
    occurred_at = fields.DateTime()
    summary = fields.String()
    outcome = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    author = fields.Function(lambda i: i.author.name if i.author else None)


class TaskOut(Schema):
    id = fields.UUID()
    title = fields.String()
    due_on = fields.Date(allow_none=True)
    checklist = fields.List(fields.Dict())


class ProjectOut(Schema):
    id = fields.UUID()
    name = fields.String()
    stage = fields.Function(lambda p: p.stage.name if p.stage else None)


class VisitOut(Schema):
    id = fields.UUID()
    client_id = fields.UUID()
    contact_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    scheduled_start = fields.DateTime()
    scheduled_end = fields.DateTime()
    site_address = fields.String()
    site_lat = fields.Float(allow_none=True)
    site_lng = fields.Float(allow_none=True)
    purpose = fields.String()
    status = fields.String()
    check_in_at = fields.DateTime(allow_none=True)
    check_out_at = fields.DateTime(allow_none=True)
    # Where each was recorded, or why not: the phone shows it after a refresh as it did when it was recorded.
    check_in_position = fields.Function(lambda v: sync.recorded_position(v, "check_in"))
    check_in_problem = fields.String(allow_none=True)
    check_in_distance_m = fields.Float(allow_none=True)
    check_out_position = fields.Function(lambda v: sync.recorded_position(v, "check_out"))
    check_out_problem = fields.String(allow_none=True)
    check_out_distance_m = fields.Float(allow_none=True)
    notes = fields.String(allow_none=True)
    outcome = fields.String(allow_none=True)
    next_action = fields.String(allow_none=True)
    next_action_due = fields.Date(allow_none=True)
    signed_by = fields.String(allow_none=True)
    has_signature = fields.Function(lambda v: v.signature_file_id is not None)
    cancelled_reason = fields.String(allow_none=True)
    version = fields.Integer()


class BundleOut(Schema):
    """One visit with what it needs on site, offline."""

    visit = fields.Nested(VisitOut)
    client = fields.Nested(ClientOut)
    contacts = fields.List(fields.Nested(ContactOut))
    follow_ups = fields.List(fields.Nested(FollowUpOut))
    tasks = fields.List(fields.Nested(TaskOut))
    project = fields.Nested(ProjectOut, allow_none=True)


@bp.get("/api/visits")
def visits() -> ResponseReturnValue:
    """The worker's visits of today and tomorrow, with what each needs offline; the app stores them."""
    require(g.membership, Perm.VISITS_RECORD)
    return jsonify(primed_payload())


def primed_payload() -> dict[str, Any]:
    """What /field/api/visits answers, and what the shell carries for its first paint: the bundles, the studio's
    today, and when they were read (the app shows it as "last refreshed")."""
    today = studio_today(g.tenant.id)
    bundles = queries.primed(g.membership, today, g.tenant.timezone)
    return {"data": BundleOut(many=True).dump(bundles), "today": today.isoformat(), "at": utcnow().isoformat()}


class ClientChoiceOut(Schema):
    id = fields.UUID()
    name = fields.String()
    region = fields.String(allow_none=True)


@bp.get("/api/clients")
def clients() -> ResponseReturnValue:
    """The clients this person may see (for a follow-up or an unplanned visit), by name; `q` narrows."""
    filters = ClientFilters.from_args({"q": request.args.get("q", "")})
    page = client_page(g.membership, filters, None)
    return jsonify(data=ClientChoiceOut(many=True).dump(page.clients))


@bp.post("/api/sync")
def sync_changes() -> ResponseReturnValue:
    """Apply what the phone queued, in order, each exactly once; one answer per change."""
    require(g.membership, Perm.VISITS_RECORD)
    batch = load(BatchSchema(), _json())
    storage = current_app.extensions["atelier.storage"]
    return jsonify(results=sync.apply_batch(g.membership, storage, batch["changes"]))


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed({"_schema": [_("Send a JSON object with Content-Type: application/json.")]})
    return body
