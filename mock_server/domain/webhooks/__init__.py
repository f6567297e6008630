"""Webhooks: the outbox of deliveries and the webhook and agent configuration API."""
