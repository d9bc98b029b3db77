"""Password hashing and strength rules (ASVS V2: length over composition, no common passwords)."""

from __future__ import annotations

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

# Computed once so that an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-0")


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    return check_password_hash(password_hash or _DUMMY_HASH, password) and password_hash is not None


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
