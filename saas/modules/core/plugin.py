"""Hook implementations of the core module (see saas/plugins.py for the hook specifications)."""
from saas.plugins import hookimpl  # noqa: F401
