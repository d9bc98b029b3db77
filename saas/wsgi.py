"""WSGI entry for external servers: `gunicorn 'saas.wsgi:app'`."""

from saas.app import create_app
from saas.wsgi_server import settle_memory

app = create_app()
settle_memory()
