"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py saas.wsgi:app` (see deploy/README.md).

Everything can be overridden from the environment, so one file serves every host:
HOST (127.0.0.1), PORT (8000), WEB_CONCURRENCY (2 x cores + 1), WEB_THREADS (1), WEB_TIMEOUT (30 s),
FORWARDED_ALLOW_IPS (127.0.0.1: the nginx on this host).
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("WEB_THREADS") or 1)

# A request that takes longer than this is killed and logged: the pages are built to answer in milliseconds.
timeout = int(os.environ.get("WEB_TIMEOUT") or 30)
graceful_timeout = 20  # on restart, requests in flight get this long to finish
keepalive = 5  # seconds; nginx keeps upstream connections open (see nginx/atelier.conf)

# Recycle each worker now and then (jittered, so not all at once): bounds any slow leak.
max_requests = 2000
max_requests_jitter = 200

# Which proxies may set X-Forwarded-Proto (the scheme gunicorn reports). The app itself trusts
# X-Forwarded-For/Proto/Host only as far as TRUSTED_PROXIES says.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Heartbeat files in memory: /tmp may be slow or, under systemd's sandbox, private anyway.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs to stdout/stderr: journald or the container runtime collects them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Peer address, then the X-Forwarded-For chain nginx sent (the real client is its last entry).
access_log_format = '%(h)s [%({x-forwarded-for}i)s] "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
