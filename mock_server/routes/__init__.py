"""Route tables: the served API, the control plane, and the unknown-route fallback."""
