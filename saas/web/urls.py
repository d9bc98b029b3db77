"""URLs: external links for e-mails sent from jobs, and the same-site check for redirects."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on BASE_URL; works in jobs, where there is no request to take the host from."""
    base_url = current_app.extensions["atelier.settings"].base_url
    with current_app.test_request_context(base_url=base_url):
        return url_for(endpoint, _external=True, **values)


def is_safe_redirect(target: str | None) -> bool:
    """Only paths on this site: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if any(ch in target for ch in ("\\", "\r", "\n", "\t")) or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def site_path(endpoint: str, **values: Any) -> str:
    """A path on this site, from a request or from a job (notifications store paths, not hosts)."""
    with current_app.test_request_context():
        return url_for(endpoint, **values)
