"""Alembic environment: runs with the migration (table-owner) URL handed in by `saas db upgrade`."""

from alembic import context
from sqlalchemy.pool import NullPool

import saas.models  # noqa: F401  (registers every table)
from saas.db import Base, make_engine
from saas.dbadmin import for_dialect

config = context.config


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), poolclass=NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=for_dialect(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
