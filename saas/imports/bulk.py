"""Writing many rows at once. On PostgreSQL: COPY into a temporary staging table, then one INSERT … SELECT into
the real one (COPY FROM cannot write a table under Row-Level Security; the INSERT can, and the policy checks every
row's studio). On SQLite: one executemany. Rows are dicts of column values, the same keys in every row.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Table, insert

from saas.extensions import db


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
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_plain(row[c]) for c in columns])
        cursor.execute(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {staging}")
        cursor.execute(f"TRUNCATE {staging}")


def _plain(value: Any) -> Any:
    """JSON columns get their text; COPY's text format lets the server parse it into json / jsonb."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value
