"""`saas plugin new NAME`: a working plugin package from the template in scaffold_template/."""
from __future__ import annotations

import re
from pathlib import Path
from string import Template

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
TEMPLATE_DIR = Path(__file__).parent / "scaffold_template"


class ScaffoldError(ValueError):
    """The plugin cannot be created (bad name, folder not empty)."""


def scaffold(name: str, target: Path) -> Path:
    """Write the package for plugin `name` into `target`; returns the folder."""
    if not NAME_RE.match(name):
        raise ScaffoldError("use lower-case letters, digits and underscores, starting with a letter")
    target = Path(target).resolve()
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty")
    values = {
        "name": name,
        "dist": "orchard-" + name.replace("_", "-"),
        "title": name.replace("_", " ").capitalize(),
        "class_name": "".join(part.capitalize() for part in name.split("_")) + "Item",
        "url": name.replace("_", "-"),
    }
    for source in sorted(TEMPLATE_DIR.rglob("*.tmpl")):
        relative = Path(*(Template(part).substitute(values) for part in source.relative_to(TEMPLATE_DIR).parts))
        destination = target / relative.with_suffix("")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(Template(source.read_text()).substitute(values))
    return target
