"""CLI commands, one file per area, registered on app.cli so `saas` and `flask` both see them."""
from flask import Flask


def register(app: Flask) -> None:
    from saas.commands import demo, tokens, worker, workspaces

    for command in (demo.demo, worker.worker, workspaces.create_workspace, tokens.token):
        app.cli.add_command(command)
