"""What keeps robots out without a CAPTCHA service: a honeypot field people never see, a signed start time (a
person takes more than a few seconds to fill a form; a script posting at once is refused), and a keyed hash of
the visitor's address instead of the address itself. The rate limits sit on the route (saas/public)."""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

HONEYPOT = "website"  # an inviting name; hidden from people by CSS and from screen readers by aria-hidden
STARTED = "started"
MIN_SECONDS = 3
MAX_AGE = 24 * 3600


class Refused(Exception):
    """A submission no person would send: `reason` is "honeypot", "too_fast" or "stale"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Signer(TimestampSigner):
    def __init__(self, secret: str, at: float | None = None) -> None:
        super().__init__(secret, salt="atelier.form-started")
        self._at = at

    def get_timestamp(self) -> int:
        return int(self._at if self._at is not None else time.time())


def started_token(form_id: object, at: float | None = None) -> str:
    """Put in the page when it is shown; `at` lets a test say the page was shown a while ago."""
    return _Signer(current_app.secret_key, at).sign(str(form_id)).decode()


def check(form_id: object, form_data: dict) -> None:
    if (form_data.get(HONEYPOT) or "").strip():
        raise Refused("honeypot")
    try:
        value, signed_at = _Signer(current_app.secret_key).unsign(
            form_data.get(STARTED) or "", max_age=MAX_AGE, return_timestamp=True
        )
    except SignatureExpired as exc:
        raise Refused("stale") from exc
    except BadSignature as exc:
        raise Refused("stale") from exc
    if value.decode() != str(form_id):
        raise Refused("stale")
    if time.time() - signed_at.timestamp() < MIN_SECONDS:
        raise Refused("too_fast")


def ip_hash(ip: str) -> str:
    return hmac.new(current_app.secret_key.encode(), ip.encode(), hashlib.sha256).hexdigest()
