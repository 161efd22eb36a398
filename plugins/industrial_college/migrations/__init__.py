"""Alembic revisions of the industrial-college tables (the ``industrial_college`` branch; the core branch migrates first)."""
