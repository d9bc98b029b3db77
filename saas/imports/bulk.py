"""Writing many rows at once. On PostgreSQL: COPY into a temporary staging table, then one INSERT … SELECT into
the real one (COPY FROM cannot write a table under Row-Level Security; the INSERT can, and the policy checks every
row's studio). On SQLite: one executemany. Rows are dicts of column values, the same keys in every row.
"""

from __future__ import annotations

from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import Table, insert

from saas.extensions import db
from saas.isolation import driver_connection


def insert_all(table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    staging = f"import_staging_{table.name}"
    driver = driver_connection(connection)  # with the studio set first: RLS checks the INSERT below
    with driver.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            # psycopg formats each row in C (twice as fast as building the text in Python); JSON values need
            # their wrapper, everything else (text, numbers, UUIDs, times, None) is adapted as it is.
            for row in rows:
                copy.write_row([Jsonb(v) if isinstance(v, dict | list) else v for v in (row[c] for c in columns)])
        cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging}")
        cursor.execute(f"TRUNCATE {staging}")
