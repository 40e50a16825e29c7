"""Freshness: from a fixture outlet's feed listing an item to that item being searchable, in
event-driven mode, with the real services (fixture web as proxy, SeaweedFS lake, ES node).

The path is production's: a crawl writes the raw batch to S3; the S3 `ObjectCreated` notification
(built here exactly as S3 sends it, then read by `nashra.ops.events`) names the outlet; process and
index run for it; the document is searched until found. The fixture web serves a frozen day, so
with an empty lake every item of the outlet's feed is new: "appearing" is the moment the crawl
starts. In production add the wait until the crawl's next poll (its schedule) to this figure.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from bench.util import environ
from nashra.core.lake import ensure_bucket, open_lake
from nashra.ops.events import batches_in, raw_keys
from nashra.stages import tasks


def _s3_event(keys: list[str]) -> str:
    records = [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": k}}} for k in keys]
    return json.dumps({"Records": records})


def bench_freshness(env: dict[str, str], outlet_id: str, max_articles: int) -> dict[str, Any]:
    """Seconds from the crawl's start to the first and to every item of the outlet searchable.

    ``env`` holds the service settings (ES_URL, AWS_*, NASHRA_FIXTURE_PROXY ...); they are set
    for the run and restored after.
    """
    from devkit.fixture_web.truth import REFERENCE_NOW
    from nashra.stages.index import es_client

    with environ(env):
        ensure_bucket(env["NASHRA_LAKE_URI"])
        es, prefix, lake = es_client(), env["NASHRA_INDEX_PREFIX"], open_lake(env["NASHRA_LAKE_URI"])
        expected = 0
        marks: dict[str, float] = {}
        start = time.perf_counter()
        tasks.crawl(outlet_id, REFERENCE_NOW, max_articles=max_articles)
        marks["crawled"] = time.perf_counter() - start
        # The event: the notification S3 sends for the new raw objects, read the way the
        # AssetWatcher's consumer reads it.
        message = _s3_event(lake.list(f"raw/outlet={outlet_id}", ".warc.gz"))
        for outlet in batches_in(raw_keys(message)):
            tasks.process(outlet)
            marks["processed"] = time.perf_counter() - start
            expected += sum(r["indexed"] for r in tasks.index(outlet))
        marks["indexed"] = time.perf_counter() - start
        found, deadline = 0, time.monotonic() + 120
        while time.monotonic() < deadline:
            found = es.count(index=prefix, query={"term": {"outlet_id": outlet_id}})["count"]
            if found and "first_searchable" not in marks:
                marks["first_searchable"] = time.perf_counter() - start
            if found >= expected:
                marks["all_searchable"] = time.perf_counter() - start
                break
            time.sleep(0.2)
        return {
            "outlet": outlet_id,
            "articles_indexed": expected,
            "articles_searchable": found,
            **{f"{k}_s": round(v, 2) for k, v in marks.items()},
        }


def fixture_env(proxy_url: str, s3_env: dict[str, str], es_url: str) -> dict[str, str]:
    from nashra.core.config import REPO_ROOT

    tag = uuid.uuid4().hex[:8]
    return {
        **s3_env,
        "ES_URL": es_url,
        "NASHRA_FIXTURE_PROXY": proxy_url,
        "NASHRA_ALLOW_LOOPBACK": "1",
        "NASHRA_REGISTRY": str(REPO_ROOT / "devkit" / "fixture_web" / "outlets.yaml"),
        "NASHRA_LAKE_URI": f"s3://nashra-bench-{tag}/lake",
        "NASHRA_INDEX_PREFIX": f"nashra-bench-fresh-{tag}",
    }
