"""Alembic revisions of the birthday_greetings plugin: its own branch."""
