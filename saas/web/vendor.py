"""Front-end libraries from npm, served from node_modules (installed by `make install` from package-lock.json,
never copied into the repository, never loaded from a CDN). Only the files named here are reachable.

Each URL carries the package's version, so browsers may keep a file for a year and a new pin is fetched at once.
Without node_modules (npm absent on the machine) the route answers 404 and the pages keep working: charts
stay the tables they are drawn over."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory, url_for
from werkzeug.wrappers import Response

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# name → (package, file inside the package)
FILES = {
    "echarts.js": ("echarts", "dist/echarts.esm.min.mjs"),
}
YEAR = 365 * 24 * 3600

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@cache
def package_version(package: str) -> str | None:
    try:
        return json.loads((NODE_MODULES / package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def vendor_url(name: str) -> str:
    package, _ = FILES[name]
    return url_for("vendor.asset", name=name, v=package_version(package) or "missing")


@bp.get("/<name>")
def asset(name: str) -> Response:
    if name not in FILES:
        abort(404)
    package, path = FILES[name]
    response = send_from_directory(NODE_MODULES / package, path, max_age=YEAR, mimetype="text/javascript")
    response.cache_control.immutable = True
    return response


def init_vendor(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["vendor_url"] = vendor_url
