"""Studio branding served to every surface (workspace, portal, e-mails): the logo, from whichever storage."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, Response, current_app
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.extensions import limiter
from saas.files.storage import FileMissing
from saas.tenants.access import tenant_by_slug

bp = Blueprint("brand", __name__, url_prefix="/brand")


@bp.get("/<slug>/logo")
@limiter.exempt
def logo(slug: str) -> ResponseReturnValue:
    tenant = tenant_by_slug(slug)
    if not tenant.logo_key:
        raise NotFound()
    try:
        data = current_app.extensions["atelier.storage"].get(tenant.logo_key)
    except FileMissing as exc:
        raise NotFound() from exc
    content_type = mimetypes.guess_type(tenant.logo_key)[0] or "application/octet-stream"
    response = Response(data, mimetype=content_type)
    # The key changes with every upload, so the URL carries ?v=<key> and may be cached for long.
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Content-Disposition"] = "inline"
    return response
