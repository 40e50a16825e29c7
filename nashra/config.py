"""Settings from the environment. Secrets come only from here (or Airflow connections), never files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    lake_uri: str
    es_url: str
    es_api_key: str | None
    es_ca_certs: str | None
    index_prefix: str
    s3_endpoint: str | None
    s3_region: str
    fixture_proxy: str | None  # test/demo mode: every request goes through the offline fixture web
    allow_loopback: bool  # test/demo mode only: lets the SSRF guard pass loopback addresses
    max_failure_rate: float

    @property
    def test_mode(self) -> bool:
        return self.fixture_proxy is not None or self.allow_loopback


def settings() -> Settings:
    return Settings(
        lake_uri=_env("NASHRA_LAKE_URI", str(REPO_ROOT / "var" / "lake")) or "",
        es_url=_env("ES_URL", "http://127.0.0.1:9200") or "",
        es_api_key=_env("ES_API_KEY"),
        es_ca_certs=_env("ES_CA_CERTS"),
        index_prefix=_env("NASHRA_INDEX_PREFIX", "nashra-articles") or "",
        s3_endpoint=_env("AWS_ENDPOINT_URL_S3", _env("AWS_ENDPOINT_URL")),
        s3_region=_env("AWS_DEFAULT_REGION", _env("AWS_REGION", "us-east-1")) or "us-east-1",
        fixture_proxy=_env("NASHRA_FIXTURE_PROXY"),
        allow_loopback=_env("NASHRA_ALLOW_LOOPBACK", "0") == "1",
        max_failure_rate=float(_env("NASHRA_MAX_FAILURE_RATE", "0.5") or 0.5),
    )
