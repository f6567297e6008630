"""Extract the facts of Cartesia's published OpenAPI fragments into contracts/vendor_facts.json.

Each source is a URL, optionally with a stored copy to read instead of fetching it:

    python scripts/spec_facts.py \\
        https://docs.cartesia.ai/api-reference/agents/call-batches/get-call-batch.md \\
        https://docs.cartesia.ai/api-reference/agents/calls/create-outbound-call.md=copy.md

A docs page's ``.md`` form embeds its endpoint's fragment of ``latest.yml`` in a fenced yaml
block; a whole spec file works too. Only facts are written (paths, methods, parameters,
status codes, fields, types, required, enums, bounds), with each source's URL, retrieval
date, the version it describes and whether the fragment was whole. Only operations under
``--paths`` (default ``/agents``) are kept. Run it again the day Cartesia publishes a change,
then run the test suite: ``tests/test_spec_facts.py`` names every new difference.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from contracts import SHIPPED
from mock_server.checker.spec_facts import facts_of_text

OUT = Path(__file__).resolve().parent.parent / "contracts" / "vendor_facts.json"


def _read(source: str) -> tuple[str, str]:
    url, _, copy = source.partition("=")
    if copy:
        return url, Path(copy).read_text(encoding="utf-8")
    import httpx

    answer = httpx.get(url, timeout=30, follow_redirects=True)
    answer.raise_for_status()
    return url, answer.text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sources", nargs="+", metavar="URL[=FILE]")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--paths", default="/agents", help="keep operations under this prefix")
    parser.add_argument(
        "--retrieved", default=datetime.date.today().isoformat(), help="retrieval date"
    )
    args = parser.parse_args(argv)
    entries = []
    for source in args.sources:
        url, text = _read(source)
        for doc in facts_of_text(text, SHIPPED.names[-1]):
            ops = {
                op: facts
                for op, facts in sorted(doc["operations"].items())
                if op.split(" ", 1)[1].startswith(args.paths)
            }
            entries.append({"url": url, "retrieved": args.retrieved, **doc, "operations": ops})
            print(
                f"{url}: {doc['version']}, {len(ops)} operations"
                f"{'' if doc['complete'] else ' (fragment cut short)'}",
                file=sys.stderr,
            )
    data = {
        "about": "Facts extracted by scripts/spec_facts.py from Cartesia's published OpenAPI "
        "fragments; no prose. Compared with the fake by tests/test_spec_facts.py and "
        "'cartesia-fake contracts diff'.",
        "sources": entries,
    }
    args.out.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
