"""Callee behaviours: the magic 555-01XX numbers, scripts, and the tenant default."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from mock_server.domain.models import CalleeScript

# +1 NPA 555 01XX: fictional NANP numbers, so a mis-pointed test never rings a person.
_MAGIC = re.compile(r"\+1[0-9]{3}55501([0-9])([0-9])")

DEFAULT_CALLEE = CalleeScript()

_BY_DECADE: Mapping[int, CalleeScript] = MappingProxyType(
    {
        0: CalleeScript("answer", 2.0, 30.0, "client"),
        1: CalleeScript("busy", 3.0, None),
        2: CalleeScript("no_answer", 0.0, None),
        3: CalleeScript("dial_failed", 1.0, None),
        4: CalleeScript("answer", 2.0, 10.0, "agent"),
        5: CalleeScript("answer", 2.0, None, "client"),
        6: CalleeScript("error", 2.0, None),
    }
)

REJECT_DECADE = 9


def magic_decade(number: str) -> int | None:
    """The XX tens digit of a magic number (``+1 NPA 555 01XX``), else None."""
    if number[5:10] != "55501":  # most numbers: a slice, not a regex
        return None
    match = _MAGIC.fullmatch(number)
    return int(match.group(1)) if match else None


#: ``resolve``'s "the caller did not work the decade out" (None means "not a magic number").
UNKNOWN_DECADE = -1


def resolve(
    number: str,
    scripts: Mapping[str, CalleeScript],
    default: CalleeScript,
    decade: int | None = UNKNOWN_DECADE,
) -> CalleeScript:
    """The behaviour for ``number``: explicit script, then magic number, then the default.

    ``decade`` is ``magic_decade(number)`` when the caller has it already.
    """
    script = scripts.get(number)
    if script is not None:
        return script
    if decade == UNKNOWN_DECADE:
        decade = magic_decade(number)
    if decade is not None and decade in _BY_DECADE:
        return _BY_DECADE[decade]
    return default
