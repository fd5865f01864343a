"""The `saas` command: `saas run`, `saas db upgrade`, `saas demo`, `saas worker` and the rest."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext


def _create_app(*_args, **_kwargs) -> Flask:
    from saas import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Orchard, the multi-tenant CRM."""


def init_app(app: Flask) -> None:
    from saas.commands import register

    register(app)
