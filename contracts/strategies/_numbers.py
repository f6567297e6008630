"""Phone numbers: E.164 (US, international), magic numbers, and non-E.164 strings."""

from __future__ import annotations

from typing import Literal

import hypothesis.strategies as st
from hypothesis.errors import InvalidArgument


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


#: Area codes libphonenumber places in the United States (the fake's Cartesia numbers dial
#: only US destinations, so magic numbers use these: Canadian and Caribbean +1 codes are out).
US_AREA_CODES = ("201", "212", "213", "305", "312", "404", "415", "512", "617", "646", "702", "917")


def magic_numbers(*, decades: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)) -> st.SearchStrategy[str]:
    """Fictional ``+1 NPA 555 01XX`` numbers whose callee behaviour is fixed by XX's tens.
    By default only the decades the fake places (a call is made); add 9 for destinations
    refused at request time (a per-destination error)."""

    def build() -> st.SearchStrategy[str]:
        bad = [d for d in decades if not 0 <= d <= 9]
        if not decades or bad:
            raise InvalidArgument(f"decades must be digits 0-9, got {decades!r}")
        return st.builds(
            lambda npa, d, u: f"+1{npa}55501{d}{u}",
            st.sampled_from(US_AREA_CODES),
            st.sampled_from(decades),
            st.integers(0, 9),
        )

    return st.deferred(build)


def e164_numbers(
    *, region: Literal["us", "international", "any"] = "any"
) -> st.SearchStrategy[str]:
    """Valid E.164 numbers: US (NANP numbers libphonenumber places in the US), international
    (never +1), or any (including magic numbers)."""

    def build() -> st.SearchStrategy[str]:
        if region not in ("us", "international", "any"):
            raise InvalidArgument(f"region must be us, international or any, got {region!r}")
        us = st.sampled_from(["212", "415", "646", "303", "617", "512"]).flatmap(
            lambda npa: st.builds(
                lambda a, b: f"+1{npa}{a}{b}", st.integers(2, 9).map(str), _digits(6)
            )
        )
        intl = st.builds(
            lambda cc, rest: f"+{cc}{rest}",
            st.sampled_from(["44", "33", "49", "81", "61", "91", "55"]),
            st.integers(6, 12).flatmap(_digits),
        )
        if region == "us":
            return us
        if region == "international":
            return intl
        return st.one_of(us, intl, magic_numbers())

    return st.deferred(build)


def invalid_e164_numbers() -> st.SearchStrategy[str]:
    """Strings that are not E.164: no ``+``, a leading 0, too long, spaces, a trailing
    newline, letters, or non-ASCII digits."""
    return st.one_of(
        _digits(11),
        st.builds(lambda d: "+0" + d, st.integers(1, 13).flatmap(_digits)),
        st.builds(lambda d: "+1" + d, _digits(15)),
        st.just("+1 415 555 9876"),
        st.builds(lambda n: n + "\n", e164_numbers(region="us")),
        st.just("+1415555CALL"),
        st.just("+١٤١٥٥٥٥٩٨٧٦"),
        st.just(""),
        st.just("+"),
    )
