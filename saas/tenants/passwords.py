"""Password hashing and strength rules (ASVS V2: length over composition, no common passwords)."""

from __future__ import annotations

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON = frozenset(
    """
password password1 password12 password123 passw0rd 1234567890 12345678910 0123456789 qwertyuiop
qwerty12345 qwerty123456 1q2w3e4r5t 1qaz2wsx3edc abc1234567 abcdefghij iloveyou123 welcome123
letmein123 admin12345 administrator 11111111111 00000000000 woaini1314 woaini520 aa12345678
a123456789 zxcvbnm123 5201314520 1234qwer!@ changeme123 atelier123 football123 baseball123
""".split()
)

# The test suite's cost (FAST_PASSWORD_HASHING=1, accepted only with ATELIER_ENV=test): the same scrypt at
# N=2**8 instead of werkzeug's 2**15, ~0.6 ms instead of ~0.1 s a hash. Not lower: OpenSSL refuses N=64 with
# werkzeug's memory bound. Checking a hash reads its method from the hash itself, so either kind verifies.
TEST_METHOD = "scrypt:256:8:1"

# Computed once so that an unknown e-mail costs as much time as a wrong password (at each cost).
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")
_TEST_DUMMY_HASH = generate_password_hash("not-a-real-password-0", method=TEST_METHOD)


def _fast() -> bool:
    """True only inside a test app that asked for it; outside an app (scripts, unit tests) the real cost."""
    if not has_app_context():
        return False
    settings = current_app.extensions.get("atelier.settings")
    # env is checked again here, not only at start-up, so no other path to a Settings can lower the cost.
    return settings is not None and settings.fast_password_hashing and settings.env == "test"


def hash_password(password: str) -> str:
    if _fast():
        return generate_password_hash(password, method=TEST_METHOD)
    return generate_password_hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    dummy = _TEST_DUMMY_HASH if _fast() else _DUMMY_HASH
    return check_password_hash(password_hash or dummy, password) and password_hash is not None


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Messages for the person choosing `password`; empty when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return [str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))]
    if len(password) > MAX_LENGTH:
        return [str(_l("Use at most %(n)d characters.", n=MAX_LENGTH))]
    lowered = password.lower()
    local_part = email.split("@")[0].lower()
    if lowered in COMMON or len(set(lowered)) < 4:
        return [str(_l("This password is too easy to guess; choose a less common one."))]
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (name and name.lower() == lowered):
        return [str(_l("Do not use your name or e-mail in your password."))]
    return []
