"""The HTTP edge: what every request passes through before and after GraphQL."""
