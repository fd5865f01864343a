"""Alembic environment: migrations run as the role that owns the tables (DATABASE_OWNER_URL);
afterwards the application's role (DATABASE_URL), which owns nothing, is granted the rights
to read and write rows, so PostgreSQL's forced row-level security applies to it."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, make_url, text

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")
logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)

target_db = current_app.extensions["migrate"].db
owner_url = make_url(current_app.config["DATABASE_OWNER_URL"])
app_url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
config.set_main_option("sqlalchemy.url", owner_url.render_as_string(hide_password=False).replace("%", "%%"))


def grant_to_app_role(connection) -> None:
    """Give the application role row rights on every table, and nothing more."""
    if connection.dialect.name != "postgresql" or not app_url.username or app_url.username == owner_url.username:
        return
    role = connection.dialect.identifier_preparer.quote(app_url.username)
    connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    connection.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    connection.execute(text(f"REVOKE ALL ON alembic_version FROM {role}"))


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_db.metadata,
                      literal_binds=True, render_as_batch=owner_url.get_backend_name() == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    engine = create_engine(owner_url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
            grant_to_app_role(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
