"""Which lake, registry and Elasticsearch a command uses, and whether they are there.

One resolution for every command: the environment wins; what it leaves unset comes from the last
`make demo` while the demo's services run (nashra.core.local_services), else from the defaults. The
command says which in one stderr line when anything was not named by the environment, and checks
once, before any work, that the services answer: a stopped Elasticsearch or S3 is one line naming
the setting, not one failed row per outlet after a minute of retries.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from nashra.core.config import ConfigError, Settings, require_elasticsearch, settings
from nashra.core.local_services import STATE, use_local_services
from nashra.core.registry import default_registry_path

LAKE, REGISTRY, ES = "lake", "registry", "Elasticsearch"
SETTING = {LAKE: "NASHRA_LAKE_URI", REGISTRY: "NASHRA_REGISTRY", ES: "ES_URL"}
DEMO, DEFAULT = "the last `make demo`'s", "default"
# Commands that create the lake (or its bucket) when it is not there yet.
CREATORS = frozenset({"crawl", "backfill", "run"})
# Seconds the one-off reachability checks wait: a healthy service answers in milliseconds.
CHECK_TIMEOUT_S = 5


@dataclass(frozen=True)
class Source:
    what: str  # LAKE, REGISTRY or ES
    value: str
    origin: str  # a setting's name (the environment named it), DEMO or DEFAULT

    def hint(self) -> str:
        """Where the value came from, for an error line: what to change."""
        setting = SETTING[self.what]
        if self.origin == DEMO:
            return f"taken from the last `make demo`, {_shown(str(STATE))}; set {setting} to choose"
        if self.origin == DEFAULT:
            return f"the default: {setting} is not set"
        return f"set by {self.origin}"


def needs(args: argparse.Namespace) -> tuple[str, ...]:
    """What the command reads or writes (kibana takes its own --url and needs none)."""
    command = args.command
    if command in ("crawl", "process", "backfill"):
        return (LAKE, REGISTRY)
    if command in ("index", "run"):
        return (LAKE, REGISTRY, ES)
    if command == "replay":
        return (LAKE, REGISTRY) if args.no_index else (LAKE, REGISTRY, ES)
    if command == "search":
        return (ES, REGISTRY)
    if command in ("lake", "report"):
        return (LAKE,)
    if command == "reindex":
        return (ES, LAKE) if args.source == "lake" else (ES,)
    if command == "registry":
        return () if args.path else (REGISTRY,)
    return ()


def resolve(args: argparse.Namespace) -> list[Source]:
    """Fill the environment from the running demo where it is silent (not for `run`: production
    takes the environment only) and say where each thing the command needs comes from."""
    named = {what for what, setting in SETTING.items() if os.environ.get(setting)}
    if args.command != "run":
        use_local_services()
    cfg = settings()
    values = {LAKE: cfg.lake_uri, REGISTRY: str(default_registry_path()), ES: cfg.es_url}
    sources = []
    for what in needs(args):
        if what in named:
            origin = SETTING[what]
        elif os.environ.get(SETTING[what]):
            origin = DEMO
        elif what == ES and cfg.es_configured:
            origin = "the Airflow connection elasticsearch_default"
        else:
            origin = DEFAULT
        sources.append(Source(what, values[what], origin))
    return sources


def using_line(args: argparse.Namespace, sources: list[Source]) -> str | None:
    """`using …`, or None when the environment named everything (the user chose it all)."""
    if all(s.origin == SETTING[s.what] for s in sources):
        return None
    origins = {s.origin for s in sources}
    overrides = ", ".join(SETTING[s.what] for s in sources)
    if origins == {DEMO}:
        listed = ", ".join(f"{s.what} {_shown(s.value)}" for s in sources)
        return f"using the last `make demo`'s {listed} (set {overrides} to choose)"
    if origins == {DEFAULT}:
        listed = ", ".join(f"{s.what} {_shown(s.value)}" for s in sources)
        looked = args.command != "run" and os.environ.get("NASHRA_LOCAL_SERVICES") != "0"
        why = "no `make demo` services running; " if looked else ""
        return f"using the defaults: {listed} ({why}set {overrides} to choose)"
    return "using " + ", ".join(f"{s.what} {_shown(s.value)} ({s.origin})" for s in sources)


def check(args: argparse.Namespace, sources: list[Source], cfg: Settings | None = None) -> None:
    """Raise ConfigError (one line naming the setting) when the lake a command reads is not there,
    or a service it needs does not answer. Elasticsearch is checked here only for the commands
    that loop over outlets (each would fail on its own, slowly); `search` and `reindex` make one
    request, whose failure main() words the same way (es_unreachable), after their arguments.
    `run` (production) is checked before it crawls: an hour of crawling must not end on a refused
    connection."""
    cfg = cfg or settings()
    registry = next((s for s in sources if s.what == REGISTRY), None)
    if args.command == "crawl" and registry and registry.origin == DEMO and not cfg.fixture_proxy:
        # Its outlets live on the fixture web, which runs only while `make demo` crawls.
        raise ConfigError(
            f"the registry {_shown(registry.value)} is the demo's: its *.test outlets exist only on the "
            "fixture web `make demo` runs (`make demo` crawls them again; set NASHRA_REGISTRY to choose)"
        )
    for source in sources:
        if source.what == LAKE:
            _check_lake(cfg, source, creates=args.command in CREATORS)
        elif source.what == ES and args.command in ("index", "replay", "run"):
            if not cfg.es_configured:  # the stages never index into a guessed local cluster
                require_elasticsearch(cfg, f"`nashra {args.command}`")
            _check_elasticsearch(cfg, source)


def es_unreachable(exc: BaseException, sources: list[Source]) -> str | None:
    """The one line for a request that found no Elasticsearch, or None for other errors."""
    from elasticsearch import ConnectionError as NoConnection

    es = next((s for s in sources if s.what == ES), None)
    if es is None or not isinstance(exc, NoConnection):
        return None
    return f"Elasticsearch {es.value} does not answer ({es.hint()}): {_reason(exc)}"


def _check_elasticsearch(cfg: Settings, source: Source) -> None:
    from elasticsearch import ApiError
    from elasticsearch import ConnectionError as NoConnection

    from nashra.stages.index import es_client

    es = es_client(cfg).options(request_timeout=CHECK_TIMEOUT_S, max_retries=0, retry_on_timeout=False)
    try:
        es.info()
    except NoConnection as exc:  # refused, timed out, TLS: nothing a retry would change
        raise ConfigError(es_unreachable(exc, [source])) from exc
    except ApiError as exc:
        if exc.status_code == 401:
            raise ConfigError(
                f"Elasticsearch {cfg.es_url} refused the credentials (ES_API_KEY, or ES_USERNAME and "
                f"ES_PASSWORD): {exc.status_code} {exc.message}"
            ) from exc
        # 403 and others: a key limited to the indices may not read the cluster's info; the
        # command's own requests decide.


def _check_lake(cfg: Settings, source: Source, *, creates: bool) -> None:
    parts = urlsplit(source.value)
    if parts.scheme in ("", "file"):
        path = Path(parts.path if parts.scheme == "file" else source.value).expanduser()
        if not creates and not path.is_dir():
            raise ConfigError(f"the lake {source.value} does not exist ({source.hint()})")
        return
    if parts.scheme == "s3" and parts.netloc:
        _check_s3_lake(cfg, source, parts.netloc, parts.path.strip("/"), creates=creates)


def _check_s3_lake(cfg: Settings, source: Source, bucket: str, prefix: str, *, creates: bool) -> None:
    """One listing inside the lake's prefix (what the least-privilege role may do), no retry."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        EndpointConnectionError,
        NoCredentialsError,
        PartialCredentialsError,
    )

    from nashra.core.lake import s3_client  # pyarrow: only when the lake is on S3

    endpoint = cfg.s3_endpoint or "AWS S3"
    client = s3_client(cfg, attempts=1, timeout_s=CHECK_TIMEOUT_S)
    try:
        client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/" if prefix else "", MaxKeys=1)
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise ConfigError(
            f"no S3 credentials for the lake {source.value}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, an instance role, the Airflow connection aws_default)"
        ) from exc
    except (EndpointConnectionError, ConnectionError) as exc:
        raise ConfigError(
            f"the S3 endpoint {endpoint} (AWS_ENDPOINT_URL_S3) does not answer for the lake "
            f"{source.value} ({source.hint()}): {_reason(exc)}"
        ) from exc
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            if creates:
                return
            raise ConfigError(
                f"the lake {source.value} does not exist: {endpoint} has no bucket {bucket} ({source.hint()})"
            ) from exc
        if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "ExpiredToken"):
            raise ConfigError(
                f"S3 {endpoint} refuses the lake {source.value}: {code} (check AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN or the role's policy)"
            ) from exc
        # Anything else (throttling, a 5xx): the command's own requests retry and decide.


def _reason(exc: BaseException) -> str:
    """The operating system's words when some cause in the chain has them ('Connection refused'),
    not the client wrappers around them; else the error's own first 200 characters."""
    seen: BaseException | None = exc
    while seen is not None:
        errno = re.search(r"\[Errno -?\d+\] ([^)\]\[\"']+)", str(seen))
        if errno:
            return errno.group(1).strip()
        seen = seen.__cause__ or seen.__context__
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _shown(value: str) -> str:
    """A path under the working directory relative to it (what the user would type), else as is."""
    if "://" in value:
        return value
    try:
        return str(Path(value).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return value
