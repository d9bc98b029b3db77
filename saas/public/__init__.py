"""Public pages anyone may open without signing in: a studio's forms at /f/<studio-slug>/<form-slug>."""

from flask import Flask


def register_public(app: Flask) -> None:
    from saas.public.forms import bp

    app.register_blueprint(bp)
