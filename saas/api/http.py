"""/api/v1's plumbing: the blueprint and its operations registry (`api`), bearer-token authentication, per-token
rate limits, If-Match, and the API's one error handler: every refusal is `{"errors": {field: [messages]}}` with
its status. Resource routes live in views (clients), projects, billing and proofing."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from saas import origin
from saas.api.limits import add_limit_headers, check_token_limit, init_token_limits
from saas.api.operations import Api
from saas.errors import ValidationFailed
from saas.extensions import csrf, limiter
from saas.tenants.tokens import Principal, authenticate

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)  # bearer tokens, not cookies: nothing for a cross-site form to ride on
api = Api(bp)
UNAUTHENTICATED = ("api.openapi", "api.docs")


# The per-token limit is the API's own (saas/api/limits.py): Flask-Limiter leaves the blueprint alone.
limiter.request_filter(lambda: request.blueprint == bp.name)
bp.record_once(lambda state: init_token_limits(state.app))


@bp.before_request
def _limit() -> None:
    """Before the token is looked up: a flood of requests with made-up tokens costs no database work."""
    if request.endpoint not in UNAUTHENTICATED:
        check_token_limit()


@bp.after_request
def _limit_headers(response: Response) -> Response:
    return add_limit_headers(response)


@bp.before_request
def _authenticate() -> ResponseReturnValue | None:
    if request.endpoint in UNAUTHENTICATED:
        return None
    header = request.headers.get("Authorization", "")
    found = authenticate(header[7:].strip()) if header.startswith("Bearer ") else None
    if found is None:
        response = _errors({"_schema": [_("A valid API token is required (Authorization: Bearer …).")]}, 401)
        response.headers["WWW-Authenticate"] = 'Bearer realm="atelier"'
        return response
    g.principal = found
    origin.set_origin(found.user_id, request.remote_addr)
    return None


def principal() -> Principal:
    return g.principal


# If-Match: every PATCH names the version it read, so two programs never overwrite each other blindly.


class PreconditionRequired(Exception):
    """No If-Match, or `If-Match: *` (which would overwrite whatever is there): 428."""


class PreconditionFailed(Exception):
    """If-Match names another version than the record's: 412, with the current ETag."""

    def __init__(self, version: int) -> None:
        super().__init__(version)
        self.version = version


def check_version(version: int, required: bool = True) -> None:
    """Call before changing a record whose operation declares `if_match`. `required=False`: a request without
    If-Match is let through (recording a payment, which is refused anyway if it would overpay)."""
    g.version_checked = True
    header = request.if_match
    if not header and not required:
        return
    if not header or header.star_tag:
        raise PreconditionRequired()
    if not header.contains_weak(str(version)):
        raise PreconditionFailed(version)


# The one error handler of the API (NotFound, NotAllowed, Conflict and the rest answer JSON app-wide).


def _errors(errors: dict[str, list[str]], status: int) -> Response:
    response = jsonify(errors=errors)
    response.status_code = status
    return response


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> Response:
    return _errors(exc.errors, 422)


@bp.errorhandler(PreconditionRequired)
def _precondition_required(_exc: PreconditionRequired) -> Response:
    message = _("Send the ETag you read as If-Match, so edits never collide (`*` is not accepted).")
    return _errors({"If-Match": [message]}, 428)


@bp.errorhandler(PreconditionFailed)
def _precondition_failed(exc: PreconditionFailed) -> Response:
    response = _errors({"If-Match": [_("This record changed since you read it. GET it again.")]}, 412)
    response.set_etag(str(exc.version), weak=True)
    return response


@bp.after_request
def _keep_to_the_contract(response: Response) -> Response:
    """An answer the operation's declaration does not document is a bug in the declaration or the view: logged
    in production, refused in tests so that the OpenAPI document cannot drift from what the code does."""
    op = api.current()
    if op is None or response.status_code >= 500:
        return response
    problem = None
    if response.status_code not in op.statuses():
        problem = f"{op.endpoint} answered {response.status_code}, which its declaration does not list"
    elif op.if_match == "required" and response.status_code < 300 and not g.get("version_checked"):
        problem = f"{op.endpoint} declares If-Match but changed the record without check_version()"
    if problem is None:
        return response
    log.error("API contract: %s", problem)
    if current_app.extensions["atelier.settings"].env == "test":
        return _errors({"_contract": [problem]}, 500)
    return response
