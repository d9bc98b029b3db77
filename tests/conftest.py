"""Test harness.

The suite runs twice under `make test`: on SQLite (the embedded default) and on a real PostgreSQL started by
scripts/test.sh, where the app connects as a non-owner role so Row-Level Security applies. Each pass runs in
pytest-xdist workers, each with its own database and Redis database (tests/workers.py). The schema is
migrated once per worker; after each test every table is emptied (DELETE, on PostgreSQL as the superuser so
that RLS hides nothing), so tests see real commits, exactly as requests, jobs and worker processes do.

Services: TEST_DATABASE_URL / TEST_MIGRATION_DATABASE_URL / TEST_ADMIN_DATABASE_URL (PostgreSQL: the app
role, the owner, a superuser), TEST_REDIS_URL, TEST_CHROMIUM. With ATELIER_REQUIRE_SERVICES=1 (set by
`make test`) a missing service fails the test instead of skipping it."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from saas.app import create_app
from saas.db import Base, make_engine
from saas.dbadmin import upgrade
from saas.extensions import db, limiter
from saas.isolation import set_tenant
from tests.workers import WORKER, with_database, worker_database, worker_redis_url

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_OWNER_URL = os.environ.get("TEST_MIGRATION_DATABASE_URL") or PG_URL
# A superuser, set by scripts/test.sh: makes each xdist worker's database and empties tables past RLS.
PG_ADMIN_URL = os.environ.get("TEST_ADMIN_DATABASE_URL")
REQUIRE = os.environ.get("ATELIER_REQUIRE_SERVICES") == "1"
SECRET = "test-secret-key-" + "x" * 40
PASSWORD = "correct-horse-battery"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config: pytest.Config) -> None:
    # Tests and the processes they start read TEST_REDIS_URL: under xdist it names this worker's database.
    if os.environ.get("TEST_REDIS_URL"):
        os.environ["TEST_REDIS_URL"] = worker_redis_url(os.environ["TEST_REDIS_URL"])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On SQLite, PostgreSQL-only tests are deselected (they run in the PostgreSQL pass of `make test`)."""
    if PG_URL:
        return
    kept = [i for i in items if "postgres" not in i.keywords]
    deselected = [i for i in items if "postgres" in i.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def need_service(name: str, value: str | None) -> str:
    if not value:
        message = f"{name} is not set; `make test` starts this service"
        if REQUIRE:
            pytest.fail(message)
        pytest.skip(message)
    return value


@pytest.fixture(scope="session")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("atelier")


@pytest.fixture(scope="session")
def database_env(workdir: Path) -> Iterator[dict[str, str]]:
    """DATABASE_URL and MIGRATION_DATABASE_URL of this process: a SQLite file in its own session folder, or on
    PostgreSQL TEST_DATABASE_URL's database itself, or under xdist this worker's copy of it (tests/workers.py)."""
    if not PG_URL:
        yield {"DATABASE_URL": f"sqlite:///{workdir / 'test.db'}"}
        return
    owner_url = PG_OWNER_URL or PG_URL
    if not WORKER:
        yield {"DATABASE_URL": PG_URL, "MIGRATION_DATABASE_URL": owner_url}
        return
    admin_url = need_service("TEST_ADMIN_DATABASE_URL (needed for a database per xdist worker)", PG_ADMIN_URL)
    with worker_database(admin_url, PG_URL, owner_url) as name:
        yield {"DATABASE_URL": with_database(PG_URL, name), "MIGRATION_DATABASE_URL": with_database(owner_url, name)}


@pytest.fixture(scope="session")
def base_env(workdir: Path, database_env: dict[str, str]) -> dict[str, str]:
    env = {
        "ATELIER_ENV": "test",
        "SECRET_KEY": SECRET,
        "INSTANCE_DIR": str(workdir / "instance"),
        "OUTBOX_DIR": str(workdir / "outbox"),
        "STORAGE_DIR": str(workdir / "files"),
        "BASE_URL": "http://localhost",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "SIGNUP_RATE_LIMIT": "1000 per minute",
        "RESET_RATE_LIMIT": "1000 per minute",
        "LOG_LEVEL": "WARNING",
        # scrypt at a test cost (~1 ms, not ~0.1 s): a test signs up, adds and logs in a dozen people. Honoured
        # only with ATELIER_ENV=test; the app's subprocesses (worker, serve, CLI) inherit it through this env.
        "FAST_PASSWORD_HASHING": "1",
        "CHECK_API_DUMPS": "1",  # every API answer's fast dump compared with marshmallow's (saas/api/dumping.py)
        # One Limiter serves every app a test builds; keep its storage in memory so an app pointed at a
        # (deliberately dead) Redis does not change it for the tests after.
        "RATE_LIMIT_STORAGE_URL": "local://",
        **database_env,
    }
    return env


@pytest.fixture(scope="session")
def migrated(base_env: dict[str, str]) -> dict[str, str]:
    from saas.config import load_settings

    upgrade(load_settings(base_env))
    return base_env


@pytest.fixture(scope="session")
def cleanup_engine(migrated: dict[str, str]) -> Iterator[Engine]:
    """Who empties the tables after each test, connected for the whole session rather than once a test: on
    PostgreSQL the superuser when there is one (RLS, forced on the owner too, would hide rows from a DELETE),
    else the owner; on SQLite the file itself."""
    url = migrated.get("MIGRATION_DATABASE_URL") or migrated["DATABASE_URL"]
    if PG_URL and PG_ADMIN_URL:
        url = with_database(PG_ADMIN_URL, make_url(url).database or "")
    engine = make_engine(url)
    _empty_all_tables(engine)  # what a stopped run left behind in a database that outlives it
    yield engine
    engine.dispose()


def _empty_all_tables(engine: Engine) -> None:
    """DELETE, children first: a test leaves a few rows in a few tables, and DELETE costs next to nothing on
    a small or empty table, where TRUNCATE rewrites the files of all ~45 tables and their indexes (~4 ms a
    test instead of ~100 ms on PostgreSQL). Only a superuser sees every row to delete (RLS is forced on the
    owner); without one, the owner TRUNCATEs, which RLS does not apply to."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if conn.dialect.name != "postgresql":
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))
        elif PG_ADMIN_URL:
            # One round trip. Generic plans for the foreign keys' cascade queries (one per deleted row and child
            # table): planned per row, with statistics that do not know the studio, each read every row of the
            # studio's in the child table — after the 100,000-row import test, minutes instead of seconds.
            deletes = (f"DELETE FROM {table}" for table in tables)
            conn.exec_driver_sql("; ".join(("SET LOCAL plan_cache_mode = force_generic_plan", *deletes)))
        else:
            conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))


@pytest.fixture(scope="session")
def session_app(migrated: dict[str, str]) -> Flask:
    return create_app(migrated)


@pytest.fixture
def app(session_app: Flask, migrated: dict[str, str], cleanup_engine: Engine) -> Iterator[Flask]:
    limiter.reset()
    outbox = Path(migrated["OUTBOX_DIR"])
    for eml in outbox.glob("*.eml"):
        eml.unlink()
    yield session_app
    _empty_all_tables(cleanup_engine)


@pytest.fixture
def make_app(migrated: dict[str, str]):
    """An app with extra settings (low rate limits, production mode, SMTP, Redis, S3...)."""

    def factory(**overrides: str) -> Flask:
        settings = {**migrated, **overrides}
        if settings["ATELIER_ENV"] != "test":  # a production app refuses the test hashing cost, as it should
            settings.pop("FAST_PASSWORD_HASHING", None)
        return create_app(settings)

    return factory


# --- browsing as a person: a test client that sends the CSRF token the way a rendered form would ----------


class Browser(FlaskClient):
    """Flask's test client, posting forms with a valid CSRF token unless told otherwise. It asks for English
    pages (as a browser set to English would) so assertions read plainly; the i18n tests ask for Chinese."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def submit(self, path: str, data: dict | None = None, csrf: bool = True, **kwargs):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.csrf_token())
        return self.post(path, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        return self.submit("/login", {"email": email, "password": password}, **kwargs)


@pytest.fixture
def client(app: Flask) -> Browser:
    app.test_client_class = Browser
    return app.test_client()


@pytest.fixture
def new_client(app: Flask):
    """A second (third...) independent browser."""

    def factory() -> Browser:
        app.test_client_class = Browser
        return app.test_client()

    return factory


# --- data -------------------------------------------------------------------------------------------------


@dataclass
class Studio:
    tenant_id: uuid.UUID
    slug: str
    owner_email: str
    owner_membership_id: uuid.UUID


def create_studio(app: Flask, slug: str, owner_email: str | None = None, name: str | None = None) -> Studio:
    from saas.tenants.services import create_studio as create

    owner_email = owner_email or f"owner@{slug}.test"
    with app.app_context():
        membership = create(name or f"Studio {slug}", slug, f"Owner of {slug}", owner_email, PASSWORD, "en")
        db.session.commit()
        return Studio(membership.tenant_id, slug, owner_email, membership.id)


def studio_today() -> date:
    """Today where the test studios are (the default time zone, Asia/Shanghai): due dates and reminders go by
    the studio's day, which differs from the machine's (UTC) for eight hours of every day."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def add_member(app: Flask, studio: Studio, email: str, role: str, name: str | None = None) -> uuid.UUID:
    """A person with an account and an active membership (as if they had accepted an invitation)."""
    from saas.tenants.accounts import find_user
    from saas.tenants.models import Membership, User
    from saas.tenants.passwords import hash_password

    with app.app_context():
        set_tenant(db.session(), studio.tenant_id)
        user = find_user(email)
        if user is None:
            user = User(
                email=email, name=name or email.split("@")[0], password_hash=hash_password(PASSWORD), locale="en"
            )
            db.session.add(user)
        membership = Membership(user=user, tenant_id=studio.tenant_id, role=role)
        db.session.add(membership)
        db.session.commit()
        return membership.id


@pytest.fixture
def studio(app: Flask) -> Studio:
    return create_studio(app, "aurora", "lin@aurora.test", "极光设计 Aurora Design")


@pytest.fixture
def other_studio(app: Flask) -> Studio:
    return create_studio(app, "bamboo", "wu@bamboo.test", "竹子工作室 Bamboo")


def query(app: Flask, tenant_id: uuid.UUID | None, statement):
    """Run an ORM statement as the given studio (test inspection of what was written)."""
    with app.app_context():
        set_tenant(db.session(), tenant_id)
        return db.session.execute(statement).unique().scalars().all()


# --- local servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 30, process: subprocess.Popen | None = None) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server meant for port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {seconds} s")


def wait_until(condition: Callable[[], object], seconds: float, what: str, interval: float = 0.05) -> None:
    """Poll until `condition()` holds, failing with `what` after `seconds`: tests wait for a condition, never
    for a fixed time that is too long on a fast machine and too short on a slow one."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {seconds} s for {what}")
        time.sleep(interval)


@contextmanager
def local_server(command: list[str], port: int, log: Path, seconds: float = 30) -> Iterator[str]:
    """Run a test server from the venv, wait for its port, stop it after; if it does not come up, fail with
    what it printed (a session-scoped fixture that fails silently errors every test that uses it)."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        try:
            wait_for_port(port, seconds, process)
        except (RuntimeError, TimeoutError) as failure:
            printed = log.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"{Path(command[0]).name} did not start: {failure}\n{printed}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# --- mail -------------------------------------------------------------------------------------------------


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[EmailMessage]:
        files = sorted(self.folder.glob("*.eml")) if self.folder.exists() else []
        return [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]

    def last(self, to: str | None = None) -> EmailMessage:
        found = [m for m in self.messages() if to is None or m["To"] == to]
        assert found, f"no mail to {to}"
        return found[-1]


def body_text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, pattern: str = r"http://localhost(/\S+)") -> str:
    match = re.search(pattern, body_text(message))
    assert match, body_text(message)
    return match.group(1)


@pytest.fixture
def outbox(app: Flask, migrated: dict[str, str]) -> Outbox:
    return Outbox(Path(migrated["OUTBOX_DIR"]))


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    """The moto S3 server over HTTP (installed from PyPI by `make test`)."""
    port = free_port()
    command = [venv_binary("moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    with local_server(command, port, tmp_path_factory.mktemp("moto") / "moto.log") as url:
        yield url


def venv_binary(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


# --- Stripe: localstripe (PyPI) for what it covers, tests/stripe_standin.py for what it lacks ----------------

STRIPE_SECRET = "whsec_test_atelier"


@pytest.fixture(scope="session")
def localstripe_server(tmp_path_factory):
    """localstripe over HTTP (installed from PyPI by `make test`): PaymentIntents, charges, refunds, customers.

    --from-scratch: localstripe otherwise reloads its state from one fixed file, /tmp/localstripe.pickle, which
    it rewrites on every change; a run stopped mid-write leaves it truncated and every later start fails.
    tests/localstripe_server.py also stops it writing that file, which every worker's server would share."""
    port = free_port()
    launcher = str(Path(__file__).with_name("localstripe_server.py"))
    command = [sys.executable, launcher, "--port", str(port), "--from-scratch"]
    with local_server(command, port, tmp_path_factory.mktemp("localstripe") / "localstripe.log") as url:
        yield url


@pytest.fixture(scope="session")
def _standin(localstripe_server):
    from tests.stripe_standin import StripeStandIn

    server = StripeStandIn(localstripe_server)
    server.start(free_port())
    yield server
    server.stop()


@pytest.fixture
def stripe_standin(_standin):
    """The Stripe stand-in, emptied for this test; it signs events with STRIPE_SECRET."""
    _standin.reset()
    _standin.secret = STRIPE_SECRET
    return _standin


@pytest.fixture
def stripe_settings(stripe_standin) -> dict[str, str]:
    return {
        "STRIPE_SECRET_KEY": "sk_test_atelier_platform",
        "STRIPE_WEBHOOK_SECRET": STRIPE_SECRET,
        "STRIPE_API_BASE": stripe_standin.base,
    }
