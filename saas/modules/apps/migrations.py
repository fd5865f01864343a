"""Plugins' own Alembic revisions: their folders join Alembic's version_locations, and
`saas db upgrade` with no argument upgrades every head (the main line and each plugin's branch)."""
from __future__ import annotations

import copy
import os
from pathlib import Path

import click
from flask import Flask, current_app

MAIN_VERSIONS = Path(__file__).resolve().parents[3] / "migrations" / "versions"


def version_locations(app: Flask) -> list[str]:
    """The main revisions folder plus each loaded plugin's, from the migrations_folder hook."""
    from saas.plugins import hooks_for

    folders = [str(MAIN_VERSIONS)]
    for folder in hooks_for(app).migrations_folder():
        if folder and str(folder) not in folders:
            folders.append(str(folder))
    return folders


def _configure(config):
    # Called by Flask-Migrate each time it builds the Alembic config, inside the app context.
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations",
                           os.pathsep.join(version_locations(current_app)).replace("%", "%%"))
    return config


def _upgrade_all_heads_group() -> click.Group:
    """Flask-Migrate's `db` group with `upgrade` defaulting to "heads" instead of "head"."""
    from flask_migrate.cli import db as migrate_db

    original = migrate_db.commands["upgrade"]
    params = []
    for param in original.params:
        param = copy.copy(param)
        if param.name == "revision":
            param.default = "heads"
        params.append(param)
    upgrade = click.Command("upgrade", callback=original.callback, params=params,
                            help="Upgrade to a later version (default: every head, plugins' branches included).")
    group = click.Group("db", callback=migrate_db.callback, params=migrate_db.params, help=migrate_db.help,
                        commands={**migrate_db.commands, "upgrade": upgrade})
    return group


_DB_GROUP: click.Group | None = None


def configure_alembic(app: Flask) -> None:
    """Hook plugins' revision folders into Flask-Migrate and make `db upgrade` take every head."""
    global _DB_GROUP
    from saas.extensions import migrate

    if _configure not in migrate.configure_callbacks:
        migrate.configure(_configure)
    if _DB_GROUP is None:
        _DB_GROUP = _upgrade_all_heads_group()
    app.cli.add_command(_DB_GROUP, name="db")
