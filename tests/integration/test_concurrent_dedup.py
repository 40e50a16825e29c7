"""Wire copies processed at the same moment on different workers end with exactly one canonical.

Three outlets of the fixture web publish one wire story word for word (truth.WIRE_GROUPS). Each
outlet's batch is processed in a process of its own, and all of them are held at a barrier after
reading the lake (key lookup and story window) and before their first commit: none can see the
others' copy, the race docs/decisions.md describes. The later committers must notice the earlier
commit and store their batch again (nashra.stages.dedup_state.concurrent_copies). With that step
switched off (one store attempt), the same race leaves several canonicals: the control run shows
the test can fail.
"""

from __future__ import annotations

import multiprocessing
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devkit.fixture_web import truth
from nashra.core.lake import open_lake
from nashra.core.ledger import raw_warc_path, read_manifest
from nashra.core.model import RawPage
from nashra.core.warc import new_writer, write_page

STAMP = "20260202T120000Z"


def _batch(web: Any, lake: Any, outlet_id: str) -> str:
    import io

    batch = f"{outlet_id}-{STAMP}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    buf = io.BytesIO()
    writer = new_writer(buf)
    for article in truth.articles_of(outlet_id):
        with opener.open(article.url, timeout=10) as resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            page = RawPage(
                outlet_id, article.url, article.url, resp.status, headers, resp.read(),
                datetime(2026, 2, 2, 12, tzinfo=UTC), batch, "sitemap",
            )  # fmt: skip
        write_page(writer, page)
    lake.write_bytes(raw_warc_path(outlet_id, "2026-02-02", batch, "sitemap"), buf.getvalue())
    return batch


def _process_at_the_barrier(lake_uri: str, outlet_id: str, batch: str, barrier: Any, attempts: int) -> None:
    """A worker process: one batch, its first commit held until every worker has read the lake."""
    import nashra.stages.process as stage
    from nashra.core.registry import load_registry

    real, held = stage.write_keys, []

    def write_keys_once_all_have_read(*args: Any, **kwargs: Any) -> Any:
        if not held:
            held.append(True)
            barrier.wait(timeout=120)
        return real(*args, **kwargs)

    stage.write_keys = write_keys_once_all_have_read
    stage.STORE_ATTEMPTS = attempts
    outlet = load_registry(truth.REGISTRY_PATH).get(outlet_id)
    stage.process_batch(open_lake(lake_uri), outlet, batch, replace=False)


def _race(tmp_path: Path, web: Any, attempts: int) -> tuple[list[dict[str, Any]], dict[str, str]]:
    (group,) = truth.WIRE_GROUPS
    outlets = sorted({a.outlet_id for a in truth.ARTICLES if a.url in group})
    lake = open_lake(str(tmp_path / "lake"))
    batches = {outlet: _batch(web, lake, outlet) for outlet in outlets}
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(outlets))
    workers = [
        ctx.Process(target=_process_at_the_barrier, args=(lake.uri, outlet, batch, barrier, attempts))
        for outlet, batch in batches.items()
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0] * len(workers)
    rows = lake.dataset("articles").to_table().to_pylist()
    wire = [r for r in rows if r["url"] in group]
    assert len(wire) == len(group)  # every copy is stored: nothing lost
    return wire, batches


def test_concurrent_wire_copies_end_with_one_canonical(tmp_path: Path, fixture_web: Any) -> None:
    wire, batches = _race(tmp_path, fixture_web, attempts=3)
    canonical = [r for r in wire if r["dedup_status"] == "canonical"]
    assert len(canonical) == 1, [(r["outlet_id"], r["dedup_status"], r["duplicate_of"]) for r in wire]
    for row in wire:
        if row is not canonical[0]:
            assert row["duplicate_of"] == canonical[0]["article_id"]
            assert row["story_id"] == canonical[0]["story_id"]
    lake = open_lake(str(tmp_path / "lake"))
    for outlet, batch in batches.items():
        assert read_manifest(lake, "process", outlet, batch) is not None  # every batch completed


def test_without_the_second_look_the_same_race_leaves_several_canonicals(
    tmp_path: Path, fixture_web: Any
) -> None:
    """The control: proves the barrier makes the race happen, so the test above can fail."""
    wire, _ = _race(tmp_path, fixture_web, attempts=1)
    assert sum(r["dedup_status"] == "canonical" for r in wire) > 1


def test_a_teaser_of_a_concurrent_batchs_article_yields_whatever_the_commit_order(tmp_path: Path) -> None:
    """The article's batch committed its keys while the teaser's batch was working: neither saw the
    other. The teaser yields (stores again, as a duplicate); the article is not hidden; a short
    article of another story in the same batch stays."""
    from dataclasses import replace

    from devkit.fixture_web import texts
    from nashra.core.tables import table_version
    from nashra.stages.dedup_keys import write_keys
    from nashra.stages.dedup_state import concurrent_copies, write_signatures
    from tests.unit.test_neardup import TEASER
    from tests.unit.test_neardup import article as make_article
    from transforms.dedup import WindowState, link_batch, signature_rows, stored_article

    def row(ident: str, body: str, outlet: str, batch: str, hours: int = 0) -> Any:
        return stored_article(replace(make_article(ident, body, hours), outlet_id=outlet, batch_id=batch))

    lake = open_lake(str(tmp_path / "lake"))
    read_version = table_version(lake, "dedup_keys")  # the teaser's batch reads the lake here
    article = [row("article", "\n\n".join(texts.QNA_WIRE[1]), "qna_en", "qna_en-1")]
    signatures = link_batch(article, WindowState())
    write_keys(lake, "qna_en", "qna_en-1", article, replace=False)
    write_signatures(lake, "qna_en", "qna_en-1", signature_rows(article, signatures))
    other = texts.GULFTIMES_TREES[1][0]  # a short article of another story
    mine = [
        row("teaser", TEASER, "peninsula_en", "peninsula_en-1", hours=2),
        row("brief", other, "peninsula_en", "peninsula_en-1", hours=2),
    ]
    mine_signatures = link_batch(mine, WindowState())  # its window had no article: both canonical
    assert [r.dedup_status for r in mine] == ["canonical", "canonical"]
    keys_version = write_keys(lake, "peninsula_en", "peninsula_en-1", mine, replace=False)
    rivalry = concurrent_copies(lake, "peninsula_en-1", read_version, keys_version, mine, mine_signatures)
    assert rivalry.copies == ["teaser"] and rivalry.hidden == frozenset()
