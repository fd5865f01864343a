"""The billing module."""
