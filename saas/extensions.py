"""Extensions are created unbound here and bound to an app in the factory; nothing connects at import time."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from saas.db import Database
from saas.web import (
    local_counters,  # noqa: F401  registers local:// (rate limits without Redis)
    redis_counters,  # noqa: F401  registers atelier+redis:// (one round trip per hit)
)
from saas.web.client_ip import client_ip

db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_ip)
