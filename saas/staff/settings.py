"""Studio settings: profile and logo, members and invitations, the audit trail. Owners and admins only."""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from saas.errors import ValidationFailed
from saas.ids import parse_uuid
from saas.schemas import load
from saas.staff.blueprint import bp
from saas.staff.context import requires
from saas.tenants import queries, services
from saas.tenants import tokens as token_service
from saas.tenants.access import get_invitation, get_membership
from saas.tenants.models import Invitation, Membership
from saas.tenants.roles import Perm, Role, grantable_roles
from saas.tenants.schemas import CURRENCIES, InviteSchema, RoleChangeSchema, StudioProfileSchema
from saas.web.inputs import FORM_OVERHEAD, accepts_body
from saas.web.pages import on_invalid, resolves

PROFILE_FIELDS = ("name", "brand_color", "currency", "timezone", "locale", "embed_origins", "version")


def _profile_page(form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    zones = queries.common_timezones(form.get("timezone"))
    max_logo_mb = current_app.extensions["atelier.settings"].max_logo_bytes / 1048576
    page = render_template(
        "staff/settings_studio.html",
        form=form,
        errors=errors,
        max_logo_mb=max_logo_mb,
        currency_options=[(c, c) for c in CURRENCIES],
        timezone_options=[(z, z) for z in zones],
    )
    return page, status


def _profile_values() -> dict:
    return {k: getattr(g.tenant, k) for k in PROFILE_FIELDS}


@bp.route("/settings/studio", methods=["GET", "POST"])
@requires(Perm.STUDIO_SETTINGS)
@on_invalid(lambda exc: _profile_page(request.form, exc.errors, 422))
def studio_settings() -> ResponseReturnValue:
    if request.method == "GET":
        return _profile_page(_profile_values(), {})
    services.update_profile(g.tenant, load(StudioProfileSchema(), request.form))
    flash(_("Studio settings saved."), "success")
    return redirect(url_for("staff.studio_settings"))


@bp.post("/settings/studio/logo")
@requires(Perm.STUDIO_SETTINGS)
@accepts_body(lambda: current_app.extensions["atelier.settings"].max_logo_bytes + FORM_OVERHEAD)
@on_invalid(lambda exc: _profile_page(_profile_values(), exc.errors, 422))
def upload_logo() -> ResponseReturnValue:
    upload = request.files.get("logo")
    settings = current_app.extensions["atelier.settings"]
    if upload is None or not upload.filename:
        raise ValidationFailed({"logo": [_("Choose an image to upload.")]})
    services.set_logo(
        g.tenant, current_app.extensions["atelier.storage"], upload.read(), upload.filename, settings.max_logo_bytes
    )
    flash(_("Logo updated."), "success")
    return redirect(url_for("staff.studio_settings"))


def _members_page(form: dict, errors: dict, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/members.html",
        members=queries.members(),
        invitations=queries.open_invitations(),
        grantable=grantable_roles(g.membership.role),
        form=form,
        errors=errors,
    ), status


@bp.get("/settings/members")
@requires(Perm.MEMBERS_VIEW)
def members() -> ResponseReturnValue:
    return _members_page({}, {})


def _member(_actor: Membership, membership_id: str) -> Membership:
    """A membership of this studio (the ORM scope keeps others out): for `resolves`, whoever asks."""
    return get_membership(membership_id)


def _invitation(_actor: Membership, invitation_id: str) -> Invitation:
    return get_invitation(invitation_id)


@bp.post("/settings/members/invite")
@requires(Perm.MEMBERS_INVITE)
@on_invalid(lambda exc: _members_page(request.form, exc.errors, 422))
def invite_member() -> ResponseReturnValue:
    data = load(InviteSchema(), request.form)
    invitation = services.invite(g.membership, data["email"], data["role"])
    flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("staff.members"))


@bp.post("/settings/members/<membership_id>/role")
@requires(Perm.MEMBERS_MANAGE)
@resolves(membership=_member)
@on_invalid(lambda exc, **_records: _members_page({}, exc.errors, 422))
def change_member_role(membership: Membership) -> ResponseReturnValue:
    data = load(RoleChangeSchema(), request.form)
    services.change_role(g.membership, membership, data["role"], data["version"])
    flash(_("Role of %(name)s changed.", name=membership.user.name), "success")
    return redirect(url_for("staff.members"))


@bp.post("/settings/members/<membership_id>/<any(deactivate, reactivate):action>")
@requires(Perm.MEMBERS_MANAGE)
@resolves(membership=_member)
@on_invalid(lambda exc, **_records: _members_page({}, exc.errors, 422))
def set_member_active(membership: Membership, action: str) -> ResponseReturnValue:
    try:
        version = int(request.form.get("version", "0"))
        services.set_member_active(g.membership, membership, action == "reactivate", version)
    except ValueError:
        return _members_page({}, {"version": [_("Not a valid value.")]}, 422)
    message = (
        _("%(name)s can work here again.")
        if action == "reactivate"
        else _("%(name)s no longer has access; their sessions have ended.")
    )
    flash(message % {"name": membership.user.name}, "success")
    return redirect(url_for("staff.members"))


@bp.post("/settings/invitations/<invitation_id>/<any(resend, revoke):action>")
@requires(Perm.MEMBERS_INVITE)
@resolves(invitation=_invitation)
@on_invalid(lambda exc, **_records: _members_page({}, exc.errors, 422))
def invitation_action(invitation: Invitation, action: str) -> ResponseReturnValue:
    if action == "resend":
        services.resend_invitation(invitation)
    else:
        services.revoke_invitation(invitation)
    flash(_("Invitation sent again.") if action == "resend" else _("Invitation withdrawn."), "success")
    return redirect(url_for("staff.members"))


@bp.get("/settings/audit")
@requires(Perm.AUDIT_READ)
def audit_trail() -> ResponseReturnValue:
    page = queries.audit_page(request.args.get("before"), request.args.get("action") or None)
    return render_template(
        "staff/audit.html", page=page, action=request.args.get("action", ""), actions=queries.audit_actions()
    )


def _tokens_page(errors: dict, form: dict, new_token: str | None = None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "staff/api_tokens.html",
        tokens=token_service.tokens(),
        errors=errors,
        form=form,
        new_token=new_token,
        roles=token_roles(g.membership.role),
    ), status


def token_roles(role: str) -> tuple[str, ...]:
    return tuple(Role) if role == Role.OWNER else (role, *grantable_roles(role))


@bp.get("/settings/api-tokens")
@requires(Perm.API_TOKENS)
def api_tokens() -> ResponseReturnValue:
    return _tokens_page({}, {})


@bp.post("/settings/api-tokens")
@requires(Perm.API_TOKENS)
@on_invalid(lambda exc: _tokens_page(exc.errors, request.form, status=422))
def create_api_token() -> ResponseReturnValue:
    _token, raw = token_service.create_token(g.membership, request.form.get("name", ""), request.form.get("role", ""))
    # Shown once, in this response only (never stored, never put in a redirect or the session).
    return _tokens_page({}, {}, new_token=raw)


@bp.post("/settings/api-tokens/<token_id>/revoke")
@requires(Perm.API_TOKENS)
def revoke_api_token(token_id: str) -> ResponseReturnValue:
    token = next((t for t in token_service.tokens() if t.id == parse_uuid(token_id)), None)
    if token is None:
        raise NotFound()
    token_service.revoke_token(g.membership, token)
    flash(_("Token %(name)s revoked; it stops working now.", name=token.name), "success")
    return redirect(url_for("staff.api_tokens"))
