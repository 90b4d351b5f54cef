"""Database: engine and sessions (engine.py), ORM tables (tables.py), migrations (migrate.py)."""
