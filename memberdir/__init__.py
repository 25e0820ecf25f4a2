"""Composition root: the ASGI app, settings, the embedded database and the CLI."""
