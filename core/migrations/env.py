"""Alembic environment: the target metadata is every model the core and the loaded plugins own."""

from alembic import context
from sqlmodel import SQLModel

from xiaoqi.core.migrate import load_models

config = context.config
load_models()
target_metadata = SQLModel.metadata


def _include(obj, name, type_, reflected, compare_to):
    # scripts/regen_migration.py limits a plugin's first revision to the plugin's own tables
    only = config.attributes.get("include_tables")
    if only is None or type_ != "table":
        return True
    return name in only


def run_migrations_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
