"""Hook implementations of the core module (see saas/plugins.py for the hook specifications)."""
from saas.plugins import hookimpl  # noqa: F401
from saas.modules.core import database  # noqa: F401  (foreign keys on for SQLite)
from saas.modules.core import models  # noqa: F401  (so Alembic and relationships see the tables)
from saas.metadata import models as metadata_models  # noqa: F401
