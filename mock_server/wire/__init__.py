"""The request side of the wire: request bodies decoded into the domain's typed commands, as
each API version defines them (no Starlette here; the routes and the op-log upgrade use it)."""
