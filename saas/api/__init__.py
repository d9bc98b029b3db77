"""REST API v1: the same services and record-level rules as the workspace, for other systems."""

from flask import Flask


def register_api(app: Flask) -> None:
    from saas.api import billing, fields, forms, projects, proofing, tickets, views, visits  # noqa: F401  (routes attach to the blueprint)
    from saas.api.http import bp

    app.register_blueprint(bp)
