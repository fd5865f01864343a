"""Where uploaded and exported files live: a folder per workspace, names chosen by us.

Paths are keyed by tenant id (DESIGN.md: file paths are keyed by tenant) and never built from
a user's file name, so one workspace cannot reach another's files by a crafted name.
"""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from saas.errors import InputError
from saas.tenants.context import TenantContextError, current_tenant_id

CHUNK = 1024 * 1024


def workspace_dir(kind: str, tenant_id: int | None = None) -> Path:
    """The folder of the workspace in context for `kind` ("imports" or "exports"), created if needed."""
    tenant_id = tenant_id if tenant_id is not None else current_tenant_id()
    if tenant_id is None:
        raise TenantContextError("file access outside a tenant context")
    folder = Path(current_app.config["IMPORT_FILES_DIR"]) / str(int(tenant_id)) / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def new_name(suffix: str) -> str:
    """A fresh unguessable file name with `suffix` (".csv" or ".xlsx")."""
    return f"{secrets.token_hex(16)}{suffix}"


def path_of(kind: str, stored_name: str) -> Path:
    """The path of a stored file of the workspace in context."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise ValueError("bad stored file name")
    return workspace_dir(kind) / stored_name


def save_upload(stream: IO[bytes], kind: str, suffix: str, limit: int) -> tuple[str, int]:
    """Copy an upload to the workspace's folder, refusing it past `limit` bytes: (name, size)."""
    name = new_name(suffix)
    path = path_of(kind, name)
    size = 0
    with open(path, "wb") as out:
        while True:
            block = stream.read(CHUNK)
            if not block:
                break
            size += len(block)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise InputError({"file": _("The file is larger than %(mb)s MB; split it into smaller files.",
                                            mb=round(limit / 1024 / 1024, 1))}, code="too_large", status=413)
            out.write(block)
    return name, size


def remove(kind: str, stored_name: str | None) -> None:
    """Delete a stored file if it is there."""
    if stored_name:
        path_of(kind, stored_name).unlink(missing_ok=True)
