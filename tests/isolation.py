"""The registry behind the isolation walk.

Every route that takes a record id names it `<something>_id`. For each such name, some
`tests/**/isolation_records.py` module maps it in RECORD_FACTORIES to a function
`factory(tenant) -> (record_id, snapshot)` that creates a record in `tenant` (a
tests.factories.Tenant, inside its tenant context) and returns its id and a zero-argument
function giving the record's current state (to check that a refused write changed nothing).
A route whose id has no factory fails the walk: new routes join it without anyone listing them.
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import tests


def record_factories() -> dict:
    factories: dict = {}
    root = Path(tests.__file__).parent
    for module_info in pkgutil.walk_packages([str(root)], prefix="tests."):
        if module_info.name.rsplit(".", 1)[-1] == "isolation_records":
            module = importlib.import_module(module_info.name)
            for name, factory in module.RECORD_FACTORIES.items():
                if name in factories:
                    raise RuntimeError(f"two isolation factories for {name}")
                factories[name] = factory
    return factories
