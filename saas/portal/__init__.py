"""The client portal, in each studio's name: /portal/<studio-slug>/."""

from flask import Flask


def register_portal(app: Flask) -> None:
    from saas.portal import forms, payments, review, tickets  # noqa: F401  (routes attach to the blueprint)
    from saas.portal.views import bp

    app.register_blueprint(bp)
