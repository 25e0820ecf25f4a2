"""Delivering the outbox (datastore.outbox): a loop in `serve` that claims each
attempt with a lease, sends mail (SMTP, or .eml files in development) and
webhooks, retries with backoff and jitter, and gives up as FAILED."""
