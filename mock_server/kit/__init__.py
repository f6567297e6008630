"""The test-facing API: the FakeCartesia facade, its dialer assertions, the tenancy of a
fake's helpers."""
