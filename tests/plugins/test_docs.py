"""docs/plugins.md documents every hook (to its signature) and every manifest key."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from saas.modules.apps.manifest import ManifestSchema
from saas.plugins import HookSpecs

DOC = (Path(__file__).resolve().parents[2] / "docs" / "plugins.md").read_text()
HOOKS = sorted(name for name, _ in inspect.getmembers(HookSpecs, inspect.isfunction) if not name.startswith("_"))


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_signature(hook):
    args = [p for p in inspect.signature(getattr(HookSpecs, hook)).parameters if p != "self"]
    assert f"### {hook}({', '.join(args)})" in DOC, f"document the {hook} hook in docs/plugins.md"
    assert getattr(HookSpecs, hook).__doc__, f"the {hook} hook spec needs a docstring"


def test_no_documented_hook_is_gone():
    documented = set(re.findall(r"^### (\w+)\(", DOC, re.M))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("key", sorted(ManifestSchema().fields))
def test_every_manifest_key_is_documented(key):
    assert f"| `{key}` |" in DOC
