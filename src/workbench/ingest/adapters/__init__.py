"""Built-in adapters; importing a module registers its adapters (see ``registry``)."""
