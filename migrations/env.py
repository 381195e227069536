"""Alembic environment, driven by Flask-Migrate."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import app.models  # noqa: F401  (every model must be loaded for autogenerate)
from app.search.schema import NON_MODEL_TABLE_PREFIXES, NON_MODEL_TABLES

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

db = current_app.extensions["migrate"].db


def include_object(obj, name, type_, reflected, compare_to):
    """Leave the database-specific search structures out of autogenerate."""
    if type_ == "table" and (name in NON_MODEL_TABLES or name.startswith(NON_MODEL_TABLE_PREFIXES)):
        return False
    return True


def run_migrations_offline():
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        target_metadata=db.metadata,
        literal_binds=True,
        include_object=include_object,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    conf_args = current_app.extensions["migrate"].configure_args

    def process_revision_directives(context_, revision, directives):
        # `flask db migrate` with no model change should not write an empty file.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []

    conf_args.setdefault("process_revision_directives", process_revision_directives)
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_object,
            **{"render_as_batch": True, "compare_type": True, **conf_args},
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
