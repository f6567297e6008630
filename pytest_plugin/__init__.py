"""The cartesia-fake pytest plugin (registered through the ``pytest11`` entry point).

The fixture types are importable from here for annotations; they load lazily so that pytest
start-up does not import the fake.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_plugin.sink import WebhookSink
    from pytest_plugin.targets import CartesiaTarget, ServerTenant

__all__ = ["CartesiaTarget", "ServerTenant", "WebhookSink"]


def __getattr__(name: str) -> Any:
    if name == "WebhookSink":
        from pytest_plugin import sink

        return sink.WebhookSink
    if name in __all__:
        from pytest_plugin import targets

        return getattr(targets, name)
    raise AttributeError(name)
