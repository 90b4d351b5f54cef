"""Creating and dropping whole PostgreSQL databases on a server (test suites and benchmarks
give each run a database of its own)."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url


def _execute_autocommit(server_url: str, statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction.
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """Create database `name` (a copy of `template` if given) and return its URL."""
    copy = f' TEMPLATE "{template}"' if template else ""
    _execute_autocommit(server_url, f'CREATE DATABASE "{name}"{copy}')
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    _execute_autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
