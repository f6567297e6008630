"""``cartesia-fake contracts diff FILE``: a spec file a team downloads against the fake."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from mock_server.checker.spec_diff import diff_text, naming_rule
from mock_server.checker.spec_facts import SpecError


def add_parser(sub: Any) -> None:
    contracts = sub.add_parser(
        "contracts",
        help="compare a published OpenAPI spec with the fake's contracts",
        description="Work with the fake's contracts and Cartesia's published spec.",
    )
    inner = contracts.add_subparsers(dest="contracts_command", required=True, metavar="ACTION")
    diff = inner.add_parser(
        "diff",
        help="the differences between a spec file and the fake",
        description="Read FILE (a whole OpenAPI spec in YAML or JSON, or a docs page's .md "
        "form with its embedded fragment) and compare its facts (paths, methods, parameters, "
        "status codes, fields, types, required, enums, bounds) with the fake's contracts "
        "under the version it describes. Differences the behaviour ledger explains are "
        "listed with the rule; others are drift. Exit 0: no drift; 1: drift; 2: FILE "
        "unreadable.",
    )
    diff.add_argument("file", type=Path, metavar="FILE")
    diff.add_argument(
        "--version",
        metavar="VERSION",
        help="the Cartesia-Version FILE describes when it does not say (default: the newest)",
    )
    diff.add_argument(
        "--paths",
        default="/agents",
        metavar="PREFIX",
        help="compare the operations under PREFIX (default /agents: the agent-call surface)",
    )
    diff.add_argument("--all", action="store_true", help="also list the explained differences")


def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    from contracts import SHIPPED

    try:
        text = args.file.read_text(encoding="utf-8")
        found = diff_text(text, args.version or SHIPPED.names[-1], args.paths)
    except (OSError, UnicodeDecodeError, SpecError) as exc:
        print(f"cartesia-fake contracts diff: {args.file}: {exc}", file=sys.stderr)
        return 2
    drift = [d for d in found if naming_rule(d) is None]
    explained = len(found) - len(drift)
    for difference in drift:
        print(f"DRIFT  {difference.line()}", file=out)
    if args.all:
        for difference in found:
            rule = naming_rule(difference)
            if rule is not None:
                print(f"known  {difference.line()}  [ledger {rule}]", file=out)
    kinds = Counter(d.aspect for d in drift)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none"
    print(
        f"{len(found)} differences: {len(drift)} not explained by the ledger ({summary}), "
        f"{explained} explained",
        file=out,
    )
    return 1 if drift else 0
