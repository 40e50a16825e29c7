"""The process stage on a local lake: accounting, the quality gate, re-runs."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devkit.fixture_web import truth
from nashra.core.lake import open_lake
from nashra.core.ledger import pending_batches, raw_warc_path
from nashra.core.model import RawPage
from nashra.core.registry import load_registry
from nashra.core.warc import new_writer, write_page
from nashra.stages.process import BatchQualityError, process_batch

BATCH = "le360_fr-20260202T120000Z"


def _fetch(web, url: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": web.proxy_url}))
    try:
        with opener.open(url, timeout=5) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def _page(url: str, status: int, headers: dict[str, str], body: bytes) -> RawPage:
    return RawPage(
        "le360_fr", url, url, status, headers, body, datetime(2026, 2, 2, 12, tzinfo=UTC), BATCH, "sitemap"
    )


def _write_batch(lake, pages: list[RawPage]) -> None:
    import io

    buf = io.BytesIO()
    writer = new_writer(buf)
    for page in pages:
        write_page(writer, page)
    lake.write_bytes(raw_warc_path("le360_fr", "2026-02-02", BATCH, "sitemap"), buf.getvalue())


@pytest.fixture
def outlet():
    return load_registry(truth.REGISTRY_PATH).get("le360_fr")


def test_every_page_is_accounted_for_and_reruns_change_nothing(tmp_path: Path, fixture_web, outlet) -> None:
    lake = open_lake(str(tmp_path))
    article = truth.articles_of("le360_fr")[0]
    status, headers, body = _fetch(fixture_web, article.url)
    pages = [
        _page(article.url, status, headers, body),
        _page(article.url + "?utm_source=x", status, headers, body),  # same canonical URL
        _page("http://le360.test/gone", 404, {"content-type": "text/html"}, b"<html>gone</html>"),
    ]
    _write_batch(lake, pages)
    assert pending_batches(lake, "le360_fr", "process") == [BATCH]
    report = process_batch(lake, outlet, BATCH)
    assert (report.pages, report.stored, report.url_duplicates, report.quarantined) == (3, 1, 1, 1)
    assert report.reasons == {"http_status": 1}
    assert pending_batches(lake, "le360_fr", "process") == []
    again = process_batch(lake, outlet, BATCH)
    assert again.__dict__ == report.__dict__
    assert lake.dataset("articles").count_rows() == 1
    assert lake.dataset("quarantine").count_rows() == 1


def test_a_broken_layout_fails_the_batch_loudly_naming_the_outlet(tmp_path: Path, outlet) -> None:
    lake = open_lake(str(tmp_path))
    # What a redesign looks like to the extractor: pages that answer 200 but carry no article.
    broken = (
        b"<html lang='fr'><head><title>Le360</title></head>"
        b"<body><nav>Accueil</nav><div id='app'></div></body></html>"
    )
    pages = [_page(f"http://le360.test/a/{i}", 200, {"content-type": "text/html"}, broken) for i in range(4)]
    _write_batch(lake, pages)
    with pytest.raises(BatchQualityError, match="outlet le360_fr") as err:
        process_batch(lake, outlet, BATCH)
    assert "layout" in str(err.value)
    # Nothing is dropped on the way: every page is in the quarantine, with a named reason.
    quarantine = lake.dataset("quarantine").to_table().to_pylist()
    assert len(quarantine) == 4
    assert all(row["reasons"] for row in quarantine)


def _write(lake, outlet_id: str, batch: str, pages: list[RawPage]) -> None:
    import io

    buf = io.BytesIO()
    writer = new_writer(buf)
    for page in pages:
        write_page(writer, page)
    lake.write_bytes(raw_warc_path(outlet_id, "2026-02-02", batch, "sitemap"), buf.getvalue())


def _fixture_batch(web, lake, outlet_id: str, stamp: str) -> str:
    batch = f"{outlet_id}-{stamp}"
    pages = []
    for article in truth.articles_of(outlet_id):
        status, headers, body = _fetch(web, article.url)
        when = datetime(2026, 2, 2, 12, tzinfo=UTC)
        pages.append(
            RawPage(outlet_id, article.url, article.url, status, headers, body, when, batch, "sitemap")
        )
    _write(lake, outlet_id, batch, pages)
    return batch


def test_the_two_seed_articles_on_two_outlets_get_one_story_id(tmp_path: Path, fixture_web) -> None:
    registry = load_registry(truth.REGISTRY_PATH)
    lake = open_lake(str(tmp_path))
    for outlet_id, stamp in (("hespress_ar", "20260202T120000Z"), ("le360_fr", "20260202T130000Z"),
                             ("h24info_fr", "20260202T140000Z")):  # fmt: skip
        process_batch(lake, registry.get(outlet_id), _fixture_batch(fixture_web, lake, outlet_id, stamp))
    rows = {r["url"]: r for r in lake.dataset("articles").to_table().to_pylist()}
    seed_ar = next(r for r in rows.values() if "السغروشني" in r["body"])
    seed_fr = next(r for r in rows.values() if "Seghrouchni" in r["body"])
    assert seed_ar["outlet_id"] == "hespress_ar" and seed_fr["outlet_id"] == "le360_fr"
    # Stored first (hespress) names the story; the French article joins it across languages.
    assert seed_fr["story_id"] == seed_ar["story_id"] == seed_ar["article_id"]
    others = [
        r for r in rows.values() if r["article_id"] not in (seed_ar["article_id"], seed_fr["article_id"])
    ]
    assert others and all(r["story_id"] == r["article_id"] for r in others)  # unrelated: own story
    # The state lives in the lake: one signature per article, by month of publication.
    signatures = lake.dataset("signatures").to_table(columns=["month", "outlet_id", "article_id"])
    assert ("2026-02", "le360_fr") in set(
        zip(signatures.column("month").to_pylist(), signatures.column("outlet_id").to_pylist(), strict=True)
    )
    assert signatures.num_rows == len(rows)
    # Re-running a batch gives the same story ids (its own signatures are not its evidence).
    process_batch(lake, registry.get("le360_fr"), "le360_fr-20260202T130000Z")
    again = {r["url"]: r["story_id"] for r in lake.dataset("articles").to_table().to_pylist()}
    assert again == {url: r["story_id"] for url, r in rows.items()}


def test_gx_results_and_html_docs_are_written_next_to_each_batch(tmp_path: Path, fixture_web, outlet) -> None:
    lake = open_lake(str(tmp_path))
    batch = _fixture_batch(fixture_web, lake, "le360_fr", "20260202T120000Z")
    process_batch(lake, outlet, batch)
    suites = lake.read_json(f"_gx/outlet=le360_fr/{batch}/results.json")
    assert [s["suite"] for s in suites] == ["raw_batch", "articles_batch", "lake_write"]
    assert suites[-1]["success"]
    page = lake.read_bytes(f"_gx/outlet=le360_fr/{batch}/index.html").decode()
    assert "lake_write" in page and "expect_table_row_count_to_equal" in page
    assert "http" not in page.split("<body>")[0]  # no CDN: readable offline from a file


def test_the_lake_index_holds_only_this_batchs_ids_and_hashes_from_other_batches(tmp_path: Path) -> None:
    import pyarrow as pa

    from nashra.core.tables import commit_batch
    from nashra.stages.dedup_keys import SCHEMA, hash_key, id_key, load_lake_index

    lake = open_lake(str(tmp_path / "lake"))

    def write(batch_id: str, rows: list[tuple[str, str, str]]) -> None:
        keys = []
        for article_id, digest, status in rows:
            base = {"article_id": article_id, "dedup_status": status, "outlet_id": "o", "batch_id": batch_id}
            keys.append({"key": id_key(article_id), **base})
            if status == "canonical":
                keys.append({"key": hash_key(digest), **base})
        table = pa.Table.from_pylist(keys, schema=SCHEMA)
        commit_batch(lake, "dedup_keys", table, outlet_id="o", batch_id=batch_id, replace=False)

    write("b1", [("a1", "h1", "canonical"), ("a2", "h2", "canonical"), ("a3", "h1", "duplicate")])
    write("b2", [("a4", "h4", "canonical"), ("a5", "h5", "canonical")])
    write("b3", [("a6", "h6", "canonical")])  # the batch being processed: its own rows never count

    index = load_lake_index(lake, "b3", ["a2", "a6", "new"], ["h1", "h5", "h6", "h9"])
    assert index.article_ids == {"a2"}
    assert index.canonical_by_hash == {"h1": "a1", "h5": "a5"}  # a3 holds h1 but is a duplicate
