"""The public REST API under /api/v1 (see docs in saas/api/plugin.py and DESIGN.md "API").

Bearer tokens decide the workspace; every object registered with the metadata layer is served
at /api/v1/<path> by the same generic resource code (objects.py); errors come in one shape
(errors.py); the OpenAPI document is generated per workspace from its field definitions.
"""
