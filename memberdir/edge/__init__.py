"""The HTTP edge beyond /graphql, one module per concern (exports: /export/...)."""
