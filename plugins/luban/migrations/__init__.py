"""Alembic revisions of the Luban Workshop tables (the ``luban`` branch, which depends on the core's)."""
