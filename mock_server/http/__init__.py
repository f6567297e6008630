"""The HTTP layer: parsing requests and rendering responses. Only this layer knows Starlette."""
