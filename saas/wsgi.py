"""WSGI entry for external servers: `gunicorn 'saas.wsgi:app'`."""

from saas.app import create_app
from saas.wsgi_server import settle_memory, warm_up

app = create_app()
warm_up()
settle_memory()
