"""Settings read from the environment only, validated once at start-up.

Every integration has an embedded default (SQLite, local files, inline jobs, memory rate limits, an outbox
folder for mail); setting the matching variable switches to the real service with no code change.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ENVIRONMENTS = ("development", "test", "production")
LOCALES = ("zh_CN", "en")


class ConfigError(RuntimeError):
    """Raised at start-up with every problem found, so an operator fixes them in one go."""


@dataclass(frozen=True)
class Settings:
    env: str
    instance_dir: Path
    secret_key: str = field(repr=False)
    database_url: str
    migration_database_url: str
    database_prepared_statements: bool
    redis_url: str | None
    rate_limit_storage_url: str
    base_url: str
    storage_dir: Path
    s3_bucket: str | None
    s3_endpoint_url: str | None
    s3_region: str
    s3_access_key_id: str | None
    s3_secret_access_key: str | None
    mail_from: str
    outbox_dir: Path
    smtp_host: str | None
    smtp_port: int
    smtp_username: str | None
    smtp_password: str | None = field(repr=False)
    smtp_starttls: bool
    smtp_ssl: bool
    max_logo_bytes: int
    max_upload_bytes: int
    max_request_bytes: int
    delivery_lease_seconds: int
    stripe_secret_key: str | None = field(repr=False)  # secrets never appear in a repr, so never in a log
    stripe_webhook_secret: str | None = field(repr=False)  # the platform endpoint's (the account's own events)
    stripe_connect_webhook_secret: str | None = field(repr=False)  # the Connect endpoint's (connected accounts)
    stripe_api_base: str | None
    session_days: int
    trusted_proxies: int
    login_rate_limit: str
    signup_rate_limit: str
    reset_rate_limit: str
    api_rate_limit: str
    log_level: str
    # Public forms: per visitor address per form, and per form whoever sends (saas/public/forms.py).
    form_rate_limit: str = "10 per minute;100 per hour"
    form_total_rate_limit: str = "600 per minute"
    fast_password_hashing: bool = False  # tests only: refused unless env == "test" (saas/tenants/passwords.py)
    # Tests only: every API answer is also dumped by marshmallow and compared (saas/api/dumping.py).
    check_api_dumps: bool = False
    stripe_prices: dict = field(default_factory=dict)  # plan key → Stripe Price id (STRIPE_PRICE_<PLAN>)
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def stripe_enabled(self) -> bool:
        return bool(self.stripe_secret_key and self.stripe_webhook_secrets)

    @property
    def stripe_webhook_secrets(self) -> tuple[str, ...]:
        """Stripe signs a platform endpoint's and a Connect endpoint's deliveries with each endpoint's own secret;
        both endpoints may point at /webhooks/stripe."""
        return tuple(s for s in (self.stripe_webhook_secret, self.stripe_connect_webhook_secret) if s)

    @property
    def payment_origins(self) -> str | None:
        """Where the pay and connect buttons send people: Stripe's pages, or the test server's."""
        if not self.stripe_enabled:
            return None
        if self.stripe_api_base:
            from urllib.parse import urlsplit

            parts = urlsplit(self.stripe_api_base)
            return f"{parts.scheme}://{parts.netloc}"
        return "https://checkout.stripe.com https://connect.stripe.com"

    @property
    def upload_origin(self) -> str | None:
        """Where browsers send uploads and fetch downloads directly (the S3 endpoint), for the CSP."""
        if not self.s3_bucket:
            return None
        if self.s3_endpoint_url:
            from urllib.parse import urlsplit

            parts = urlsplit(self.s3_endpoint_url)
            return f"{parts.scheme}://{parts.netloc}"
        return f"https://*.s3.{self.s3_region}.amazonaws.com https://s3.{self.s3_region}.amazonaws.com"

    @property
    def uses_postgres(self) -> bool:
        return self.database_url.startswith("postgresql")

    def flask_config(self) -> dict:
        secure = self.is_production or self.base_url.startswith("https://")
        return {
            "SECRET_KEY": self.secret_key,
            "SESSION_COOKIE_NAME": "atelier_session",
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_SECURE": secure,
            "PREFERRED_URL_SCHEME": "https" if secure else "http",
            # Every request body is limited (413 before it is read); endpoints that take files through the app
            # raise their own limit (saas/web/inputs.py).
            "MAX_CONTENT_LENGTH": self.max_request_bytes,
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session that holds it
            "WTF_CSRF_SSL_STRICT": secure,
            "RATELIMIT_STORAGE_URI": self.rate_limit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": True,
            # If Redis is briefly unreachable, limits fall back to this process's memory rather than failing
            # every sign-in.
            "RATELIMIT_SWALLOW_ERRORS": True,
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "BABEL_DEFAULT_LOCALE": "zh_CN",
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "TESTING": self.env == "test",
        }


def _lean_counters(url: str) -> str:
    """Redis rate limits through saas/web/redis_counters.py: one round trip per request, not three."""
    return f"atelier+{url}" if url.startswith(("redis://", "rediss://")) else url


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _int(environ: dict, name: str, default: int, errors: list[str]) -> int:
    raw = environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        errors.append(f"{name} must be a whole number, got {raw!r}")
        return default
    if value < 0:
        errors.append(f"{name} must not be negative")
    return value


def _dev_secret_key(instance_dir: Path) -> str:
    """A development key generated once and kept in instance/, so `make run` sessions survive restarts."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _check_url(name: str, url: str | None, schemes: tuple[str, ...], errors: list[str]) -> None:
    if url and urlparse(url).scheme.split("+")[0] not in schemes:
        errors.append(f"{name} must start with one of {', '.join(s + '://' for s in schemes)}")


def load_settings(environ: dict | None = None) -> Settings:
    environ = dict(os.environ if environ is None else environ)
    errors: list[str] = []
    env = environ.get("ATELIER_ENV", "production")
    if env not in ENVIRONMENTS:
        errors.append(f"ATELIER_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    instance_dir = Path(environ.get("INSTANCE_DIR") or Path.cwd() / "instance").resolve()

    secret_key = environ.get("SECRET_KEY", "")
    if not secret_key:
        if env == "production":
            errors.append("SECRET_KEY is required in production (set ATELIER_ENV=development for local use)")
        else:
            secret_key = _dev_secret_key(instance_dir)
    elif len(secret_key) < 32:
        errors.append("SECRET_KEY must be at least 32 characters")

    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_dir / 'atelier.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://") :]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    _check_url("DATABASE_URL", database_url, ("sqlite", "postgresql"), errors)
    migration_url = environ.get("MIGRATION_DATABASE_URL") or database_url
    if migration_url.startswith("postgresql://"):
        migration_url = "postgresql+psycopg://" + migration_url[len("postgresql://") :]

    redis_url = environ.get("REDIS_URL") or None
    _check_url("REDIS_URL", redis_url, ("redis", "rediss", "unix"), errors)
    port = environ.get("PORT", "5000")
    base_url = (environ.get("BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    _check_url("BASE_URL", base_url, ("http", "https"), errors)

    smtp_ssl = _bool(environ.get("SMTP_SSL"), False)
    settings = Settings(
        env=env,
        instance_dir=instance_dir,
        secret_key=secret_key,
        database_url=database_url,
        migration_database_url=migration_url,
        database_prepared_statements=_bool(environ.get("DATABASE_PREPARED_STATEMENTS"), True),
        redis_url=redis_url,
        rate_limit_storage_url=_lean_counters(environ.get("RATE_LIMIT_STORAGE_URL") or redis_url or "local://"),
        base_url=base_url,
        storage_dir=Path(environ.get("STORAGE_DIR") or instance_dir / "files"),
        s3_bucket=environ.get("S3_BUCKET") or None,
        s3_endpoint_url=environ.get("S3_ENDPOINT_URL") or None,
        s3_region=environ.get("S3_REGION") or "us-east-1",
        s3_access_key_id=environ.get("S3_ACCESS_KEY_ID") or None,
        s3_secret_access_key=environ.get("S3_SECRET_ACCESS_KEY") or None,
        mail_from=environ.get("MAIL_FROM") or "Atelier <no-reply@atelier.localhost>",
        outbox_dir=Path(environ.get("OUTBOX_DIR") or instance_dir / "outbox"),
        smtp_host=environ.get("SMTP_HOST") or None,
        smtp_port=_int(environ, "SMTP_PORT", 465 if smtp_ssl else 587, errors),
        smtp_username=environ.get("SMTP_USERNAME") or None,
        smtp_password=environ.get("SMTP_PASSWORD") or None,
        smtp_starttls=_bool(environ.get("SMTP_STARTTLS"), not smtp_ssl),
        smtp_ssl=smtp_ssl,
        max_logo_bytes=_int(environ, "MAX_LOGO_BYTES", 2 * 1024 * 1024, errors),
        max_upload_bytes=_int(environ, "MAX_UPLOAD_BYTES", 100 * 1024 * 1024, errors),
        max_request_bytes=_int(environ, "MAX_REQUEST_BYTES", 1024 * 1024, errors),
        # How long a delivery job may hold a message before another may take it over (the SMTP timeout is 20 s).
        delivery_lease_seconds=_int(environ, "DELIVERY_LEASE_SECONDS", 120, errors),
        stripe_secret_key=environ.get("STRIPE_SECRET_KEY") or None,
        stripe_webhook_secret=environ.get("STRIPE_WEBHOOK_SECRET") or None,
        stripe_connect_webhook_secret=environ.get("STRIPE_CONNECT_WEBHOOK_SECRET") or None,
        stripe_api_base=environ.get("STRIPE_API_BASE") or None,
        stripe_prices={
            plan: environ[f"STRIPE_PRICE_{plan.upper()}"]
            for plan in ("studio", "agency")
            if environ.get(f"STRIPE_PRICE_{plan.upper()}")
        },
        session_days=_int(environ, "SESSION_DAYS", 14, errors),
        trusted_proxies=_int(environ, "TRUSTED_PROXIES", 0, errors),
        login_rate_limit=environ.get("LOGIN_RATE_LIMIT") or "20 per minute;200 per hour",
        signup_rate_limit=environ.get("SIGNUP_RATE_LIMIT") or "10 per hour",
        reset_rate_limit=environ.get("RESET_RATE_LIMIT") or "5 per minute;30 per hour",
        api_rate_limit=environ.get("API_RATE_LIMIT") or "3000 per minute",
        form_rate_limit=environ.get("FORM_RATE_LIMIT") or "10 per minute;100 per hour",
        form_total_rate_limit=environ.get("FORM_TOTAL_RATE_LIMIT") or "600 per minute",
        log_level=(environ.get("LOG_LEVEL") or "INFO").upper(),
        fast_password_hashing=_bool(environ.get("FAST_PASSWORD_HASHING"), False),
        check_api_dumps=env == "test" and _bool(environ.get("CHECK_API_DUMPS"), False),
    )
    if settings.s3_bucket is None and any(environ.get(k) for k in ("S3_ENDPOINT_URL", "S3_ACCESS_KEY_ID")):
        errors.append("S3_BUCKET is required when other S3_* variables are set")
    if settings.stripe_secret_key and not settings.stripe_webhook_secrets:
        errors.append("STRIPE_SECRET_KEY needs STRIPE_WEBHOOK_SECRET (and STRIPE_CONNECT_WEBHOOK_SECRET for Connect)")
    if settings.fast_password_hashing and env != "test":
        # Refused rather than ignored: a deployment that sets it by mistake learns so at start-up.
        errors.append("FAST_PASSWORD_HASHING is for the test suite only: it needs ATELIER_ENV=test")
    if errors:
        raise ConfigError("Invalid configuration:\n  - " + "\n  - ".join(errors))
    return settings
