"""The Apps module: plugin manifests, per-workspace enablement and settings, the admin "Apps" page."""
