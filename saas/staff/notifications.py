"""The bell: a staff member's notifications in this studio, newest first; opening one marks it read."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from saas.notify import services
from saas.staff.blueprint import bp
from saas.web.urls import is_safe_redirect


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    return render_template("staff/notifications.html", notes=services.latest(user_id=g.membership.user_id))


@bp.get("/notifications/<note_id>")
def open_notification(note_id: str) -> ResponseReturnValue:
    link = services.open_one(note_id, user_id=g.membership.user_id)
    if link is None:
        abort(404)
    return redirect(link if is_safe_redirect(link) else url_for("staff.notifications"))


@bp.post("/notifications/read")
def read_all_notifications() -> ResponseReturnValue:
    services.mark_all_read(user_id=g.membership.user_id)
    return redirect(url_for("staff.notifications"))
