"""Benchmarks: every figure is a ratio against a floor measured in the same run."""

#: Benchmarks make far more requests than any test: the budgets' limits are lifted (their
#: checks still run on every request, as in a test).
UNBOUNDED = {
    "max_requests": None,
    "max_response_bytes": None,
    "max_virtual_seconds": None,
    "max_wall_seconds": None,
}
