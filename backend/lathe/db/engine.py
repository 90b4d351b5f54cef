"""Engines and sessions. SQLite gets WAL, foreign keys, a busy timeout, and SQLAlchemy's
documented pysqlite recipe that takes over BEGIN so write transactions start with
BEGIN IMMEDIATE (a deferred transaction that later writes can fail with SQLITE_BUSY at once,
whatever the busy timeout)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from lathe.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
BEGIN_MODE_OPTION = "lathe_sqlite_begin"


def _install_sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop pysqlite from emitting its own BEGIN; the "begin" hook below does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(BEGIN_MODE_OPTION, "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    is_sqlite = url.startswith("sqlite")
    connect_args: dict[str, Any] = {"check_same_thread": False} if is_sqlite else {}
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=not is_sqlite)
    if is_sqlite:
        _install_sqlite_pragmas(engine)
    return engine


_engines: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One engine (and pool) per database URL for the whole process."""
    url = url or get_settings().resolved_database_url
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url)
    return engine


def new_session(url: str | None = None) -> Session:
    return Session(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A unit of work: commits on success, rolls back on error."""
    session = new_session(url)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope(url: str | None = None) -> Iterator[Session]:
    """A read-only unit of work. It starts DEFERRED, so it takes no write lock and never waits
    behind a writer (WAL readers see the last committed state)."""
    with session_scope(url) as session:
        session.connection(execution_options={BEGIN_MODE_OPTION: "DEFERRED"})
        yield session


def reset_engines() -> None:
    """Dispose every engine (tests and commands that switch LATHE_HOME or the database URL)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
