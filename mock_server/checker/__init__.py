"""The conformance checker: run probes against any base URL and against the fake, compare."""
