"""Hypothesis strategies for the Cartesia outbound-call contracts.

Plain functions returning strategies, keyword-only options, argument errors raised at draw
time (``hypothesis.errors.InvalidArgument``). Requires the ``strategies`` extra (Hypothesis).
"""

from __future__ import annotations

from contracts.strategies._batches import (
    BATCH_RULES,
    Campaign,
    InvalidBatchRequest,
    batch_requests,
    campaigns,
    invalid_batch_requests,
)
from contracts.strategies._invalid import (
    ITEM_RULES,
    RULES,
    VERSION_RULES,
    InvalidRequest,
    invalid_outbound_requests,
)
from contracts.strategies._numbers import e164_numbers, invalid_e164_numbers, magic_numbers
from contracts.strategies._requests import (
    VERSION_ENV,
    agent_calls,
    default_version,
    dynamic_variables,
    outbound_requests,
)
from contracts.strategies._workloads import Workload, workloads

__all__ = [
    "BATCH_RULES",
    "ITEM_RULES",
    "RULES",
    "VERSION_ENV",
    "VERSION_RULES",
    "Campaign",
    "InvalidBatchRequest",
    "InvalidRequest",
    "Workload",
    "agent_calls",
    "batch_requests",
    "campaigns",
    "default_version",
    "dynamic_variables",
    "e164_numbers",
    "invalid_batch_requests",
    "invalid_e164_numbers",
    "invalid_outbound_requests",
    "magic_numbers",
    "outbound_requests",
    "workloads",
]
