"""Mutations: one module per domain, each an input, a payload and a resolver per mutation."""
