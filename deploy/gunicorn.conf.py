"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py saas.wsgi:app` (see deploy/README.md).

The same settings `saas serve` uses (saas/wsgi_server.py: gunicorn_options), so the two never drift apart.
Everything can be overridden from the environment, so one file serves every host: HOST (127.0.0.1), PORT (8000),
WEB_CONCURRENCY (2 x cores + 1), WEB_THREADS (1), WEB_TIMEOUT (30 s), FORWARDED_ALLOW_IPS (127.0.0.1: the nginx
on this host), WEB_ACCESS_LOG (1), LOG_LEVEL (info).
"""

import multiprocessing
import os

from saas.wsgi_server import gunicorn_options

_options = gunicorn_options(
    f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
    int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1),
)
globals().update(_options)
