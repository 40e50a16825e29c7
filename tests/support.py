"""Small shared test helpers (tests/ is on sys.path under pytest, like extraction_eval)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

FIXTURE_REGISTRY = Path(__file__).resolve().parents[1] / "devkit" / "fixture_web" / "outlets.yaml"


def use_fixture_web(
    mp: pytest.MonkeyPatch,
    web: Any,
    *,
    registry: Path | str | None = None,
    lake_uri: Path | str | None = None,
) -> None:
    """Test mode: every request goes through the fixture web (as proxy), loopback is allowed for it
    only, outlets come from a fixture registry, and, if given, the lake is `lake_uri`."""
    mp.setenv("NASHRA_FIXTURE_PROXY", web.proxy_url)
    mp.setenv("NASHRA_ALLOW_LOOPBACK", "1")
    mp.setenv("NASHRA_REGISTRY", str(registry or FIXTURE_REGISTRY))
    if lake_uri is not None:
        mp.setenv("NASHRA_LAKE_URI", str(lake_uri))


@dataclass(frozen=True)
class StubOutlet:
    """Stand-in for spiders.registry outlets: only the attributes the transforms rely on."""

    id: str
    country: str
    languages: tuple[str, ...]
    timezone: str
    allowed_domains: tuple[str, ...]
    hints: dict[str, Any] = field(default_factory=dict)

    def allows_url(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower()
        return any(host == d or host.endswith("." + d) for d in self.allowed_domains)


def dag_bag() -> Any:
    """The project's DAGs, parsed now, for dag.test() on the session's metadata DB (their assets
    are named after the session's lineage lake: tests/conftest.py says why)."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(FIXTURE_REGISTRY.parents[2] / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag


def s3_event(bucket: str, key: str) -> str:
    """The notification an S3 bucket sends to SQS for a new object (SeaweedFS sends none)."""
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": bucket}, "object": {"key": key.replace("=", "%3D"), "size": 1}},
                }
            ]
        }
    )
