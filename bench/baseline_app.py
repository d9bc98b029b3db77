"""The bare baseline of bench/bench_http.py: a one-file Flask app that answers one primary-key lookup, with
psycopg, as the same database role as Atelier (so Row-Level Security applies to it too), under the same
gunicorn settings. Whatever Atelier costs beyond this per request is its own: routing, sign-in, the studio,
the ORM, serialisation, the limiter.

Run by bench_http.py:  gunicorn -w 2 bench.baseline_app:app   (BASELINE_DSN = the app role's URL)
"""

from __future__ import annotations

import os

import psycopg
from flask import Flask, jsonify

app = Flask(__name__)
_connection: psycopg.Connection | None = None


def _db() -> psycopg.Connection:
    """One connection per worker process (gunicorn's sync workers serve one request at a time)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BASELINE_DSN"], autocommit=True, prepare_threshold=None)
    return _connection


@app.get("/clients/<client_id>")
def client(client_id: str):
    row = _db().execute("SELECT id, name FROM clients WHERE id = %s", (client_id,)).fetchone()
    return jsonify(id=str(row[0]) if row else client_id, name=row[1] if row else None)
