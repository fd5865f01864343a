"""Isolation-walk factories for the plugin platform (see tests/isolation.py).

The Apps routes take a plugin name, not a record id, so no id name is added here; their
cross-workspace behaviour is tested in test_platform.py."""

RECORD_FACTORIES: dict = {}
