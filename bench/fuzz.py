"""The long Schemathesis run against a served fake's /openapi.json (>= 10,000 requests).

Usage: python3 -m bench.fuzz [MAX_EXAMPLES]   (default 400 per operation)
"""

from __future__ import annotations

import sys

from tests.test_cli import Served
from tests.test_schemathesis import run_schemathesis


def main(max_examples: int = 400) -> int:
    served = Served("--quiet", "--clock", "virtual", "--api-key", "sk_schemathesis")
    try:
        out = run_schemathesis(served.url, max_examples=max_examples, seed=7)
    finally:
        code, _, err = served.stop()
    print(out.stdout[-3000:])
    print(f"server exit code {code}; tracebacks in server log: {err.count('Traceback')}")
    return out.returncode or code


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400))
