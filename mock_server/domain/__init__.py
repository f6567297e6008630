"""The fake's domain: tenants, calls, the dial queue and the lifecycle. No HTTP here."""
