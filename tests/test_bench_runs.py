"""The benchmarks' own workloads still run against today's API (a bench that rots is found
here, not when someone measures). Small sizes; the figures themselves are not asserted."""

from __future__ import annotations

import pytest

from bench import batches, scale

pytestmark = pytest.mark.slow


def test_the_scale_workload_places_and_finishes_every_call() -> None:
    result = scale.run(2_000, 20, trace=True)
    assert result["calls"] == 2_000
    assert 0 < result["bytes_per_call"] < 5_000  # traced: a real figure, not NaN


def test_the_batch_workload_drains_every_recipient_into_a_call() -> None:
    result = batches.run(2_000, per_batch=500, trace=True)
    assert result["calls"] == 2_000
    assert result["batches"] == 4
    assert 0 < result["bytes_per_call"] < 5_000
