from flask import request


def client_ip() -> str:
    """The caller's address; ProxyFix (TRUSTED_PROXIES) has already replaced it when behind a proxy."""
    return request.remote_addr or "unknown"
