"""Assets carry the URI of the storage they stand for, so lineage names real data."""

from __future__ import annotations

import pytest

from nashra.ops.dag_defaults import asset_uri


@pytest.fixture(autouse=True)
def _real_lake_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NASHRA_LINEAGE_LAKE_URI", "NASHRA_LINEAGE_INDEX_URI"):  # the session pins them (conftest)
        monkeypatch.delenv(name, raising=False)


def test_on_s3_the_assets_are_the_lake_prefixes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASHRA_LAKE_URI", "s3://news-lake/prod/")
    assert asset_uri("raw", "hespress_ar") == "s3://news-lake/prod/raw/outlet=hespress_ar"
    assert asset_uri("lake", "hespress_ar") == "s3://news-lake/prod/articles/outlet_id=hespress_ar"
    assert asset_uri("raw") == "s3://news-lake/prod/raw"  # the inbox watches the whole raw prefix


def test_a_local_lake_is_a_file_uri_with_its_absolute_path(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("NASHRA_LAKE_URI", str(tmp_path / "lake"))
    assert asset_uri("raw", "qna_en") == f"file://{tmp_path}/lake/raw/outlet=qna_en"


def test_the_search_asset_names_the_cluster_without_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ES_URL", "https://reader:secret@es.internal:9243")
    monkeypatch.setenv("NASHRA_INDEX_PREFIX", "nashra-articles")
    uri = asset_uri("search", "qna_en")
    assert uri == "elasticsearch://es.internal:9243/nashra-articles/outlet_id=qna_en"
    assert "secret" not in uri and "reader" not in uri
    monkeypatch.delenv("ES_URL")  # from the Airflow connection at run time: named, not guessed
    assert asset_uri("search", "qna_en").startswith("elasticsearch://elasticsearch_default/")


def test_the_generated_dags_produce_and_consume_those_uris(monkeypatch: pytest.MonkeyPatch) -> None:
    from devkit.fixture_web.truth import REGISTRY_PATH

    monkeypatch.setenv("NASHRA_LAKE_URI", "s3://news-lake/prod")
    monkeypatch.setenv("NASHRA_REGISTRY", str(REGISTRY_PATH))
    import dags.nashra_pipeline as pipeline

    crawl, process, _index = pipeline.build(pipeline.load_registry_partial()[0].get("hespress_ar"))
    (produced,) = crawl.get_task("crawl").outlets
    assert produced.uri == "s3://news-lake/prod/raw/outlet=hespress_ar"
    assert "s3://news-lake/prod/raw/outlet=hespress_ar" in repr(process.timetable.asset_condition)


def test_lineage_can_name_the_lake_by_another_uri(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASHRA_LAKE_URI", "s3://lake-alias-s3alias/prod")  # how the tasks reach it
    monkeypatch.setenv("NASHRA_LINEAGE_LAKE_URI", "s3://news-lake/prod")  # what lineage calls it
    assert asset_uri("raw", "qna_en") == "s3://news-lake/prod/raw/outlet=qna_en"
