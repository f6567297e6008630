"""The pytest plugin, tested the way users meet it: through pytester."""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

DIAL = """
def dial(client, *numbers, **extra):
    from mock_server import FakeCartesia
    return client.post("/agents/calls", json={
        "from_number_id": FakeCartesia.from_number_id, "agent_id": FakeCartesia.agent_id,
        "outbound_calls": [{"to_number": n} for n in numbers], **extra})
"""


def test_cartesia_fake_fixture_is_fresh_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
def test_one(cartesia_fake):
    r = dial(cartesia_fake.client(), "+14155550100")
    assert r.status_code == 200
    cartesia_fake.run_until_idle()
    cartesia_fake.assert_dialed("+14155550100", times=1)

def test_two(cartesia_fake):
    cartesia_fake.assert_not_dialed("+14155550100")
    assert cartesia_fake.client().get("/__fake__/clock").json()["mode"] == "virtual"
"""
    )
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_marker_options_and_knobs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.cartesia_fake(seed=1)
def test_seed_a(cartesia_fake):
    pytest.shared = dial(cartesia_fake.client(), "+14155550100").json()

@pytest.mark.cartesia_fake(seed=2)
def test_seed_b(cartesia_fake):
    assert dial(cartesia_fake.client(), "+14155550100").json() != pytest.shared

@pytest.mark.cartesia_fake(knobs={"max_outbound_calls": 1}, default_callee="busy")
def test_knob_and_default_callee(cartesia_fake):
    client = cartesia_fake.client()
    assert dial(client, "+12125550000", "+12125550001").status_code == 400
    call_id = dial(client, "+12125550000").json()["calls"][0]["agent_call_id"]
    call = cartesia_fake.wait_for_status(call_id, "failed")
    assert call.end_reason == "dial_busy"
"""
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_teardown_fails_on_unknown_routes_unless_allowed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

def test_unknown(cartesia_fake):
    assert cartesia_fake.client().get("/agents/v2/calls").status_code == 404

@pytest.mark.cartesia_fake(checks={"allow_unknown_routes": True})
def test_allowed(cartesia_fake):
    assert cartesia_fake.client().get("/agents/v2/calls").status_code == 404
""")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_unknown*", "*[[]unknown_route[]] GET /agents/v2/calls*"]
    )


def test_teardown_fails_on_a_fault_that_never_fired(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

def test_unused(cartesia_fake):
    cartesia_fake.add_fault(method="DELETE", path="/agents/calls/{call_id}", status=500)
    assert cartesia_fake.client().get("/").status_code == 200

@pytest.mark.cartesia_fake(checks={"allow_unused_faults": True})
def test_allowed(cartesia_fake):
    cartesia_fake.add_fault(method="DELETE", path="/agents/calls/{call_id}", status=500)
""")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_unused*", "*[[]unused_fault[]] never fired*DELETE*"]
    )


def test_budgets_stop_a_test_that_runs_away(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.cartesia_fake(max_virtual_seconds=60)
def test_time(cartesia_fake):
    client = cartesia_fake.client()
    call_id = dial(client, "+14155550171").json()["calls"][0]["agent_call_id"]
    cartesia_fake.advance(120)
    try:
        client.get(f"/agents/calls/{call_id}")
    except Exception:
        pass  # a dialer that swallows errors cannot swallow the budget

def test_requests_within_the_default(cartesia_fake):
    for _ in range(50):
        assert cartesia_fake.client().get("/agents", headers={"x": "y"}).status_code == 200
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*budget*the clock moved 120 virtual seconds*max_virtual*"])


def test_teardown_fails_on_duplicate_dials_when_enabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.cartesia_fake(checks={"check_duplicate_dials": True})
def test_double(cartesia_fake):
    client = cartesia_fake.client()
    dial(client, "+14155550100")
    dial(client, "+14155550100")

def test_double_unchecked(cartesia_fake):
    client = cartesia_fake.client()
    dial(client, "+14155550100")
    dial(client, "+14155550100")
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*[[]duplicate_dial[]] duplicate dial: +14155550100*",
            "*call_* ap_Q8PRh7lXyZsawXJmN2KcT5 -> +14155550100: created@*",
        ]
    )


def test_duplicate_check_from_command_line(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
def test_double(cartesia_fake):
    client = cartesia_fake.client()
    dial(client, "+14155550100")
    dial(client, "+14155550100")
"""
    )
    pytester.runpytest("--cartesia-check-duplicates").assert_outcomes(passed=1, errors=1)
    pytester.makeini("[pytest]\ncartesia_check_duplicates = true\n")
    pytester.runpytest().assert_outcomes(passed=1, errors=1)


def test_teardown_fails_on_fake_exceptions_and_contract_violations(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        DIAL
        + """
import mock_server.wire.views as views

def test_crash(cartesia_fake, monkeypatch):
    def boom(*a, **k):
        raise ZeroDivisionError("bug")
    monkeypatch.setattr(views, "agent_call", boom)
    r = dial(cartesia_fake.client(), "+14155550100")
    call_id = r.json()["calls"][0]["agent_call_id"]
    assert cartesia_fake.client().get(f"/agents/calls/{call_id}").status_code == 500

def test_contract(cartesia_fake, monkeypatch):
    real = views.agent_call
    monkeypatch.setattr(views, "agent_call", lambda *a, **k: {**real(*a, **k), "status": "active"})
    r = dial(cartesia_fake.client(), "+14155550100")
    call_id = r.json()["calls"][0]["agent_call_id"]
    assert cartesia_fake.client().get(f"/agents/calls/{call_id}").status_code == 200
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=2)
    result.stdout.fnmatch_lines(["*[[]exception[]] GET /agents/calls/call_*ZeroDivisionError*"])
    result.stdout.fnmatch_lines(["*[[]contract[]] GET /agents/calls/call_* broke 'agent_call'*"])


def test_report_header_and_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--cartesia-seed", "9")
    result.stdout.fnmatch_lines(["cartesia-fake: target=fake, seed=9, check_duplicates=False"])
    result = pytester.runpytest("--cartesia-target=live")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--cartesia-target=live needs --cartesia-base-url URL*"])
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*--cartesia-target=*", "*--cartesia-base-url=*"])


def test_fake_only_tests_skip_in_live_mode(pytester: pytest.Pytester, monkeypatch) -> None:
    from mock_server import FakeCartesia

    monkeypatch.setenv("MY_KEY", "sk_live_test")
    with FakeCartesia(validate_responses=False) as served:
        url = served.serve().url
        pytester.makepyfile("""
import pytest

@pytest.mark.cartesia_fake_only
def test_only_fake(cartesia_fake):
    pass

def test_fake_fixture_in_live_mode(cartesia_fake):
    pass

def test_target(cartesia_target):
    assert cartesia_target.is_live and cartesia_target.api_key == "sk_live_test"
    assert cartesia_target.http_client().get("/").json()["ok"] is True
""")
        result = pytester.runpytest(
            "--cartesia-target=live",
            f"--cartesia-base-url={url}",
            "--cartesia-api-key-env=MY_KEY",
            "-rs",
        )
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [f"cartesia-fake: target=live, base_url={url}*", "*needs the fake (cartesia_fake_only)*"]
    )


@pytest.mark.slow
def test_cartesia_server_gives_fresh_tenants_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.parametrize("i", range(8))
def test_isolated(cartesia_server, i):
    client = cartesia_server.client()
    r = dial(client, "+14155550100")
    assert r.status_code == 200
    listed = client.get("/agents/calls", params={"agent_id": "agent_Fo7pKNBUwLZxrTd6jvhpaE"})
    assert len(listed.json()["data"]) == 1  # nobody else's calls
    cartesia_server.run_until_idle()
    call = client.get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}").json()
    assert call["status"] == "completed"
"""
    )
    pytester.runpytest_subprocess("-n", "2").assert_outcomes(passed=8)


def test_assertion_failure_shows_the_timeline(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
def test_order(cartesia_fake):
    client = cartesia_fake.client()
    dial(client, "+14155550110")
    dial(client, "+14155550100")
    cartesia_fake.advance(10)
    cartesia_fake.assert_dialed_in_order(["+14155550100", "+14155550110"])
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*dial order differs at position 0: expected +14155550100, but +14155550110 was*",
            "*-> +14155550110: created@12:00:00.000, dialed@12:00:00.000, "
            "ended@12:00:03.000(dial_busy)*",
        ]
    )


def test_strict_inferred_fails_tests_relying_on_inferred_rules(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.cartesia_fake(checks={"strict_inferred": True})
def test_relies_on_a_busy_magic_number(cartesia_fake):
    assert dial(cartesia_fake.client(), "+14155550110").status_code == 200

@pytest.mark.cartesia_fake(
    checks={"strict_inferred": True, "allow_inferred": ["callees.magic"]}
)
def test_allowed(cartesia_fake):
    assert dial(cartesia_fake.client(), "+14155550110").status_code == 200

@pytest.mark.cartesia_fake(checks={"strict_inferred": True})
def test_plain_number(cartesia_fake):
    assert dial(cartesia_fake.client(), "+14155551234").status_code == 200

def test_not_strict(cartesia_fake):
    assert dial(cartesia_fake.client(), "+14155550110").status_code == 200
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_relies_on_a_busy_magic_number*",
            "*[[]inferred[]] answers relied on INFERRED ledger rules*",
            "*callees.magic: +1 NPA 555 01XX destinations have fixed behaviours*",
            "*POST /agents/calls -> 200*",
        ]
    )
    # the command-line switch turns it on for every test
    pytester.runpytest("--cartesia-strict-inferred").assert_outcomes(passed=4, errors=2)


def test_marker_chooses_the_api_version(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

def test_default_is_the_sdks(cartesia_fake):
    assert cartesia_fake.client().headers["cartesia-version"] == "2026-08-14"
    r = dial(cartesia_fake.client(), "+14155550100")
    call = cartesia_fake.client().get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}")
    assert "dynamic_variables" in call.json()

@pytest.mark.cartesia_fake(api_version="2026-03-01")
def test_older_version(cartesia_fake):
    r = dial(cartesia_fake.client(), "+14155550100")
    call = cartesia_fake.client().get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}")
    assert call.json()["metadata"] is None
    assert cartesia_fake.get_call(call.json()["id"])["zdr_enabled"] is False
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_a_mistyped_marker_option_fails_naming_the_closest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.cartesia_fake(allow_unknown_route=True, max_outbond_calls=3)
def test_typo(cartesia_fake):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*'allow_unknown_route' (did you mean 'allow_unknown_routes'?)*",
        ]
    )
    result.stdout.fnmatch_lines(["*'max_outbond_calls' (did you mean 'max_outbound_calls'?)*"])


def test_a_failing_test_leaves_a_timeline_named_in_its_failure(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        DIAL
        + """
def test_fails(cartesia_fake):
    dial(cartesia_fake.client(), "+14155550110", "+14155550100")
    cartesia_fake.run_until_idle()
    assert False, "the dialer got it wrong"

def test_passes(cartesia_fake):
    dial(cartesia_fake.client(), "+14155550100")
"""
    )
    result = pytester.runpytest("--cartesia-timeline-dir", "timelines")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*cartesia-fake timeline*", "*the calls of this test: timelines*"])
    [page] = (pytester.path / "timelines").glob("*.html")
    assert "test_fails" in page.name
    text = page.read_text()
    assert 'data-outcome="busy"' in text  # +1…555-0110 is busy
    assert 'data-outcome="completed"' in text
    assert "<template id='details-call_" in text  # each call's details, for a click


def test_timelines_of_tests_whose_ids_differ_only_in_odd_characters_do_not_clash(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        DIAL
        + """
import pytest

@pytest.mark.parametrize("name", ["a/b", "a?b", "a b"])
def test_fails(cartesia_fake, name):
    dial(cartesia_fake.client(), "+14155550100")
    assert False, name
"""
    )
    result = pytester.runpytest("--cartesia-timeline-dir", "timelines")
    result.assert_outcomes(failed=3)
    pages = sorted((pytester.path / "timelines").glob("*.html"))
    assert len(pages) == 3, [p.name for p in pages]


def test_timelines_are_off_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_fails(cartesia_fake):
    assert False
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    assert "cartesia-fake timeline" not in result.stdout.str()
    assert not list(pytester.path.rglob("*.html"))


def test_the_ini_option_pins_the_version_of_fixtures_and_strategies(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CARTESIA_FAKE_API_VERSION", raising=False)
    pytester.makeini("[pytest]\ncartesia_api_version = 2026-03-01\n")
    pytester.makepyfile(
        DIAL
        + """
from hypothesis import HealthCheck, given, settings
from contracts.strategies import default_version, outbound_requests

def test_fixture(cartesia_fake, cartesia_target):
    assert cartesia_fake.api_version == "2026-03-01"
    r = dial(cartesia_fake.client(), "+14155550100")
    cartesia_fake.run_until_idle()
    [entry] = [e for e in cartesia_fake.requests() if e.method == "POST"]
    assert entry.headers["cartesia-version"] == "2026-03-01"
    call = cartesia_fake.client().get(f"/agents/calls/{r.json()['calls'][0]['agent_call_id']}")
    assert "metadata" in call.json() and "dynamic_variables" not in call.json()
    assert cartesia_target.http_client().headers["cartesia-version"] == "2026-03-01"

def test_marker_still_wins(make_cartesia_fake):
    assert make_cartesia_fake(api_version="2025-04-16").api_version == "2025-04-16"

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outbound_requests(max_items=3))
def test_strategies(body):
    assert default_version() == "2026-03-01"
    assert all("dynamic_variables" not in item for item in body["outbound_calls"])
"""
    )
    result = pytester.runpytest()  # in process: the plugin gives the environment back
    result.assert_outcomes(passed=3)
    assert "CARTESIA_FAKE_API_VERSION" not in os.environ


def test_an_unknown_pinned_version_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ncartesia_api_version = 2020-01-01\n")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*cartesia_api_version must be one of 2024-06-10*2020-01-01*"])


@pytest.mark.slow
def test_the_served_fixture_stops_a_runaway_with_the_same_budget(
    pytester: pytest.Pytester,
) -> None:
    """``cartesia_server`` has the fixtures' budgets: a retry-forever loop against the live
    server is ended in the test's own thread, naming the hottest loop."""
    pytester.makeini("[pytest]\ncartesia_max_requests = 40\n")
    pytester.makepyfile(
        """
import httpx

def test_retries_forever(cartesia_server):
    c = cartesia_server.client()
    for _ in range(100_000):
        try:  # the planted bug: every failure is retried
            c.post("/agents/calls", json={"agent_id": "x"})
        except Exception:
            pass
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*cartesia-fake budget: this test made 40 API requests (max_requests=40)*",
            "*POST /agents/calls: 41 requests*",
        ]
    )


def test_the_flat_marker_spelling_still_works_and_says_what_to_write(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.cartesia_fake(max_outbound_calls=1, allow_unknown_routes=True)
def test_old(cartesia_fake):
    body = {"agent_id": cartesia_fake.agent_id, "from_number_id": cartesia_fake.from_number_id,
            "outbound_calls": [{"to_number": "+14155550100"}, {"to_number": "+14155550101"}]}
    assert cartesia_fake.client().post("/agents/calls", json=body).status_code == 400
    cartesia_fake.client().get("/agents/nowhere/at/all")
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*DeprecationWarning*knobs={'max_outbound_calls': ...}*checks={'allow_unknown_routes'*"]
    )
