"""`saas import FILE --workspace SLUG --object contacts`: the browser's import, from a terminal."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from saas.errors import InputError


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workspace", "slug", required=True, help="The workspace's slug.")
@click.option("--object", "object_name", default="contacts", show_default=True,
              help="contacts, companies, orders or activities.")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False, path_type=Path),
              help='JSON: {"column header": "field key", ...} (or a list of keys per column).')
@click.option("--match", "match_on", help="Find duplicates by: email, phone or a unique field's key.")
@click.option("--on-duplicate", type=click.Choice(["skip", "update", "create"]), default="skip", show_default=True)
@click.option("--encoding", help="CSV encoding (utf-8, gb18030, big5, latin-1); detected when left out.")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@with_appcontext
def import_command(file: Path, slug: str, object_name: str, mapping_file: Path | None, match_on: str | None,
                   on_duplicate: str, encoding: str | None, dry_run: bool) -> None:
    """Import a CSV or XLSX file into a workspace, with a progress bar and a failed-rows CSV."""
    from saas.extensions import db
    from saas.modules.imports import importer, runs
    from saas.modules.imports.files import path_of
    from saas.tenants.context import tenant_context
    from saas.tenants.workspaces import workspace_by_slug

    workspace = workspace_by_slug(slug)
    if workspace is None:
        raise click.ClickException(f"There is no workspace {slug!r}.")
    try:
        stream = open(file, "rb")
    except OSError as exc:
        raise click.ClickException(f"Cannot read {file}: {exc.strerror}") from None
    with tenant_context(workspace.id), stream:
        try:
            run = runs.upload(stream, file.name, object_name, None, encoding)
            if mapping_file is None:
                columns = run.mapping
                click.echo("Suggested mapping (column -> field):")
                for header, key in zip(run.headers, columns):
                    click.echo(f"  {header} -> {key or '(not imported)'}")
            else:
                columns = _read_mapping(mapping_file, run.headers)
            if match_on is None and mapping_file is not None:
                match_on = "email" if "email" in columns else ("phone" if "phone" in columns else None)
            elif match_on is None:
                match_on = run.match_on
            runs.configure(run, columns, match_on, on_duplicate, dry_run)
            run.status = "queued"
            db.session.commit()
        except InputError as exc:
            db.session.rollback()
            raise click.ClickException(_describe(exc)) from None
        run_id = run.id
        with click.progressbar(length=1, label="Importing" if not dry_run else "Checking") as bar:
            def progress(done: int, total: int) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            run = importer.run_import(run_id, progress=progress)
        if run.status == "failed":
            raise click.ClickException(run.message or "The file could not be read.")
        prefix = "Would have: " if run.dry_run else ""
        click.echo(f"{prefix}{run.created_count} created, {run.updated_count} updated, "
                   f"{run.skipped_count} skipped, {run.failed_count} failed.")
        if run.failed_count:
            target = path_of("imports", f"failed-{run.id}.csv")
            with open(target, "w", encoding="utf-8", newline="") as out:
                for piece in importer.failures_csv(run):
                    out.write(piece)
            click.echo(f"Failed rows with their reasons: {target}")


def _read_mapping(path: Path, headers: list[str]) -> list:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError({"mapping": f"Cannot read the mapping file {path}: {exc}"}) from None
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise InputError({"mapping": "The mapping file must hold an object {\"column\": \"field key\"}."})
    unknown = [column for column in data if column not in headers]
    if unknown:
        raise InputError({"mapping": f"The file has no column {', '.join(map(repr, unknown))}."})
    return [data.get(header) for header in headers]


def _describe(exc: InputError) -> str:
    parts = [f"{key}: {message}" for key, message in exc.fields.items()]
    return "; ".join(parts) if parts else exc.message
