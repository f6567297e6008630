"""The lineage of API versions: each version names its base and holds only what it changes.

A version's shapes are its base's shapes overlaid by its own: a shipped version's folder
``schemas/<version>/`` holds whole shapes (``<shape>.json``, replacing the base's) and merge
patches (``<shape>.patch.json``, RFC 7386: applied to the base's shape; ``null`` removes a
key). Shapes every version has live in ``schemas/`` itself. A version declared in code (a
test's throwaway version, say) carries the same two kinds in ``ApiVersion.shapes``.

Every schema gets a versioned ``$id`` (``<BASE_URI><version>/<shape>.json``), so a relative
``$ref`` resolves within its own version, and one registry holds every version of a lineage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

BASE_URI = "https://cartesia-fake.invalid/schemas/"
PATCH_SUFFIX = ".patch"


@dataclass(frozen=True, slots=True)
class ApiVersion:
    """One Cartesia-Version: its name, the version it changes, and what it changes."""

    name: str
    #: The version this one is stated against (None: the root of the lineage).
    base: str | None
    #: One line on what the version is, for the docs and ``/openapi.json``.
    summary: str = ""
    #: Shapes declared in code on top of the version's folder: ``name`` (a whole shape) or
    #: ``name.patch`` (a merge patch of the base's shape).
    shapes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: ``patch`` applied to ``target`` (neither is changed)."""
    if not isinstance(patch, Mapping):
        return patch
    out: dict[str, Any] = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


@cache
def _folder_files(sub: str | None) -> Mapping[str, Mapping[str, Any]]:
    """The schema files of ``schemas/`` (``sub`` None) or of one version's folder."""
    root = resources.files("contracts").joinpath("schemas")
    folder = root if sub is None else root.joinpath(sub)
    out: dict[str, Mapping[str, Any]] = {}
    if not folder.is_dir():
        return MappingProxyType(out)
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            out[entry.name[: -len(".json")]] = json.loads(entry.read_text("utf-8"))
    return MappingProxyType(out)


class Lineage:
    """An ordered line of versions, oldest first, and the shapes each one sees.

    Immutable once built (its caches only remember what it computed); ``extend`` makes a new
    lineage with one more version, as a test declares a throwaway one.
    """

    def __init__(self, versions: Sequence[ApiVersion], *, latest: str) -> None:
        names = [v.name for v in versions]
        if len(set(names)) != len(names):
            raise ValueError(f"a version is declared twice: {names}")
        for index, version in enumerate(versions):
            if (version.base is None) != (index == 0):
                raise ValueError(f"only the first version has no base ({version.name})")
            if version.base is not None and version.base not in names[:index]:
                raise ValueError(f"{version.name}'s base {version.base} must come before it")
        if latest not in names:
            raise ValueError(f"latest {latest!r} is not in the lineage")
        self.versions: tuple[ApiVersion, ...] = tuple(versions)
        self.names: tuple[str, ...] = tuple(names)
        self.latest = latest
        self._by_name = {v.name: v for v in versions}
        self._index = {name: i for i, name in enumerate(names)}
        self._schemas: dict[str, Mapping[str, Mapping[str, Any]]] = {}
        #: What the loader compiled for this lineage (its registry and validators).
        self.memo: dict[object, object] = {}

    def __repr__(self) -> str:
        return f"Lineage({' -> '.join(self.names)})"

    def extend(self, version: ApiVersion, *, latest: bool = False) -> Lineage:
        """A new lineage with ``version`` appended (``latest``: and the default)."""
        return Lineage((*self.versions, version), latest=version.name if latest else self.latest)

    def check(self, version: str | None) -> str:
        """``version`` (the latest when None), or a KeyError naming the known ones."""
        if version is None:
            return self.latest
        if version not in self._by_name:
            raise KeyError(
                f"no contracts for Cartesia-Version {version!r}; known: {', '.join(self.names)}"
            )
        return version

    def get(self, version: str) -> ApiVersion:
        return self._by_name[self.check(version)]

    def order(self, version: str) -> int:
        """The version's place in the lineage (0: the oldest)."""
        return self._index[self.check(version)]

    def between(self, since: str | None, until: str | None) -> tuple[str, ...]:
        """The versions from ``since`` up to, not including, ``until`` (None: no bound)."""
        low = 0 if since is None else self.order(since)
        high = len(self.names) if until is None else self.order(until)
        return self.names[low:high]

    def chain(self, version: str) -> tuple[ApiVersion, ...]:
        """The version and its ancestors, root first."""
        out: list[ApiVersion] = []
        current: str | None = self.check(version)
        while current is not None:
            entry = self._by_name[current]
            out.append(entry)
            current = entry.base
        return tuple(reversed(out))

    def own_shapes(self, version: str) -> Mapping[str, Mapping[str, Any]]:
        """What ``version`` itself states (whole shapes and patches), folder then code."""
        entry = self.get(version)
        return {**_folder_files(entry.name), **entry.shapes}

    def overrides(self, version: str) -> tuple[str, ...]:
        """The shapes ``version`` states differently from its base."""
        return tuple(sorted({n.removesuffix(PATCH_SUFFIX) for n in self.own_shapes(version)}))

    def schemas(self, version: str) -> Mapping[str, Mapping[str, Any]]:
        """Every shape as ``version`` sees it, each with its versioned ``$id``."""
        version = self.check(version)
        found = self._schemas.get(version)
        if found is not None:
            return found
        merged: dict[str, Mapping[str, Any]] = dict(_folder_files(None))
        for entry in self.chain(version):
            merged.update(_apply(merged, self.own_shapes(entry.name).items(), entry.name))
        out = MappingProxyType(
            {
                name: {**schema, "$id": f"{BASE_URI}{version}/{name}.json"}
                for name, schema in merged.items()
            }
        )
        self._schemas[version] = out
        return out

    def versions_with(self, shape: str) -> tuple[str, ...]:
        """The versions that have ``shape`` (so serve what it describes), oldest first."""
        return tuple(v for v in self.names if shape in self.schemas(v))

    def has_field(self, shape: str, name: str, version: str) -> bool:
        """Whether ``version``'s ``shape`` has the property ``name``."""
        schema = self.schemas(version).get(shape)
        return schema is not None and name in schema.get("properties", {})


def _apply(
    merged: Mapping[str, Mapping[str, Any]],
    own: Iterable[tuple[str, Mapping[str, Any]]],
    version: str,
) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for name, schema in own:
        if name.endswith(PATCH_SUFFIX):
            shape = name.removesuffix(PATCH_SUFFIX)
            if shape not in merged:
                raise KeyError(f"{version}: {name} patches {shape!r}, which its base lacks")
            out[shape] = merge_patch(merged[shape], schema)
        else:
            out[name] = schema
    return out
