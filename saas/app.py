"""The application factory: settings, extensions, adapters and blueprints are bound here and nowhere else."""

from __future__ import annotations

import logging
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix

from saas.config import Settings, load_settings
from saas.extensions import babel, csrf, db, limiter, login_manager
from saas.files.storage import storage_for
from saas.i18n import compile_translations, current_locale, html_lang, install_template_gettext, select_locale
from saas.mail import mailer_for
from saas.tenants.roles import has_perm
from saas.web.errors import init_error_handlers
from saas.web.formatting import init_filters
from saas.web.inputs import init_input_checks
from saas.web.security import csp_nonce, init_security_headers
from saas.web.transaction import init_transactions
from saas.web.vendor import init_vendor


def create_app(environ: dict[str, str] | None = None) -> Flask:
    settings = load_settings(environ)
    app = Flask("saas", instance_path=str(settings.instance_dir))
    app.config.update(settings.flask_config())
    app.extensions["atelier.settings"] = settings
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    _bind_extensions(app, settings)
    _register_listeners()
    _register_blueprints(app)
    init_error_handlers(app)
    init_security_headers(
        app,
        hsts=settings.is_production or settings.base_url.startswith("https://"),
        upload_origin=settings.upload_origin,
        payment_origins=settings.payment_origins,
    )
    init_transactions(app)
    _reset_audit_origin(app)
    app.context_processor(_template_globals)
    _template_helpers(app)
    init_filters(app)
    init_vendor(app)
    return app


def _bind_extensions(app: Flask, settings: Settings) -> None:
    db.init_app(app, settings.database_url, settings.database_prepared_statements)
    app.extensions["atelier.mailer"] = mailer_for(settings)
    app.extensions["atelier.storage"] = storage_for(settings)
    compile_translations()
    init_input_checks(app)  # before CSRF and the rest: nothing reads a body before its size and text are checked
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)  # after flask-babel's own, which it replaces
    login_manager.init_app(app)
    login_manager.session_protection = None  # server-side sessions already end on logout and password change
    login_manager.login_view = "staff_auth.login"
    login_manager.login_message = None


# The domains, bottom floor first (pyproject.toml's import-linter contracts hold the same order). Each one's
# `listeners` module plugs it into the floors below: event listeners, owners of files, quota checks, periodic
# work, Stripe event handlers. A new domain adds its name here.
DOMAINS = (
    "tenants",
    "notify",
    "fields",
    "clients",
    "portal_accounts",
    "projects",
    "proofing",
    "visits",
    "forms",
    "tickets",
    "billing",
    "payments",
    "plans",
    "reports",
    "imports",
    "exports",
)


def _register_listeners() -> None:
    for domain in DOMAINS:
        if find_spec(f"saas.{domain}.listeners") is not None:
            import_module(f"saas.{domain}.listeners")


def _register_blueprints(app: Flask) -> None:
    from saas.api import register_api
    from saas.health import bp as health_bp
    from saas.portal import register_portal
    from saas.public import register_public
    from saas.staff import register_staff
    from saas.webhooks.stripe import bp as stripe_bp

    app.register_blueprint(health_bp)
    register_api(app)
    register_portal(app)
    register_public(app)
    app.register_blueprint(stripe_bp)
    register_staff(app)


def _reset_audit_origin(app: Flask) -> None:
    from saas import origin
    from saas.web.client_ip import client_ip

    app.before_request(lambda: origin.set_origin(None, client_ip()))
    app.teardown_request(lambda _exc: origin.clear_origin())


def _template_helpers(app: Flask) -> None:
    """Labels and counts that templates of several surfaces (pages, e-mails) share."""
    from saas.billing.labels import payment_method_label
    from saas.notify.services import bell_count
    from saas.notify.texts import words_for
    from saas.proofing.labels import decision_label, draft_status_label
    from saas.web.labels import label_maps

    app.jinja_env.globals.update(
        draft_status_label=draft_status_label,
        decision_label=decision_label,
        words_for=words_for,
        bell_count=bell_count,
        payment_method_label=payment_method_label,
        label_maps=label_maps,
    )


def _template_globals() -> dict[str, Any]:
    locale = current_locale()
    return {
        "csp_nonce": csp_nonce,
        "current_locale": locale,
        "html_lang": html_lang(locale),
        "has_perm": lambda perm: has_perm(getattr(g.get("membership"), "role", None), perm),
        "current_tenant": g.get("tenant"),
        "current_membership": g.get("membership"),
    }
