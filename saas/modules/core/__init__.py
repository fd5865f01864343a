"""The core module."""
