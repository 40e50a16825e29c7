"""Settings from the environment. Secrets come only from here (or Airflow connections), never files.

In a deployment the Elasticsearch and S3 credentials may instead live in the Airflow connections
``elasticsearch_default`` and ``aws_default``. They are read (lazily, through the Airflow SDK) only
for what the environment does not set, and only inside Airflow (a task sets ``AIRFLOW_CTX_DAG_ID``)
or when the connection is given as ``AIRFLOW_CONN_<ID>``. Secrets never appear in ``repr`` or logs:
``Settings`` redacts them, and credentials written into ``ES_URL`` are moved out of the URL.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
ES_CONNECTION = "elasticsearch_default"
AWS_CONNECTION = "aws_default"
_SECRET_FIELDS = frozenset({"es_api_key", "es_password", "aws_secret_access_key", "aws_session_token"})
log = logging.getLogger(__name__)


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    lake_uri: str
    es_url: str  # never carries credentials (see es_username/es_password)
    es_api_key: str | None
    es_ca_certs: str | None
    index_prefix: str
    s3_endpoint: str | None
    s3_region: str
    fixture_proxy: str | None  # test/demo mode: every request goes through the offline fixture web
    allow_loopback: bool  # test/demo mode only: lets the SSRF guard pass loopback addresses
    max_failure_rate: float
    # False when neither ES_URL nor the elasticsearch_default connection names a cluster (the
    # es_url is then the local default): production entry points refuse to run on a guess.
    es_configured: bool = True
    es_username: str | None = None
    es_password: str | None = None
    # None: the standard AWS chain (environment, profile, instance role) applies in boto3/pyarrow.
    aws_access_key_id: str | None = None
    aws_secret_access_key: str | None = None
    aws_session_token: str | None = None
    # Test mode only: host -> addresses, answered instead of DNS (NASHRA_TEST_HOSTS, a JSON object);
    # the SSRF guard judges these answers as it judges real ones (spiders/guard.py).
    test_hosts: dict[str, list[str]] | None = None
    # Seconds an S3 request may wait for a connection or for bytes before it is retried: without it
    # a stalled connection holds a task until Airflow's execution_timeout (boto3 waits 60 s per read).
    s3_timeout_s: float = 30.0

    @property
    def test_mode(self) -> bool:
        return self.fixture_proxy is not None or self.allow_loopback

    def __repr__(self) -> str:
        def shown(name: str) -> str:
            value = getattr(self, name)
            return "'***'" if name in _SECRET_FIELDS and value else repr(value)

        return f"Settings({', '.join(f'{f.name}={shown(f.name)}' for f in fields(self))})"

    __str__ = __repr__

    def lake_env(self) -> dict[str, str]:
        """What a child process (the crawl) needs in its environment to open the same lake, also
        when the credentials came from an Airflow connection the child cannot read."""
        env = {
            "NASHRA_LAKE_URI": self.lake_uri,
            "AWS_DEFAULT_REGION": self.s3_region,
            "NASHRA_AIRFLOW_CONNECTIONS": "0",  # resolved here already; the child has no task context
        }
        optional = {
            "AWS_ENDPOINT_URL_S3": self.s3_endpoint,
            "AWS_ACCESS_KEY_ID": self.aws_access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.aws_secret_access_key,
            "AWS_SESSION_TOKEN": self.aws_session_token,
        }
        env.update({k: v for k, v in optional.items() if v})
        return env


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """'https://user:pw@host:9200' -> ('https://host:9200', 'user', 'pw')."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None, None
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc)), parts.username, parts.password


def _in_airflow(conn_id: str) -> bool:
    if _env("NASHRA_AIRFLOW_CONNECTIONS") == "0":
        return False
    return bool(_env("AIRFLOW_CTX_DAG_ID") or _env(f"AIRFLOW_CONN_{conn_id.upper()}"))


def airflow_connection(conn_id: str) -> Any | None:
    """The Airflow connection `conn_id`, or None outside Airflow or when it is not defined."""
    if not _in_airflow(conn_id):
        return None
    return _cached_connection(conn_id, _env(f"AIRFLOW_CONN_{conn_id.upper()}"), _env("AIRFLOW_CTX_DAG_ID"))


@lru_cache(maxsize=8)
def _cached_connection(conn_id: str, _uri: str | None, _dag: str | None) -> Any | None:
    # The env values are part of the key only so that a changed environment is read again.
    try:
        from airflow.sdk import Connection

        return Connection.get(conn_id)
    except Exception as exc:  # noqa: BLE001 - not defined, or no Airflow here: the environment decides
        log.debug("no Airflow connection %s (%s)", conn_id, type(exc).__name__)  # the type only: no secret
        return None


def _extra(conn: Any) -> dict[str, Any]:
    try:
        extra = conn.extra_dejson
    except Exception:  # noqa: BLE001 - malformed extra JSON: ignore it rather than echo it
        return {}
    return extra if isinstance(extra, dict) else {}


def _es_from_connection(conn: Any) -> dict[str, Any]:
    extra = _extra(conn)
    host = str(conn.host or "")
    if "://" in host:  # a full URL in the host field
        url, user, password = split_credentials(host.rstrip("/"))
    else:
        schemes = [extra.get("scheme"), conn.schema, conn.conn_type]
        scheme = next((s for s in schemes if s in ("http", "https")), "https")
        url = f"{scheme}://{host}:{conn.port or 9200}" if host else ""
        user = password = None
    api_key = extra.get("api_key")
    if isinstance(api_key, (list, tuple)) and len(api_key) == 2:  # (id, secret)
        import base64

        api_key = base64.b64encode(f"{api_key[0]}:{api_key[1]}".encode()).decode()
    return {
        "es_url": url,
        "es_api_key": str(api_key) if api_key else None,
        "es_ca_certs": extra.get("ca_certs") or None,
        "es_username": conn.login or user,
        "es_password": conn.password or password,
    }


# Assumed-role credentials last an hour by default; they are fetched again after this many seconds.
_AWS_CREDENTIALS_TTL_S = 900


def _aws_from_connection(conn_id: str) -> dict[str, Any]:
    """The lake's S3 settings from the Airflow connection, resolved by the Amazon provider's own
    hook: role_arn (assume role, SAML, web identity), profiles, session tokens and per-service
    endpoints work as they do for every other AWS task (the SQS trigger uses the same hook)."""
    return dict(
        _cached_aws(
            conn_id, _env(f"AIRFLOW_CONN_{conn_id.upper()}"), int(time.time() // _AWS_CREDENTIALS_TTL_S)
        )
    )


@lru_cache(maxsize=4)
def _cached_aws(conn_id: str, _uri: str | None, _period: int) -> tuple[tuple[str, Any], ...]:
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    hook = AwsBaseHook(aws_conn_id=conn_id, client_type="s3")
    credentials = hook.get_session(region_name=hook.region_name).get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    return (
        ("aws_access_key_id", frozen.access_key if frozen else None),
        ("aws_secret_access_key", frozen.secret_key if frozen else None),
        ("aws_session_token", (frozen.token or None) if frozen else None),
        ("s3_endpoint", hook.conn_config.get_service_endpoint_url("s3")),
        ("s3_region", hook.region_name),
    )


class ConfigError(RuntimeError):
    """A setting the entry point needs is missing: one line that names it."""


def require_elasticsearch(cfg: Settings, what: str) -> None:
    """Production entry points never fall back to a local default cluster or start one."""
    if not cfg.es_configured:
        raise ConfigError(
            f"ES_URL is not set (nor the Airflow connection {ES_CONNECTION}): {what} needs an Elasticsearch"
        )


def settings() -> Settings:
    es: dict[str, Any] = {}
    if not _env("ES_URL"):
        conn = airflow_connection(ES_CONNECTION)
        es = _es_from_connection(conn) if conn is not None else {}
    aws: dict[str, Any] = {}
    if not _env("AWS_ACCESS_KEY_ID") or not (_env("AWS_ENDPOINT_URL_S3") or _env("AWS_ENDPOINT_URL")):
        conn = airflow_connection(AWS_CONNECTION)
        aws = _aws_from_connection(AWS_CONNECTION) if conn is not None else {}
        if _env("AWS_ACCESS_KEY_ID"):  # the environment's own key pair wins, whole
            aws.update(aws_access_key_id=None, aws_secret_access_key=None, aws_session_token=None)
    es_url, url_user, url_password = split_credentials(
        _env("ES_URL") or es.get("es_url") or "http://127.0.0.1:9200"
    )
    return Settings(
        lake_uri=_env("NASHRA_LAKE_URI", str(REPO_ROOT / "var" / "lake")) or "",
        es_url=es_url,
        es_api_key=_env("ES_API_KEY") or es.get("es_api_key"),
        es_ca_certs=_env("ES_CA_CERTS") or es.get("es_ca_certs"),
        index_prefix=_env("NASHRA_INDEX_PREFIX", "nashra-articles") or "",
        s3_endpoint=_env("AWS_ENDPOINT_URL_S3", _env("AWS_ENDPOINT_URL")) or aws.get("s3_endpoint"),
        s3_region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION")) or aws.get("s3_region") or "us-east-1",
        fixture_proxy=_env("NASHRA_FIXTURE_PROXY"),
        allow_loopback=_env("NASHRA_ALLOW_LOOPBACK", "0") == "1",
        max_failure_rate=float(_env("NASHRA_MAX_FAILURE_RATE", "0.5") or 0.5),
        es_configured=bool(_env("ES_URL") or es.get("es_url")),
        es_username=_env("ES_USERNAME") or url_user or es.get("es_username"),
        es_password=_env("ES_PASSWORD") or url_password or es.get("es_password"),
        aws_access_key_id=aws.get("aws_access_key_id"),
        aws_secret_access_key=aws.get("aws_secret_access_key"),
        aws_session_token=aws.get("aws_session_token"),
        test_hosts=_test_hosts(_env("NASHRA_TEST_HOSTS"), _env("NASHRA_ALLOW_LOOPBACK", "0") == "1"),
        s3_timeout_s=_positive_seconds("NASHRA_S3_TIMEOUT_S", 30.0),
    )


def _positive_seconds(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value < 3600:
        raise ConfigError(f"{name} must be a number of seconds between 0 and 3600, not {raw!r}")
    return value


def _test_hosts(raw: str | None, allow_loopback: bool) -> dict[str, list[str]] | None:
    if not raw:
        return None
    if not allow_loopback:
        raise ConfigError("NASHRA_TEST_HOSTS is for tests only (it needs NASHRA_ALLOW_LOOPBACK=1)")
    try:
        hosts = json.loads(raw)
        return {str(h).lower(): [a] if isinstance(a, str) else [str(x) for x in a] for h, a in hosts.items()}
    except (ValueError, AttributeError, TypeError) as exc:
        raise ConfigError(f'NASHRA_TEST_HOSTS must be a JSON object {{"host": ["address"]}}: {exc}') from None
