"""The outlet registry: one YAML file (spiders/outlets.yaml) drives the spiders and the DAGs.

Loading validates the file against schemas/registry.schema.json and then runs the checks a schema
cannot express. Every problem is reported at once with its key path, because a registry edit is
usually several entries at a time and fixing errors one by one through DAG-parse failures is slow.
"""

from __future__ import annotations

import copyreg
import difflib
import functools
import json
import os
import re
import string
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import yaml


# Outlets travel to the process stage's worker processes (nashra.stages.page_pool) by pickle, and
# their read-only hints are mappingproxies, which pickle refuses: rebuilt from a dict copy.
def _read_only(values: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(values)


copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))

METHOD_FAMILY: Mapping[str, str] = MappingProxyType(
    {
        "feed": "feed",
        "news_sitemap": "sitemap",
        "sitemap": "sitemap",
        "sitemap_index": "sitemap",
        "monthly_sitemap": "sitemap",
        "wordpress_rest": "wordpress",
    }
)
FAMILIES: tuple[str, ...] = ("feed", "sitemap", "wordpress")  # the stable order families() returns
# Used when neither the outlet nor the file's `defaults` says otherwise.
BUILTIN_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {"schedule": "@hourly", "politeness": {"download_delay": 2.0, "concurrency": 2}, "enabled": True}
)
TEMPLATE_FIELDS = frozenset({"year", "month"})


class RegistryError(ValueError):
    """The registry file is unreadable or invalid; the message names the file and each bad key path."""


class UnknownOutletError(RegistryError, KeyError):
    """An outlet id the registry does not have (a KeyError too, for lookups that expect one)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Politeness:
    download_delay: float
    concurrency: int


@dataclass(frozen=True)
class Discovery:
    method: str
    url: str | None = None
    url_template: str | None = None
    status: str = "unverified"
    months_back: int = 0

    @property
    def family(self) -> str:
        return METHOD_FAMILY[self.method]

    @property
    def failing(self) -> bool:
        return self.status == "failing"

    def urls(self, today: date) -> list[str]:
        """Concrete URLs; a monthly template yields the current month first, then older months."""
        if self.url_template is None:
            return [self.url] if self.url else []
        out = []
        year, month = today.year, today.month
        for _ in range(self.months_back + 1):
            out.append(self.url_template.format(year=year, month=month))
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return out


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    country: str
    languages: tuple[str, ...]
    timezone: str
    homepage: str
    allowed_domains: tuple[str, ...]
    cms: str
    discovery: tuple[Discovery, ...]
    article_url_pattern: str | None = None
    # excluded from the hash: a mapping is unhashable, and outlets are used as dict keys/set members
    hints: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    politeness: Politeness = Politeness(2.0, 2)
    schedule: str = "@hourly"
    enabled: bool = True
    notes: str = ""

    def allows_url(self, url: str) -> bool:
        return host_allowed(url, self.allowed_domains)

    def is_article_url(self, url: str) -> bool:
        """Inside the outlet and matching article_url_pattern (re.search) when one is set."""
        if not self.allows_url(url):
            return False
        return self.article_url_pattern is None or re.search(self.article_url_pattern, url) is not None

    def families(self) -> list[str]:
        live = {d.family for d in self.discovery if not d.failing}
        return [f for f in FAMILIES if f in live]

    def discovery_for(self, family: str, include_failing: bool = False) -> list[Discovery]:
        if family not in FAMILIES:
            raise ValueError(f"unknown discovery family {family!r}; expected one of {list(FAMILIES)}")
        return [d for d in self.discovery if d.family == family and (include_failing or not d.failing)]

    def discovery_urls(self, family: str, today: date) -> list[str]:
        urls: list[str] = []
        for d in self.discovery_for(family):
            urls.extend(u for u in d.urls(today) if u not in urls)
        return urls

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Registry:
    path: Path
    outlets: tuple[Outlet, ...]

    def get(self, outlet_id: str) -> Outlet:
        for outlet in self.outlets:
            if outlet.id == outlet_id:
                return outlet
        ids = [o.id for o in self.outlets]
        close = difflib.get_close_matches(outlet_id, ids, n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownOutletError(f"{self.path}: no outlet {outlet_id!r}{hint}")

    def enabled(self) -> list[Outlet]:
        return [o for o in self.outlets if o.enabled]


def host_allowed(url: str, domains: tuple[str, ...] | list[str]) -> bool:
    """http(s) URL whose host is one of `domains` or a subdomain of one (case-insensitive, port ignored)."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:  # e.g. malformed IPv6 netloc or bad port
        return False
    if parts.scheme.lower() not in ("http", "https") or not host:
        return False
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


def default_registry_path() -> Path:
    env = os.environ.get("NASHRA_REGISTRY")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "spiders" / "outlets.yaml"


def load_registry(path: str | Path | None = None) -> Registry:
    """Parse and validate a registry; cached per (path, mtime, size) so DAG parsing stays cheap."""
    p = Path(path) if path is not None else default_registry_path()
    try:
        st = p.stat()
    except OSError as exc:
        raise RegistryError(f"{p}: cannot read registry: {exc.strerror or exc}") from exc
    return _load_cached(str(p), st.st_mtime_ns, st.st_size)


def load_registry_partial(path: str | Path | None = None) -> tuple[Registry, list[str]]:
    """The registry's valid outlets and one line per problem of the others, so one bad entry does
    not take every outlet's DAGs down. A problem outside `outlets[i]` (defaults, the top level, the
    YAML) cannot be confined to an outlet and raises RegistryError like `load_registry`."""
    p = Path(path) if path is not None else default_registry_path()
    try:
        return load_registry(p), []
    except RegistryError:
        pass
    doc = _read_yaml(p)
    problems = list(_schema_problems(doc)) + list(_semantic_problems(doc))
    bad: set[int] = set()
    for where, _what in problems:
        match = re.match(r"outlets\[(\d+)\]", where)
        if not match:
            raise RegistryError(_report(p, doc, problems))
        bad.add(int(match.group(1)))
    defaults = doc.get("defaults") or {}
    good = tuple(_build_outlet(o, defaults) for i, o in enumerate(doc["outlets"]) if i not in bad)
    return Registry(p, good), _report(p, doc, problems).splitlines()


@functools.lru_cache(maxsize=16)
def _load_cached(path: str, _mtime_ns: int, _size: int) -> Registry:
    doc = _read_yaml(Path(path))
    problems = list(_schema_problems(doc)) + list(_semantic_problems(doc))
    if problems:
        raise RegistryError(_report(Path(path), doc, problems))
    return Registry(Path(path), tuple(_build_outlet(o, doc.get("defaults") or {}) for o in doc["outlets"]))


def _report(path: Path, doc: Any, problems: list[tuple[str, str]]) -> str:
    """One line per problem, naming the outlet by its id (an editor searches for the id, not for
    the n-th list item) as well as by its place in the file."""
    return "\n".join(f"{path}: {_located(doc, where)}: {what}" for where, what in problems)


def _located(doc: Any, where: str) -> str:
    match = re.match(r"outlets\[(\d+)\]", where)
    outlets = doc.get("outlets") if isinstance(doc, dict) else None
    if not match or not isinstance(outlets, list):
        return where
    entry = outlets[int(match.group(1))]
    oid = entry.get("id") if isinstance(entry, dict) else None
    return f"outlet {oid}, {where}" if isinstance(oid, str) and oid else where


# --- reading -------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicated mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicated key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read registry: {exc}") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryError(f"{path}: {where}: YAML syntax error: {problem}") from exc


# --- validation ----------------------------------------------------------------------------------


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(resources.files("schemas").joinpath("registry.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _key_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _schema_problems(doc: Any) -> Iterator[tuple[str, str]]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: [str(p).zfill(9) for p in e.absolute_path])
    for err in errors:
        where = list(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = list(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - set(allowed), key=str):
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f"; allowed: {', '.join(allowed)}"
                yield _key_path([*where, key]), f"unknown key{hint}"
        elif err.validator == "required":
            missing = re.match(r"'([^']+)'", err.message)
            yield _key_path([*where, missing.group(1)] if missing else where), "required key is missing"
        elif err.validator == "not" and err.validator_value == {}:  # the schema's way to forbid a key
            yield _key_path(where), "not allowed for this discovery method"
        elif err.validator == "pattern":  # the regex says nothing to a reader: the description does
            expected = err.schema.get("description") or "a value of the documented form"
            expected = expected[0].lower() + expected[1:]
            yield _key_path(where), f"{err.instance!r} is not valid: expected {expected}"
        else:
            yield _key_path(where), err.message


def _semantic_problems(doc: Any) -> Iterator[tuple[str, str]]:
    """Checks that need code. Written defensively: the schema may already have failed."""
    if not isinstance(doc, dict) or not isinstance(doc.get("outlets"), list):
        return
    defaults = doc.get("defaults") if isinstance(doc.get("defaults"), dict) else {}
    if "timezone" in defaults:
        yield from _timezone_problem("defaults.timezone", defaults["timezone"])
    first_seen: dict[str, str] = {}  # id or discovery URL -> where it first appeared
    for i, o in enumerate(doc["outlets"]):
        if not isinstance(o, dict):
            continue
        at = f"outlets[{i}]"
        oid = o.get("id")
        if isinstance(oid, str):
            if oid in first_seen:
                yield f"{at}.id", f"duplicate id {oid!r} (also {first_seen[oid]})"
            first_seen.setdefault(oid, f"{at}.id")
        if "timezone" in o:
            yield from _timezone_problem(f"{at}.timezone", o["timezone"])
        elif "timezone" not in defaults:
            yield f"{at}.timezone", "required key is missing (and defaults has none)"
        pattern = o.get("article_url_pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                yield f"{at}.article_url_pattern", f"regex does not compile: {exc}"
        domains = o.get("allowed_domains")
        if not (isinstance(domains, list) and all(isinstance(d, str) for d in domains)):
            continue
        if isinstance(o.get("homepage"), str) and not host_allowed(o["homepage"], domains):
            yield f"{at}.homepage", f"{o['homepage']!r} is outside allowed_domains {domains}"
        for j, d in enumerate(o.get("discovery") or []):
            if isinstance(d, dict):
                yield from _discovery_problems(f"{at}.discovery[{j}]", d, domains, first_seen)


def _timezone_problem(where: str, name: Any) -> Iterator[tuple[str, str]]:
    if not isinstance(name, str):
        return
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        yield where, f"{name!r} is not a known IANA timezone"


def _discovery_problems(
    at: str, d: dict, domains: list[str], first_seen: dict[str, str]
) -> Iterator[tuple[str, str]]:
    for key in ("url", "url_template"):
        value = d.get(key)
        if not isinstance(value, str):
            continue
        if value in first_seen:  # one endpoint, two owners: items would be attributed twice
            yield f"{at}.{key}", f"{value!r} is already listed at {first_seen[value]}"
        first_seen.setdefault(value, f"{at}.{key}")
        if key == "url_template":
            if d.get("method") != "monthly_sitemap":
                continue  # the schema already reports it
            problem = _template_problem(value)
            if problem:
                yield f"{at}.{key}", problem
                continue
            value = value.format(year=2000, month=1)
        if not host_allowed(value, domains):
            yield f"{at}.{key}", f"{value!r} is outside allowed_domains {domains}"


def _template_problem(template: str) -> str | None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:  # unbalanced braces
        return f"bad template {template!r}: {exc}"
    if fields != TEMPLATE_FIELDS:
        return f"template {template!r} must use exactly the placeholders {{year}} and {{month}}"
    try:
        template.format(year=2000, month=1)
    except (ValueError, TypeError) as exc:  # e.g. {month:x2}
        return f"bad template {template!r}: {exc}"
    return None


# --- building ------------------------------------------------------------------------------------


def _freeze(value: Any) -> Any:
    """Read-only copies, because one cached Registry is shared by every caller in the process."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _build_outlet(raw: dict, defaults: dict) -> Outlet:
    merged = {**BUILTIN_DEFAULTS, **defaults, **raw}
    pol = {**BUILTIN_DEFAULTS["politeness"], **defaults.get("politeness", {}), **raw.get("politeness", {})}
    discovery = tuple(
        Discovery(
            method=d["method"],
            url=d.get("url"),
            url_template=d.get("url_template"),
            status=d["status"],
            # a month's sitemap is still filling up at the start of the month, so look back one by default
            months_back=d.get("months_back", 1 if d["method"] == "monthly_sitemap" else 0),
        )
        for d in raw["discovery"]
    )
    return Outlet(
        id=raw["id"],
        name=raw["name"],
        country=raw["country"],
        languages=tuple(raw["languages"]),
        timezone=merged["timezone"],
        homepage=raw["homepage"],
        allowed_domains=tuple(d.lower() for d in raw["allowed_domains"]),
        cms=raw["cms"],
        discovery=discovery,
        article_url_pattern=raw.get("article_url_pattern"),
        hints=_freeze(raw.get("hints") or {}),
        politeness=Politeness(float(pol["download_delay"]), int(pol["concurrency"])),
        schedule=merged["schedule"],
        enabled=merged["enabled"],
        notes=raw.get("notes", ""),
    )
