"""A plugin whose manifest is invalid: listed as broken, never loaded."""
from saas.plugin_api import hookimpl

MANIFEST = {"name": "Not A Name", "version": "1", "description": "", "permissions": ["root.everything"]}


@hookimpl
def navigation_items(workspace):
    raise AssertionError("a broken plugin must never be called")
