"""Alembic revisions of the teachers plugin's tables (the ``teachers`` branch, which depends on the core's)."""
