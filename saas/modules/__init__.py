"""Built-in modules, each a plugin registered through the same hooks as third-party ones."""
