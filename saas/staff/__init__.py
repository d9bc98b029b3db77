"""The staff workspace: sign-in pages at the site root, everything else under /app."""

from flask import Flask


def register_staff(app: Flask) -> None:
    from saas.staff import (  # noqa: F401  (routes attach to the blueprint)
        account,
        billing,
        clients,
        contacts,
        dashboards,
        exports,
        fields,
        files,
        follow_up_log,
        forms,
        imports,
        notifications,
        plan,
        projects,
        proofing,
        reports,
        settings,
        tickets,
        visits,
        workspace,
    )
    from saas.staff.auth import bp as auth_bp
    from saas.staff.blueprint import bp
    from saas.staff.brand import bp as brand_bp
    from saas.staff.context import my_studios
    from saas.staff.custom import init_custom_fields
    from saas.staff.field import bp as field_bp
    from saas.staff.field_app import warm_up

    app.register_blueprint(auth_bp)
    app.register_blueprint(brand_bp)
    app.register_blueprint(bp)
    app.register_blueprint(field_bp)
    warm_up()  # the field app's version: a hash of pwa/, once per process
    app.jinja_env.globals["my_studios"] = my_studios
    init_custom_fields(app)
