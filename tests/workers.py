"""What each pytest-xdist worker gets of its own when `make test` runs the suite in parallel.

Every process of the suite (one without xdist, or each of `-n N` workers) has its own session temporary
folder, hence its own SQLite file, instance, outbox and storage folders. The shared services are split here:

- PostgreSQL: worker gwN works in database `<name>_gwN`, copied (CREATE DATABASE … TEMPLATE) from the empty
  one scripts/test.sh prepared (its schema grants and LEAKPROOF setting come along), then migrated by the
  worker as usual. The copy is made by TEST_ADMIN_DATABASE_URL, a superuser: the owner role cannot create
  databases, and the app role must stay as unprivileged as in production.
- Redis: worker gwN uses database N + 1 after TEST_REDIS_URL's, so its RQ queue, its schedules and the
  `saas worker` processes it starts never see another worker's jobs (scripts/test.sh starts Redis with enough
  databases for any worker count).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from saas.db import make_engine

WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # "gw0", "gw1"… under pytest-xdist; unset in a single process


def worker_number() -> int | None:
    return int(WORKER.removeprefix("gw")) if WORKER else None


def worker_redis_url(url: str) -> str:
    """TEST_REDIS_URL with this worker's own database index: the N + 1st after the URL's own (unchanged
    without xdist), so two runs given different base indexes do not share databases either."""
    number = worker_number()
    if number is None:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base + number + 1}"))


def with_database(url: str, database: str) -> str:
    return make_url(url).set(database=database).render_as_string(hide_password=False)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def worker_database(admin_url: str, app_url: str, owner_url: str) -> Iterator[str]:
    """Create this worker's database as a copy of app_url's (which nobody may be connected to), owned by
    owner_url's role and open to app_url's role; drop it at the end. Yields its name."""
    template, app_role, owner = make_url(app_url).database, make_url(app_url).username, make_url(owner_url).username
    assert WORKER and template and app_role and owner, "worker_database needs xdist and complete URLs"
    with _database(admin_url, f"{template}_{WORKER}", owner, app_role, template) as name:
        yield name


@contextmanager
def _database(admin_url: str, name: str, owner: str, app_role: str, template: str | None = None) -> Iterator[str]:
    """A database owned by `owner` and open to `app_role` (a copy of `template`, or empty), dropped at the end."""
    admin = make_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")  # no DDL on databases in a tx
    copy = f" TEMPLATE {_quoted(template)}" if template else ""
    with admin.connect() as conn:
        # WITH (FORCE): a run that was killed may have left the database behind, with connections to it.
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {_quoted(name)}{copy} OWNER {_quoted(owner)}")
        conn.exec_driver_sql(f"GRANT CONNECT, TEMP ON DATABASE {_quoted(name)} TO {_quoted(app_role)}")
    try:
        yield name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        admin.dispose()


@contextmanager
def own_database(admin_url: str, app_url: str, owner_url: str, purpose: str) -> Iterator[str]:
    """An empty database for one test that walks the migrations up and down (the worker's own database stays at
    head for every other test): owned by owner_url's role and open to app_url's, dropped at the end. Its name."""
    owner, app_role = make_url(owner_url).username, make_url(app_url).username
    assert owner and app_role, "own_database needs complete URLs"
    with _database(admin_url, f"{make_url(app_url).database}_{purpose}_{WORKER or 'main'}", owner, app_role) as name:
        yield name
