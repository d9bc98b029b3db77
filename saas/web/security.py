"""Security headers on every response (ASVS V14): a strict CSP with a per-request nonce, HSTS over HTTPS. Frames
are refused everywhere (frame-ancestors 'none', X-Frame-Options DENY) except on pages that set
`g.frame_ancestors` (the public forms at /f/, which studios embed in their own sites)."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _policy(
    nonce: str, upload_origin: str | None = None, payment_origins: str | None = None, ancestors: str = "'none'"
) -> str:
    """With S3, browsers upload to and download from the bucket directly: that origin joins connect-src (uploads),
    img-src (previews) and form-action (uploads without script). With Stripe, the pay and connect forms redirect
    to Stripe's pages, which form-action must allow (browsers apply it to a form's redirects too)."""
    direct = f" {upload_origin}" if upload_origin else ""
    payments = f" {payment_origins}" if payment_origins else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
            f"img-src 'self' data: blob:{direct}",
            "font-src 'self'",
            f"connect-src 'self'{direct}",
            "object-src 'none'",
            "base-uri 'none'",
            f"frame-ancestors {ancestors}",
            f"form-action 'self'{direct}{payments}",
        ]
    )


def init_security_headers(
    app: Flask, hsts: bool, upload_origin: str | None = None, payment_origins: str | None = None
) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        # Nothing may be framed, but the pages that say so (public forms, embedded in a studio's own site).
        ancestors = g.get("frame_ancestors")
        policy = _policy(csp_nonce(), upload_origin, payment_origins, ancestors or "'none'")
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if not ancestors:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(self), microphone=(self)")
        if hsts:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint and not request.endpoint.startswith(("static", "brand.", "vendor.")):
            # Pages carry personal data: never keep them in shared caches or the back-forward cache.
            headers.setdefault("Cache-Control", "no-store")
        return response
