"""Bridges from the fake to the team's own code: Line agents (websocket) and webhooks (HTTP)."""
