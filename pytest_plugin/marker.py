"""The ``@pytest.mark.cartesia_fake(...)`` marker's options: ``FakeCartesia``'s arguments,
knobs under ``knobs={...}``, the plugin's checks under ``checks={...}``."""

from __future__ import annotations

from typing import Any

#: The plugin's own checks: under ``checks={...}`` in the marker.
CHECKS = (
    "strict_contracts",
    "allow_unknown_routes",
    "check_duplicate_dials",
    "strict_inferred",
    "allow_inferred",
    "allow_unused_faults",
)


def marker_options(given: dict[str, Any]) -> dict[str, Any]:
    """``@pytest.mark.cartesia_fake(...)``: ``FakeCartesia``'s own arguments, knobs under
    ``knobs={...}`` and the plugin's checks under ``checks={...}``. The flat spelling of
    0.2 (a knob or a check among the arguments) still works, with a DeprecationWarning that
    names the new one."""
    import warnings

    from mock_server.domain.settings import knob_names

    knobs = dict(given.pop("knobs", None) or {})
    checks = dict(given.pop("checks", None) or {})
    moved: list[str] = []
    known_knobs = set(knob_names())
    for name in list(given):
        if name in CHECKS:
            checks[name] = given.pop(name)
            moved.append(f"checks={{{name!r}: ...}}")
        elif name in known_knobs:
            knobs[name] = given.pop(name)
            moved.append(f"knobs={{{name!r}: ...}}")
    if moved:
        warnings.warn(
            "@pytest.mark.cartesia_fake: knobs and the plugin's checks go in their own "
            f"namespaces now; write {', '.join(moved)} (the flat spelling goes in 0.3)",
            DeprecationWarning,
            stacklevel=2,
        )
    return {**given, **knobs, **checks}
