"""One way to answer errors: an HTML page for people, `{"errors": {...}}` JSON for programs."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from saas.errors import Conflict, NotAllowed
from saas.extensions import db


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.is_json:  # a program sending JSON reads JSON back
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str, field: str = "_schema") -> Response:
    if wants_json():
        response = jsonify({"errors": {field: [message]}})
    else:
        response = Response(_error_page(status, message), mimetype="text/html")
    response.status_code = status
    return response


def conflict_response(exc: Conflict | None) -> Response:
    message = (exc.message if exc is not None else None) or _messages()[409]
    return error_response(409, message, exc.field if exc is not None else "version")


def _error_page(status: int, message: str) -> str:
    try:
        return render_template("error.html", status=status, message=message)
    except Exception:  # the error page itself failed (a broken template, no database): answer anyway
        return f"<!doctype html><title>{status}</title><p>{escape(message)}</p>"


def status_message(code: int) -> str:
    return _messages().get(code, "")


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("Your role does not allow this."),
        404: _("This page does not exist, or you do not have access to it."),
        405: _("This action is not available here."),
        409: _("Someone else changed this in the meantime. Reload the page to see their changes, then try again."),
        413: _("This is more than Atelier accepts in one request."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again."),
    }


def init_error_handlers(app: Flask) -> None:
    from saas.web.transaction import conflict_for

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> Response:
        return error_response(
            400, _("This form has expired or was not sent from Atelier. Reload the page and try again."), "csrf_token"
        )

    @app.errorhandler(NotAllowed)
    def _not_allowed(_exc: NotAllowed) -> Response:
        return error_response(403, _messages()[403])

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict) -> Response:
        return conflict_response(exc)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    @app.errorhandler(OperationalError)
    def _lost_race(exc: Exception) -> Response:
        """A flush inside the view lost a race with a parallel request: the same 409 as at commit."""
        db.session.rollback()
        if (conflict := conflict_for(exc)) is None:
            return _unexpected(exc)
        return conflict_response(conflict)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        response = error_response(exc.code or 500, _messages().get(exc.code or 500, exc.description or ""))
        if exc.code == 429 and getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        if exc.code == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error", exc_info=exc)
        return error_response(500, _messages()[500])
