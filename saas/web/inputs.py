"""What a request may bring in, checked once at the door for every surface (pages, portal, API, webhooks, public
pages), before any view reads it.

Size: a body larger than MAX_REQUEST_BYTES is refused with 413 before it is read or parsed. The few endpoints
that take files through the app (a logo, a signed contract, the local-storage upload) declare their own limit
with `@accepts_body(...)`; with S3, uploads go to the bucket and never come here.

Text: control characters (NUL and the other C0/C1 controls but tab, line feed and carriage return), lone
surrogates, non-characters and U+FFFD (what broken UTF-8 decodes to) have no business in any field: PostgreSQL
refuses NUL and cannot encode a lone surrogate, SQLite would store them silently. Wherever they appear — the
query string, a form field, a JSON value or key at any depth, an uploaded file's name — the request is refused
with 422 naming the field, and nothing is written, on both databases. In a path parameter they read as a
record that does not exist (404). Header values that are stored (the browser's User-Agent on a session) are
cleaned with `clean()` instead, since a person cannot correct them.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from saas.schemas import FORBIDDEN, text_problems

BodyLimit = Callable[[], int]
FORM_OVERHEAD = 64 * 1024  # a multipart form's other fields and boundaries, around the file it carries


def accepts_body(limit: BodyLimit) -> Callable[[Callable], Callable]:
    """Let this endpoint take a body up to `limit()` bytes (files through the app) instead of the default."""

    def decorator(view: Callable) -> Callable:
        view.max_body_bytes = limit  # type: ignore[attr-defined]  # functools.wraps carries it outwards
        return view

    return decorator


def clean(value: str | None) -> str:
    """A header value fit to store: the forbidden characters removed."""
    return FORBIDDEN.sub("", value or "")


def init_input_checks(app: Flask) -> None:
    """Registered before every other request hook (CSRF's included), so nothing reads a body first."""

    @app.before_request
    def _at_the_door() -> ResponseReturnValue | None:
        _set_body_limit()
        if any(FORBIDDEN.search(str(value)) for value in (request.view_args or {}).values()):
            raise NotFound()
        problems = _request_problems()
        if not problems:
            return None
        from saas.web.errors import error_response

        field, messages = next(iter(problems.items()))
        response = error_response(422, f"{field}: {messages[0]}", field)
        if response.is_json:
            response.set_data(current_app.json.dumps({"errors": problems}))
        return response


def _set_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit: BodyLimit | None = getattr(view, "max_body_bytes", None)
    request.max_content_length = limit() if limit else current_app.extensions["atelier.settings"].max_request_bytes


def _request_problems() -> dict[str, list[str]]:
    problems = _not_utf8(request.query_string)
    problems.update(text_problems(request.args.to_dict(flat=False)))
    if request.mimetype == "application/json":
        problems.update(text_problems(request.get_json(silent=True)))
    elif request.mimetype == "application/x-www-form-urlencoded":
        problems.update(_not_utf8(request.get_data(cache=True)))
        problems.update(text_problems(request.form.to_dict(flat=False)))
    elif request.mimetype == "multipart/form-data":
        problems.update(text_problems(request.form.to_dict(flat=False)))
        names = {key: [f.filename or "" for f in files] for key, files in request.files.lists()}
        problems.update(text_problems(names))
    return {field.removesuffix(".0"): messages for field, messages in problems.items()}


def _not_utf8(encoded: bytes) -> dict[str, list[str]]:
    """Fields of a URL-encoded string whose bytes are not UTF-8 (werkzeug would keep them percent-encoded)."""
    problems: dict[str, list[str]] = {}
    for pair in encoded.split(b"&"):
        key, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
            unquote_to_bytes(key.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            name = unquote_to_bytes(key).decode("utf-8", errors="replace") or "_schema"
            problems[name] = [text_problems("\x00")["_schema"][0]]
    return problems
