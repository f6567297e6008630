"""The rules of ARCHITECTURE.md, enforced: layering, public surface, no global state, tooling."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("contracts", "mock_server", "pytest_plugin")


def _modules_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(out.stdout.split())


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("contracts", {"mock_server", "pytest_plugin", "starlette", "hypothesis", "pytest"}),
        ("mock_server", {"pytest_plugin", "pytest", "hypothesis"}),
        ("pytest_plugin.plugin", {"mock_server", "contracts", "hypothesis"}),
    ],
)
def test_dependencies_point_one_way(module: str, forbidden: set[str]) -> None:
    loaded = _modules_after_import(module)
    leaked = {m for m in loaded if m.split(".")[0] in forbidden}
    assert not leaked, f"importing {module} loaded {sorted(leaked)}"


@pytest.mark.slow
def test_serving_does_not_import_the_client_or_validator_stacks() -> None:
    """`cartesia-fake serve` starts faster without httpx and jsonschema (both load on use)."""
    loaded = _modules_after_import(
        "mock_server.cli.main, mock_server.serving.app, mock_server.service.core"
    )
    assert not {m.split(".")[0] for m in loaded} & {"httpx", "jsonschema", "referencing"}
    # ...and the lazy names still resolve
    assert "mock_server.kit.facade" in _modules_after_import(
        "mock_server; mock_server.FakeCartesia"
    )


@pytest.mark.parametrize("package", ["contracts", "mock_server"])
def test_public_all_is_exact(package: str) -> None:
    mod = __import__(package)
    public = {n for n in dir(mod) if not n.startswith("_")}  # dir(): lazy names too
    submodules = {n for n in public if type(getattr(mod, n)).__name__ == "module"}
    typing_names = {"annotations", "Any", "TYPE_CHECKING"}
    assert sorted(mod.__all__) == sorted(public - submodules - typing_names)
    for name in mod.__all__:
        assert getattr(mod, name).__doc__, f"{package}.{name} has no docstring"


def _source_files() -> list[Path]:
    return [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]


@pytest.mark.parametrize("path", _source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_level_mutable_state(path: Path) -> None:
    tree = ast.parse(path.read_text())
    mutable = (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)
    for node in tree.body:
        value = getattr(node, "value", None)
        targets = [t.id for t in getattr(node, "targets", []) if isinstance(t, ast.Name)]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        if targets == ["__all__"]:
            continue
        assert not isinstance(value, mutable), f"{path.name}: module-level mutable {targets}"
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
            assert value.func.id not in {"dict", "list", "set", "deque", "defaultdict"}, targets


def _imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_domain_import_closure_has_no_http() -> None:
    """Everything the domain imports, transitively (our modules only), stays off HTTP."""
    start = [
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in (ROOT / "mock_server" / "domain").rglob("*.py")
    ]
    seen: set[str] = set()
    todo = list(start)
    third_party: dict[str, str] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_path(name)
        if path is None:
            continue
        for imported in _imports_of(path):
            root = imported.split(".")[0]
            if root in {"mock_server", "contracts"}:
                todo.append(imported)
            else:
                third_party.setdefault(root, name)
    banned = {"starlette", "uvicorn", "httpx", "pytest"}
    assert not banned & set(third_party), {b: third_party[b] for b in banned & set(third_party)}


def test_the_domain_takes_commands_not_contracts() -> None:
    """Requests are decoded at the edge (``mock_server.wire``): no module of the domain
    imports the contracts, nor anything outside the domain that does."""
    for path in (ROOT / "mock_server" / "domain").rglob("*.py"):
        roots = {name.split(".")[0] for name in _imports_of(path)}
        assert "contracts" not in roots, f"{path.name} imports contracts"
        ours = {n for n in _imports_of(path) if n.startswith("mock_server.")}
        assert all(n.startswith("mock_server.domain") for n in ours), (path.name, ours)


@pytest.mark.slow
def test_importing_the_domain_loads_no_http_stack() -> None:
    loaded = _modules_after_import("mock_server.domain.tenants.tenant")
    assert not {"starlette", "uvicorn", "httpx"} & loaded, loaded & {"starlette", "uvicorn"}


def test_modules_stay_small() -> None:
    for path in _source_files():
        lines = len(path.read_text().splitlines())
        assert lines <= 400, f"{path.relative_to(ROOT)} has {lines} lines; split it by concept"


@pytest.mark.slow
def test_ruff_is_clean() -> None:
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run(
            [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=ROOT
        )
        assert out.returncode == 0, out.stdout + out.stderr


@pytest.mark.slow
def test_mypy_strict_is_clean() -> None:
    out = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    readme = (ROOT / "README.md").read_text()
    command = 'python3 -m pip install -e ".[test]" && python3 -m pytest'
    assert f"```bash\n{command}\n```" in readme
    assert command in (ROOT / ".ci" / "run").read_text()


def test_the_user_extra_stays_small() -> None:
    """``cartesia-fake[pytest]`` is what a dialer team installs: the plugin's and the
    strategies' needs only, never this project's toolchain (the ``test`` extra)."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    names = {re.split(r"[<>=\[ ]", req, maxsplit=1)[0] for req in extras["pytest"]}
    assert names == {"pytest", "hypothesis"}
    assert not names & {"ruff", "mypy", "schemathesis", "respx", "cartesia", "cartesia-line"}


#: Attributes httpx keeps for itself that a transport might be tempted to set.
_HTTPX_RESPONSE_INTERNALS = {"_content", "is_stream_consumed", "is_closed", "_request"}


def test_public_apis_only() -> None:
    """No private name of asyncio or httpx anywhere in the package: no ``asyncio._x`` or
    ``httpx._x``, no ``from httpx._x import``, no setting a response's internal fields."""
    found = []
    for path in _source_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in {"asyncio", "httpx"}
                and node.attr.startswith("_")
            ):
                found.append(f"{where} {node.value.id}.{node.attr}")
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] in {"asyncio", "httpx"} and any(p.startswith("_") for p in parts):
                    found.append(f"{where} from {node.module}")
            if isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr in _HTTPX_RESPONSE_INTERNALS
                        and not (isinstance(target.value, ast.Name) and target.value.id == "self")
                    ):
                        found.append(f"{where} sets .{target.attr}")
    assert not found, found


#: A tenant's internals: only ``mock_server/domain/tenants/`` touches them; everything
#: else goes through ``tenant.transaction()`` (or a tenant's own operations).
_TENANT_INTERNALS = {"world", "engine", "clock", "_lock", "locked", "_world", "_engine"}


def _names_a_tenant(node: ast.expr) -> bool:
    """``tenant``, ``ctx.tenant``, ``fake.tenant(...)``, ``service.tenants.get(...)``."""
    if isinstance(node, ast.Name):
        return "tenant" in node.id
    if isinstance(node, ast.Attribute):
        return "tenant" in node.attr
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        func = node.func
        owner = func.value
        return "tenant" in func.attr or (
            isinstance(owner, ast.Attribute | ast.Name)
            and "tenants" in (owner.attr if isinstance(owner, ast.Attribute) else owner.id)
        )
    return False


def test_a_tenants_internals_are_private_to_its_package() -> None:
    """A tenant's world, engine, clock and lock are private attributes, and ruff's SLF001
    (private member access) is on for every module outside ``domain/tenants/``."""
    import tomllib

    from mock_server import FakeCartesia

    with FakeCartesia() as fake:
        public = {name for name in dir(fake.tenant()) if not name.startswith("_")}
    assert not public & {"world", "engine", "clock", "lock", "locked"}, public
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "SLF" in lint["select"]
    exempt = [glob for glob, rules in lint["per-file-ignores"].items() if "SLF001" in rules]
    assert [g for g in exempt if g.startswith("mock_server")] == ["mock_server/domain/tenants/**"]


def test_only_the_tenant_package_touches_a_tenants_internals() -> None:
    inside = ROOT / "mock_server" / "domain" / "tenants"
    found = []
    for path in _source_files():
        if inside in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in _TENANT_INTERNALS
                and _names_a_tenant(node.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
    assert not found, found


#: The packages of ``mock_server``, lowest first. A module may import (at run time: not
#: under ``TYPE_CHECKING``) only from its own package or one below it, so these are the only
#: arrows, and there is no circle among packages.
LAYERS = (
    "domain",  # the shared kernel: errors, ids, settings, commands, models
    "domain.journal",
    "domain.calls",
    "domain.webhooks",
    "domain.timing",
    "domain.batches",
    "domain.tenants",
    "domain.reads",
    "wire",
    "bridge",
    "service",
    "http",
    "ui",
    "routes",
    "serving",
    "recordings",
    "kit",
    "checker",
    "proxy",
    "cli",
    "",  # mock_server/__init__.py and __main__.py: the facade's names, the entry point
)


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "mock_server":
        return None
    base = ROOT / "mock_server"
    if len(parts) > 1 and (base / parts[1]).is_dir():
        if parts[1] == "domain" and len(parts) > 2 and (base / "domain" / parts[2]).is_dir():
            return f"domain.{parts[2]}"
        return parts[1]
    return ""


def _runtime_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    typing_only = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_packages_import_only_downwards() -> None:
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    wrong = []
    for path in (ROOT / "mock_server").rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        mine = _layer_of(module)
        assert mine in rank, f"{module}: package {mine!r} is not in LAYERS"
        for imported in _runtime_imports(path):
            theirs = _layer_of(imported)
            if theirs is not None and theirs != mine and rank[theirs] > rank[mine]:
                wrong.append(f"{module} ({mine or 'top'}) imports {imported} ({theirs})")
    assert not wrong, "\n".join(sorted(wrong))


@pytest.mark.slow
def test_importing_the_service_loads_no_http_stack() -> None:
    loaded = _modules_after_import("mock_server.service.core")
    assert not {"starlette", "uvicorn", "httpx"} & {m.split(".")[0] for m in loaded}
    assert not [m for m in loaded if m.startswith(("mock_server.http", "mock_server.routes"))]
