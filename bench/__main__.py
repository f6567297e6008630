"""Run every benchmark: ``python3 -m bench`` (add ``--quick`` for short runs, ``--peers``
to put WireMock, Mockoon and Prism beside the served fake: needs npm and a JRE).

Every figure is measured in the same run as its floor and reported as a ratio to it.
"""

from __future__ import annotations

import sys

from bench import batch_reads, batches, inprocess, scale, served


def main() -> None:
    if "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__.strip())
        print("\nParts: python3 -m bench.inprocess | bench.scale | bench.batches | bench.served |")
        print("bench.batch_reads | bench.served --peers | bench.fairshare | bench.soak |")
        print("bench.chaos | bench.fuzz (each with --help or a docstring)")
        return
    quick = "--quick" in sys.argv
    print(inprocess.report(inprocess.measure(reps=5 if quick else 15)))
    print(inprocess.report(inprocess.measure_per_test(), "per test: set-up + 1 + teardown"))
    print("\n".join(inprocess.get_call_by_talk()))
    print(batch_reads.report(batch_reads.measure(reps=3 if quick else 7)))
    print()
    calls, numbers = (100_000, 100) if quick else (1_000_000, 1_000)
    for line in scale.measure(calls, numbers):
        print(line, flush=True)
    print(scale.served_p99(calls=calls, numbers=numbers, seconds=3 if quick else 10))
    print()
    batches.main(quick)
    print()
    served.main(3 if quick else 10)
    if "--peers" in sys.argv:
        from bench import peer_rounds

        print(peer_rounds.compare(3 if quick else 5, 3 if quick else 4))


if __name__ == "__main__":
    main()
