"""The field app's shell, served from the repository's pwa/ directory at /field/ (no build step): the page itself,
its web manifest and icons in the studio's name and colour, the service worker, and the static modules.

The service worker's VERSION is a hash of every file in pwa/, computed once at start-up: any change to the shell
makes a new worker, which precaches the new shell beside the old one, waits, and takes over only when the worker
taps "reload" (pwa/sw.js) — a page is never half old, half new.

Two shells: `/field/` is rendered for the signed-in person with their session, messages and today's visits in a
JSON block, so the first paint needs no further request; `/field/shell.html` is the same page with no personal
data, public, which the service worker precaches and answers every navigation with (offline included). The app
then draws from what it stored on the phone (pwa/js/app.js).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import Response, abort, g, request, send_from_directory, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import Environment, FileSystemLoader, select_autoescape
from PIL import Image, ImageDraw, ImageFont

from saas.i18n import current_locale, html_lang
from saas.staff.context import require_workspace
from saas.staff.field import PUBLIC, bp, primed_payload, session_payload
from saas.tenants.roles import Perm, has_perm

PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
NOT_STATIC = {"index.html", "sw.js", "README.md"}  # rendered by their own routes, or not part of the app
GENERIC_COLOR = "#2f6f5e"
ICON_SIZES = (192, 512)
HEX = re.compile(r"^#?[0-9a-fA-F]{6}$")


def _app_files() -> list[Path]:
    return sorted(p for p in PWA_DIR.rglob("*") if p.is_file() and p.name != "README.md" and "." in p.name)


@cache
def pwa_version() -> str:
    """A hash of the shell's files (names and bytes): computed once per process, at start-up."""
    digest = hashlib.sha256()
    for path in _app_files():
        digest.update(path.relative_to(PWA_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def precached() -> tuple[str, ...]:
    """What the worker stores at install: the shell and every static module, style and message file."""
    files = [p.relative_to(PWA_DIR).as_posix() for p in _app_files()]
    return ("/field/shell.html", *(f"/field/static/{name}" for name in files if name not in NOT_STATIC))


@cache
def _shell_template():
    env = Environment(loader=FileSystemLoader(PWA_DIR), autoescape=select_autoescape(["html"]))
    return env.get_template("index.html")


@cache
def messages(locale: str) -> dict[str, str]:
    return json.loads((PWA_DIR / "i18n" / f"{'zh_CN' if locale == 'zh_CN' else 'en'}.json").read_text("utf-8"))


def warm_up() -> None:
    """Called when the blueprint is registered: the version and the template are read once, at start-up."""
    pwa_version()
    precached()


def _render_shell(boot: dict[str, Any], locale: str, title: str) -> Response:
    page = _shell_template().render(
        boot=boot,
        lang=html_lang(locale),
        title=title,
        version=pwa_version(),
        modules=[name for name in precached() if name.endswith(".js")],
    )
    return Response(page, mimetype="text/html")


@bp.get("/")
def app_shell() -> ResponseReturnValue:
    """The app for the signed-in person, with what the first paint needs (the before_request sends a signed-out
    person to sign in, and back here)."""
    locale = current_locale()
    boot: dict[str, Any] = {"version": pwa_version(), "session": session_payload(), "messages": messages(locale)}
    if has_perm(g.membership.role, Perm.VISITS_RECORD):
        boot["primed"] = primed_payload()
    response = _render_shell(boot, locale, g.tenant.name)
    response.headers["Cache-Control"] = "no-store"  # personal data
    return response


@bp.get("/shell.html")
def neutral_shell() -> ResponseReturnValue:
    """The same page without anyone's data: what the service worker keeps and opens offline."""
    response = _render_shell({"version": pwa_version(), "shell": True}, "zh_CN", "Atelier")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    source = (PWA_DIR / "sw.js").read_text("utf-8")
    source = source.replace("__VERSION__", pwa_version()).replace('"__PRECACHE__"', json.dumps(list(precached())))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"  # browsers check for a new worker on every start
    response.headers["Service-Worker-Allowed"] = "/field/"
    return response


@bp.get("/static/<path:name>")
def static_file(name: str) -> ResponseReturnValue:
    if name in NOT_STATIC or name.split("/")[-1].startswith("."):
        abort(404)
    response = send_from_directory(PWA_DIR, name, max_age=0)
    response.headers["Cache-Control"] = "no-cache"  # revalidated (ETag); offline, the worker's copy answers
    if name.endswith(".js"):
        response.mimetype = "text/javascript"
    return response


def _studio() -> Any:
    """The signed-in person's studio, or None: the manifest and icons also answer signed out."""
    if not current_user.is_authenticated:
        return None
    return g.tenant if require_workspace() is None else None


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    tenant = _studio()
    color = _color(tenant.brand_color if tenant else GENERIC_COLOR)
    name = tenant.name if tenant else "Atelier"
    initial = _initial(tenant.name, tenant.slug) if tenant else "A"

    def icon(size: int, purpose: str = "any") -> dict[str, str]:
        src = url_for("field.icon", size=size, c=color.lstrip("#"), t=initial, m=int(purpose == "maskable"))
        return {"src": src, "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}

    body = {
        "id": "/field/",
        "name": _("%(studio)s · Field", studio=name),
        "short_name": name[:12],
        "description": _("Today's visits, offline: check in and out, notes, photos, signatures."),
        "lang": html_lang(current_locale()),
        "start_url": "/field/",
        "scope": "/field/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": color,
        "icons": [*(icon(size) for size in ICON_SIZES), icon(512, "maskable")],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _color(value: str | None) -> str:
    return f"#{value.lstrip('#').lower()}" if value and HEX.match(value) else GENERIC_COLOR


def _initial(name: str, slug: str) -> str:
    first = (name or "").strip()[:1]
    if first and (first.isascii() or _font_path(first) is not None):
        return first.upper()
    return (slug or "A")[:1].upper()


@bp.get("/icons/<int:size>.png")
def icon(size: int) -> ResponseReturnValue:
    if size not in ICON_SIZES:
        abort(404)
    color = request.args.get("c", GENERIC_COLOR)
    initial = request.args.get("t", "A")[:1] or "A"
    if not HEX.match(color):
        abort(404)
    response = Response(_icon_png(size, _color(color), initial, request.args.get("m") == "1"), mimetype="image/png")
    response.headers["Cache-Control"] = "public, max-age=86400"  # the URL names everything drawn
    return response


FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
)


@lru_cache(maxsize=64)
def _font_path(text: str) -> str | None:
    """A font on this machine that has the glyph (CJK fonts come with `make test`'s packages; not everywhere)."""
    for path in FONTS if not text.isascii() else FONTS[::-1]:
        if Path(path).exists() and (text.isascii() or "CJK" in path):
            return path
    return None


@lru_cache(maxsize=256)
def _icon_png(size: int, color: str, initial: str, maskable: bool) -> bytes:
    """The studio's colour with its initial in white. A maskable icon fills the square (the launcher cuts its own
    shape) and keeps the letter inside the middle 80%; the plain one is a rounded square on transparency."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, size, size), fill=color)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=color)
    path = _font_path(initial)
    if path is None and not initial.isascii():
        initial = "A"
    glyph = int(size * (0.42 if maskable else 0.55))
    font = ImageFont.truetype(path, glyph) if path else ImageFont.load_default(glyph)
    draw.text((size / 2, size / 2), initial, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


PUBLIC.update({"field.neutral_shell", "field.service_worker", "field.static_file", "field.manifest", "field.icon"})
