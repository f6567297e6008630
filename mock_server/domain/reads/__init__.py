"""Read-only views of a tenant: discovery (agents, numbers), lookups, the dashboard's state."""
