"""Outbound webhooks: workspaces subscribe URLs to record events; deliveries are signed and retried."""
