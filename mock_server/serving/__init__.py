"""Serving a fake: the ASGI app, the live server, and the in-process transports."""
