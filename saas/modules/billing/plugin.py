"""Hook implementations of the billing module (see saas/plugins.py for the hook specifications)."""
from saas.plugins import hookimpl  # noqa: F401
