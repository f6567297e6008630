"""Tenants: one API key's organisation (``tenant.py``), the only way into it
(``transaction.py``: its lock, its world brought up to date, its op log) and the registry of
every tenant a service holds (``registry.py``).

Nothing outside this package touches a tenant's world, engine, clock or lock: the rest of the
domain receives a ``Transaction``.
"""
