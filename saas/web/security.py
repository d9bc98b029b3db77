"""Security headers on every response (ASVS V14): a strict CSP with a per-request nonce, HSTS over HTTPS. Frames
are refused everywhere (frame-ancestors 'none', X-Frame-Options DENY) except on pages that set
`g.frame_ancestors` (the public forms at /f/, which studios embed in their own sites)."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _policy(
    nonce: str,
    upload_origin: str | None = None,
    payment_origins: str | None = None,
    ancestors: str = "'none'",
    uploads_here: bool = False,
) -> str:
    """With S3, browsers fetch previews and downloads from the bucket (img-src, on every page) and, on the pages
    that upload (`allow_direct_uploads`), send files to it with a presigned POST from script (connect-src there
    only). No form posts to the bucket itself: without script a file goes through the app, so form-action stays
    'self'. With Stripe, the pay and connect forms redirect to Stripe's pages, which form-action must allow
    (browsers apply it to a form's redirects too)."""
    direct = f" {upload_origin}" if upload_origin else ""
    connect = direct if uploads_here else ""
    payments = f" {payment_origins}" if payment_origins else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            f"img-src 'self' data: blob:{direct}",
            "font-src 'self'",
            f"connect-src 'self'{connect}",
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
            f"form-action 'self'{payments}",
        ]
    )


def allow_direct_uploads() -> bool:
    """Called by a page whose script sends files straight to the bucket: its CSP lets that origin in connect-src.
    True when there is a bucket to send to (S3 configured); False with local storage (the app takes the files)."""
    if not current_app.extensions["atelier.settings"].upload_origin:
        return False
    g.direct_uploads = True
    return True


def init_security_headers(
    app: Flask, hsts: bool, upload_origin: str | None = None, payment_origins: str | None = None
) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        # Nothing may be framed, but the pages that say so (public forms, embedded in a studio's own site).
        ancestors = g.get("frame_ancestors")
        wanted = [("X-Content-Type-Options", "nosniff"), *_STATIC]
        if not ancestors:
            wanted.append(("X-Frame-Options", "DENY"))
        if hsts:
            wanted.append(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
        if request.endpoint and not request.endpoint.startswith(("static", "brand.", "vendor.")):
            # Pages carry personal data: never keep them in shared caches or the back-forward cache.
            wanted.append(("Cache-Control", "no-store"))
        # One look at what the view set (it wins), then one extend: setdefault per header rescanned every header
        # each time, a few hundred string comparisons per response.
        present = {name.lower() for name, _value in response.headers}
        if "content-security-policy" not in present:
            here = bool(g.get("direct_uploads"))
            policy = _policy(csp_nonce(), upload_origin, payment_origins, ancestors or "'none'", here)
            wanted.append(("Content-Security-Policy", policy))
        response.headers.extend([(name, value) for name, value in wanted if name.lower() not in present])
        return response


_STATIC = (
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "geolocation=(self), camera=(self), microphone=(self)"),
)


def uploading_surface() -> None:
    """before_request of a surface whose pages may all upload (the workspace, the field app and its worker)."""
    allow_direct_uploads()
