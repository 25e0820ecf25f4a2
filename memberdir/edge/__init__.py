"""The HTTP edge: everything a request meets before and around GraphQL, one module a concern.

- errors: refusals in the GraphQL response shape (JSON, never text/plain);
- limits: method, content type and body size, before a byte is parsed;
- bodies: the JSON body decoded strictly and its shape checked;
- negotiation: the response media type from `Accept` (GraphQL over HTTP);
- graphql_http: the GraphQL view speaking GraphQL over HTTP to the letter;
- origin: browsers' cross-site POSTs refused (CSRF);
- cors: cross-origin reads for the origins in MEMBERDIR_ALLOWED_ORIGINS;
- headers: caching policy and `Vary` on GraphQL answers, HEAD as GET;
- stack: the order they wrap /graphql and the app;
- request_ids, request_record, access_log, error_log, database_commands, metrics,
  observe: seeing what each request did (ids, one log line, Prometheus metrics);
- rate_limits, graphql_accounting: each client's budget of cost points;
- pages: the dashboard, GraphiQL and the pages (/, /me, /staff...), built from frontend/;
- sign_in: /auth/login, /auth/callback, /auth/logout, /auth/session, /auth/key (sessions);
- exports: /export/... spreadsheets (CSV, XLSX, NDJSON), streamed.
"""
