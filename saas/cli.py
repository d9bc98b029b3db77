"""The `saas` command: serve, worker, db, demo, tenant."""

from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from saas import dbadmin
from saas.extensions import db


def _create_app():  # FlaskGroup calls this lazily, so `saas --help` works without configuration
    from flask.cli import NoAppException

    from saas.app import create_app
    from saas.config import ConfigError

    try:
        return create_app()
    except ConfigError as exc:  # say what to set, plainly, instead of a traceback
        raise NoAppException(str(exc)) from exc


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False)
def main() -> None:
    """Atelier: client management for design studios."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, envvar="PORT", show_default=True, type=int)
@click.option("--workers", default=2, envvar="WEB_CONCURRENCY", show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int, workers: int) -> None:
    """Serve the app: gunicorn in production, a threaded development server otherwise."""
    app = current_app._get_current_object()
    settings = app.extensions["atelier.settings"]
    if settings.is_production:
        from saas.wsgi_server import run_gunicorn

        run_gunicorn(app, f"{host}:{port}", workers)
        return
    from werkzeug.serving import run_simple

    click.echo(f"Atelier on http://{host}:{port}  (env={settings.env}, database={settings.database_url.split(':')[0]})")
    from saas.wsgi_server import settle_memory

    settle_memory()
    if not settings.redis_url:  # no worker to run periodic work: this process does it, inline
        from saas.scheduling import start_beat

        start_beat(app)
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@main.command()
@click.option("--burst", is_flag=True, help="Run the jobs already queued, then exit.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run an RQ worker (with its scheduler) on REDIS_URL."""
    from rq import Worker

    from saas.jobs import job_queue, set_worker_app

    app = current_app._get_current_object()
    queue = job_queue(app)
    if queue is None:
        raise click.ClickException("REDIS_URL is not set: jobs run inline, no worker is needed.")
    set_worker_app(app)
    if not burst:
        from saas.scheduling import start_beat

        start_beat(app)
    Worker([queue], connection=queue.connection).work(with_scheduler=True, burst=burst)


@main.command()
@with_appcontext
def tick() -> None:
    """Run the periodic work now (delivery retries, review reminders): for a cron-driven deployment."""
    from saas.scheduling import tick as run_tick

    run_tick(current_app._get_current_object())


@main.group("db")
def db_group() -> None:
    """Database schema and roles."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations as the table owner, then grant the app role (PostgreSQL). A database that had studios before
    the dashboards' day rollups existed gets them counted (the migration cannot: RLS hides every studio's rows)."""
    settings = current_app.extensions["atelier.settings"]
    before = dbadmin.applied_revision(settings)
    dbadmin.upgrade(settings, revision)
    after = dbadmin.applied_revision(settings) or ""
    if before is not None and before < ROLLUPS_REVISION <= after:
        _rebuild_rollups(None)
    click.echo("database is up to date")


ROLLUPS_REVISION = "0037"  # the migration that created follow_up_days and money_days, empty


@db_group.command("roles")
@with_appcontext
def db_roles() -> None:
    """Create or update the app's non-owner login role named in DATABASE_URL (PostgreSQL)."""
    role = dbadmin.create_app_role(current_app.extensions["atelier.settings"])
    click.echo(f"role {role} is ready (no BYPASSRLS, owns nothing); now run `saas db upgrade`")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the applied migration revision."""
    dbadmin.current_revision(current_app.extensions["atelier.settings"])


@main.command()
@with_appcontext
def demo() -> None:
    """Create the demo studio if it is missing, and print its logins."""
    from saas.demo import DEMO_PASSWORD, DEMO_PORTAL_EMAIL, DEMO_SLUG, ensure_demo

    people = ensure_demo()
    db.session.commit()
    click.echo("Demo studio 'demo' — every login uses the password: " + DEMO_PASSWORD)
    for person in people:
        click.echo(f"  {person.role:<8} {person.email:<30} {person.name}")
    outbox = current_app.extensions["atelier.settings"].outbox_dir
    click.echo(
        f"Client portal: /portal/{DEMO_SLUG}/login as {DEMO_PORTAL_EMAIL}; without SMTP, sign-in links are "
        f"written to {outbox}/"
    )


@main.group()
def tenant() -> None:
    """Studios."""


@tenant.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True)
@click.option("--owner-email", required=True)
@click.option("--owner-name", default=None)
@click.option("--password", required=True, envvar="ATELIER_OWNER_PASSWORD")
@click.option("--json", "as_json", is_flag=True, help="Print the ids as JSON.")
@with_appcontext
def tenant_create(name: str, slug: str, owner_email: str, owner_name: str | None, password: str, as_json: bool) -> None:
    """Create a studio and its owner (the same rules as the sign-up page)."""
    from saas.errors import ValidationFailed
    from saas.schemas import load
    from saas.tenants.schemas import SignupSchema
    from saas.tenants.services import create_studio

    fields = {
        "studio_name": name,
        "slug": slug,
        "name": owner_name or owner_email.split("@")[0],
        "email": owner_email,
        "password": password,
    }
    try:
        membership = create_studio(**load(SignupSchema(), fields))
    except ValidationFailed as exc:
        click.echo(json.dumps({"errors": exc.errors}, ensure_ascii=False), err=True)
        sys.exit(2)
    db.session.commit()
    result = {
        "tenant_id": str(membership.tenant_id),
        "slug": membership.tenant.slug,
        "user_id": str(membership.user_id),
        "membership_id": str(membership.id),
    }
    click.echo(json.dumps(result) if as_json else f"studio {slug} created: {result}")


@main.group()
def rollups() -> None:
    """The per-day counts the dashboards read (follow-ups per studio day, author and kind; money per day, client
    and project)."""


@rollups.command("rebuild")
@click.option("--tenant", "slug", default=None, help="One studio's slug (default: every studio).")
@with_appcontext
def rollups_rebuild(slug: str | None) -> None:
    """Count every studio's follow-ups and money moves afresh: after a restore or a bulk load in SQL (then ANALYZE)."""
    _rebuild_rollups(slug)


def _rebuild_rollups(slug: str | None) -> None:
    from sqlalchemy import select

    from saas.billing.rollups import rebuild as rebuild_money
    from saas.clients.rollups import rebuild
    from saas.isolation import set_tenant
    from saas.tenants.models import Tenant

    query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
    if slug:
        query = query.where(Tenant.slug == slug)
    studios = db.session.execute(query).all()
    if slug and not studios:
        click.echo(f"no studio {slug}", err=True)
        sys.exit(2)
    for tenant_id, found in studios:
        set_tenant(db.session(), tenant_id)
        rebuild(db.session(), tenant_id)
        rebuild_money(db.session(), tenant_id)
        db.session.commit()  # one studio at a time: short transactions on a live database
        click.echo(f"rebuilt {found}")
    set_tenant(db.session(), None)


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--tenant", "slug", required=True, help="The studio's slug.")
@click.option("--role", required=True)
@click.option("--name", default="script")
@click.option("--user", "email", default=None, help="Whose access the token carries (default: an owner).")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def token_create(slug: str, role: str, name: str, email: str | None, as_json: bool) -> None:
    """Create an API token and print it (it is shown only this once)."""
    from sqlalchemy import select

    from saas.errors import ValidationFailed
    from saas.isolation import set_tenant
    from saas.tenants.access import tenant_by_slug
    from saas.tenants.models import Membership, User
    from saas.tenants.tokens import create_token

    tenant = tenant_by_slug(slug)
    set_tenant(db.session(), tenant.id)
    query = select(Membership).join(Membership.user).where(Membership.active.is_(True))
    query = query.where(User.email == email.lower()) if email else query.where(Membership.role == "owner")
    creator = db.session.scalars(query).first()
    if creator is None:
        raise click.ClickException("no such active member in that studio")
    try:
        api_token, raw = create_token(creator, name, role)
    except ValidationFailed as exc:
        click.echo(json.dumps({"errors": exc.errors}, ensure_ascii=False), err=True)
        sys.exit(2)
    db.session.commit()
    result = {"token": raw, "id": str(api_token.id), "tenant": slug, "role": role}
    click.echo(json.dumps(result) if as_json else raw)


if __name__ == "__main__":
    main()
