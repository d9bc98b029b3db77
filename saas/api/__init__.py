"""REST API v1: the same services and record-level rules as the workspace, for other systems."""

from flask import Flask


def register_api(app: Flask) -> None:
    from saas.api import (  # noqa: F401  (routes attach to the blueprint)
        billing,
        exports,
        fields,
        forms,
        imports,
        projects,
        proofing,
        reports,
        tickets,
        views,
        visits,
    )
    from saas.api.http import bp

    app.register_blueprint(bp)
