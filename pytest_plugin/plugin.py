"""pytest plugin for cartesia-fake: fixtures, a marker, options, and loud teardown.

Only pytest is imported at module level; the fake is imported inside fixtures and hooks.

Fixtures: ``cartesia_fake`` (fresh in-process fake per test, virtual clock),
``make_cartesia_fake`` (factory), ``cartesia_server`` (one live server per session, a fresh
tenant per test), ``cartesia_target`` (the fake in-process, or a live base URL with
``--cartesia-target=live``). Marker: ``@pytest.mark.cartesia_fake(...)``; tests that only make
sense on the fake carry ``@pytest.mark.cartesia_fake_only``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_plugin.budgets import fail_test as _fail_test
from pytest_plugin.budgets import served_budget as _served_budget
from pytest_plugin.marker import CHECKS
from pytest_plugin.marker import marker_options as _marker_options
from pytest_plugin.options import _setting, api_version
from pytest_plugin.options import pytest_addoption as pytest_addoption  # a hook, found here
from pytest_plugin.timelines import TimelineWriter, note_fake

if TYPE_CHECKING:
    from mock_server import FakeCartesia
    from pytest_plugin.sink import WebhookSink
    from pytest_plugin.targets import CartesiaTarget, ServerTenant

pytest.register_assert_rewrite("mock_server.kit.assertions")


#: The strategies' pinned version before this session pinned its own (None: unset).
_PINNED_BEFORE = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "cartesia_fake(seed=, clock=, default_callee=, strict_contracts=True, "
        "allow_unused_faults=False, max_requests=10000, max_virtual_seconds=2678400, "
        "allow_unknown_routes=False, check_duplicate_dials=, strict_inferred=, "
        "allow_inferred=(), api_key=, api_version=, **knobs): options of "
        "the cartesia_fake fixture for this test",
    )
    config.addinivalue_line(
        "markers", "cartesia_fake_only: needs the fake; skipped with --cartesia-target=live"
    )
    timeline_dir = _setting(config, "cartesia_timeline_dir")
    if timeline_dir:
        config.pluginmanager.register(TimelineWriter(timeline_dir), "cartesia-fake-timelines")
    target = _setting(config, "cartesia_target")
    if target not in ("fake", "live"):
        raise pytest.UsageError(f"--cartesia-target must be fake or live, not {target!r}")
    if target == "live" and not _setting(config, "cartesia_base_url"):
        raise pytest.UsageError("--cartesia-target=live needs --cartesia-base-url URL")
    pinned = _setting(config, "cartesia_api_version")
    if pinned:
        from contracts import VERSIONS
        from contracts.strategies import VERSION_ENV

        if pinned not in VERSIONS:
            raise pytest.UsageError(
                f"cartesia_api_version must be one of {', '.join(VERSIONS)}, not {pinned!r}"
            )
        config.stash[_PINNED_BEFORE] = os.environ.get(VERSION_ENV)
        os.environ[VERSION_ENV] = pinned  # the strategies' default version, for this session


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give the environment back as it was (a pytester run must not pin its host's version)."""
    if _PINNED_BEFORE not in config.stash:
        return
    from contracts.strategies import VERSION_ENV

    before = config.stash[_PINNED_BEFORE]
    if before is None:
        os.environ.pop(VERSION_ENV, None)
    else:
        os.environ[VERSION_ENV] = before


def pytest_report_header(config: pytest.Config) -> str:
    target = _setting(config, "cartesia_target")
    parts = [f"target={target}"]
    if target == "live":
        parts.append(f"base_url={_setting(config, 'cartesia_base_url')}")
        parts.append(f"key from ${_setting(config, 'cartesia_api_key_env')}")
    else:
        parts.append(f"seed={_setting(config, 'cartesia_seed')}")
    parts.append(f"check_duplicates={bool(_setting(config, 'cartesia_check_duplicates'))}")
    if _setting(config, "cartesia_strict_inferred"):
        parts.append("strict_inferred=True")
    return "cartesia-fake: " + ", ".join(parts)


def _is_live(config: pytest.Config) -> bool:
    return bool(_setting(config, "cartesia_target") == "live")


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _is_live(item.config) and item.get_closest_marker("cartesia_fake_only"):
        pytest.skip("needs the fake (cartesia_fake_only) but --cartesia-target=live")


def _fail_on_problems(
    fake: FakeCartesia,
    *,
    tenant: str | None,
    strict_contracts: bool,
    allow_unknown_routes: bool,
    check_duplicates: bool,
    strict_inferred: bool = False,
    allow_inferred: tuple[str, ...] = (),
    allow_unused_faults: bool = False,
) -> None:
    kinds = {"exception"}
    if strict_contracts:
        kinds.add("contract")
    if not allow_unknown_routes:
        kinds.add("unknown_route")
    problems = [
        p for p in fake.problems() if p.kind in kinds and (tenant is None or p.tenant == tenant)
    ]
    messages = [f"[{p.kind}] {p.detail}" for p in problems]
    if check_duplicates:
        dups = fake.duplicate_dials(api_key=tenant)
        messages += [f"[duplicate_dial] {d.describe()}" for d in dups]
    if not allow_unused_faults:
        keys = [tenant] if tenant is not None else [t.key for t in fake.service.tenants.all()]
        for key in keys:
            for fault in fake.unused_faults(api_key=key):
                shown = {k: v for k, v in fault.as_dict().items() if v not in (None, False, 0)}
                messages.append(f"[unused_fault] never fired: {shown}")
    if strict_inferred:
        keys = [tenant] if tenant is not None else [t.key for t in fake.service.tenants.all()]
        for key in keys:
            try:
                fake.assert_no_inferred_rules(allow=allow_inferred, api_key=key)
            except AssertionError as error:
                messages.append(f"[inferred] {error}")
    if messages:
        pytest.fail(
            "cartesia-fake saw problems during this test:\n  "
            + "\n  ".join(messages)
            + "\n"
            + fake.describe(api_key=tenant),
            pytrace=False,
        )


_PLUGIN_OPTIONS = (
    *CHECKS,
    "max_requests",
    "max_virtual_seconds",
    "max_response_bytes",
    "max_wall_seconds",
)


def _check_option_names(options: dict[str, Any]) -> None:
    """Fail the test naming a mistyped option, with the closest one it could mean."""
    import inspect

    from mock_server import FakeCartesia
    from mock_server.domain.settings import knob_names, suggest

    params = [
        p.name
        for p in inspect.signature(FakeCartesia.__init__).parameters.values()
        if p.kind is p.KEYWORD_ONLY
    ]
    known = {*_PLUGIN_OPTIONS, *params, *knob_names()}
    unknown = [name for name in options if name not in known]
    if unknown:
        hints = "; ".join(f"{name!r}{suggest(name, known)}" for name in unknown)
        pytest.fail(
            f"cartesia_fake: unknown option(s) {hints}. Options: the plugin's "
            f"({', '.join(_PLUGIN_OPTIONS)}), FakeCartesia's ({', '.join(params)}) and any "
            "knob (cartesia-fake behaviors lists them)",
            pytrace=False,
        )


def _fake_factory(request: pytest.FixtureRequest) -> tuple[Callable[..., Any], list[Any]]:
    from mock_server import FakeCartesia

    made: list[tuple[FakeCartesia, dict[str, Any]]] = []
    config = request.config

    def make(**options: Any) -> FakeCartesia:
        _check_option_names(options)
        strict_contracts = bool(options.pop("strict_contracts", True))
        checks: dict[str, Any] = {
            "strict_contracts": strict_contracts,
            "allow_unknown_routes": bool(options.pop("allow_unknown_routes", False)),
            "check_duplicates": bool(
                options.pop("check_duplicate_dials", _setting(config, "cartesia_check_duplicates"))
            ),
            "strict_inferred": bool(
                options.pop("strict_inferred", _setting(config, "cartesia_strict_inferred"))
            ),
            "allow_inferred": tuple(options.pop("allow_inferred", ())),
            "allow_unused_faults": bool(options.pop("allow_unused_faults", False)),
        }
        for name in ("max_requests", "max_virtual_seconds"):  # the ini's defaults
            options.setdefault(name, float(_setting(config, f"cartesia_{name}")))
        if options["max_requests"] is not None:
            options["max_requests"] = int(options["max_requests"])
        options.setdefault("seed", int(_setting(config, "cartesia_seed")))
        options.setdefault("api_version", api_version(config))
        fake = FakeCartesia(validate_responses=strict_contracts, **options)
        assert fake.service.budget is not None
        fake.service.budget.on_exceeded = _fail_test
        made.append((fake, checks))
        note_fake(request.node, fake)
        return fake

    return make, made


@pytest.fixture
def make_cartesia_fake(request: pytest.FixtureRequest) -> Iterator[Callable[..., FakeCartesia]]:
    """A factory of in-process fakes (keyword options as for the marker); all are checked at
    teardown."""
    if _is_live(request.config):
        pytest.skip("make_cartesia_fake needs the fake but --cartesia-target=live")
    make, made = _fake_factory(request)
    yield make
    for fake, checks in made:
        fake.close()
        _fail_on_problems(fake, tenant=None, **checks)


@pytest.fixture
def cartesia_fake(
    make_cartesia_fake: Callable[..., FakeCartesia], request: pytest.FixtureRequest
) -> FakeCartesia:
    """A fresh in-process fake on a virtual clock; the test fails at teardown on exceptions in
    the fake, its own contract violations, unknown routes and (opt-in) duplicate dials."""
    marker = request.node.get_closest_marker("cartesia_fake")
    options = _marker_options(dict(marker.kwargs)) if marker else {}
    return make_cartesia_fake(**options)


@pytest.fixture(scope="session")
def _cartesia_session_server(
    pytestconfig: pytest.Config,
) -> Iterator[tuple[FakeCartesia, str]]:
    from mock_server import FakeCartesia

    fake = FakeCartesia(  # the same budgets as the in-process fixtures, per test tenant
        real_latency=True,
        max_requests=int(_setting(pytestconfig, "cartesia_max_requests")),
        max_virtual_seconds=float(_setting(pytestconfig, "cartesia_max_virtual_seconds")),
    )
    url = fake.serve().url
    yield fake, url
    fake.close()


@pytest.fixture
def cartesia_server(
    _cartesia_session_server: tuple[FakeCartesia, str], request: pytest.FixtureRequest
) -> Iterator[ServerTenant]:
    """The session's live server (one per xdist worker) with a fresh tenant for this test."""
    from pytest_plugin.targets import ServerTenant, new_tenant_key

    fake, url = _cartesia_session_server
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    tenant = ServerTenant(
        url, new_tenant_key(f"sk_car_pytest_{worker}"), fake, api_version(request.config)
    )
    note_fake(request.node, fake, tenant.api_key)
    with _served_budget(fake):
        yield tenant
    tenant.close()
    _fail_on_problems(
        fake,
        tenant=tenant.api_key,
        strict_contracts=True,
        allow_unknown_routes=False,
        check_duplicates=bool(_setting(request.config, "cartesia_check_duplicates")),
        strict_inferred=bool(_setting(request.config, "cartesia_strict_inferred")),
    )


@pytest.fixture
def cartesia_target(request: pytest.FixtureRequest) -> Iterator[CartesiaTarget]:
    """Where a dialer under test should point: the in-process fake, or with
    ``--cartesia-target=live`` the live base URL and the key from the environment."""
    from pytest_plugin.targets import DEFAULT_BASE_URL, CartesiaTarget

    config = request.config
    if _is_live(config):
        env = str(_setting(config, "cartesia_api_key_env"))
        key = os.environ.get(env)
        if not key:
            pytest.fail(f"--cartesia-target=live needs an API key in ${env}", pytrace=False)
        base_url = str(_setting(config, "cartesia_base_url"))
        target = CartesiaTarget(base_url, key, None, api_version(config))
    else:
        fake = request.getfixturevalue("cartesia_fake")
        target = CartesiaTarget(DEFAULT_BASE_URL, fake.api_key, fake, fake.api_version)
    yield target
    target.close()


@pytest.fixture
def cartesia_webhook_sink() -> Iterator[WebhookSink]:
    """A live HTTP receiver that records webhook deliveries (``.url``, ``.secret``,
    ``.received``, ``.events()``, ``.fail_next(n)``)."""
    from pytest_plugin.sink import WebhookSink

    sink = WebhookSink().start()
    yield sink
    sink.stop()
