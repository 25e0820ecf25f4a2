"""The HTTP edge, one module a concern (pages: the dashboard and GraphiQL, built in frontend/)."""
