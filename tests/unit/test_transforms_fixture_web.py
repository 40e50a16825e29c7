"""process_page against the fixture web's ground truth, served in-process (no server, no proxy)."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlsplit

import pytest

from devkit.fixture_web import site as site_module
from devkit.fixture_web import truth
from nashra.core import registry as registry_module
from nashra.core.model import Article, RawPage, Rejection
from transforms.article import process_page

NOW = truth.REFERENCE_NOW if truth.REFERENCE_NOW.tzinfo else truth.REFERENCE_NOW.replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def site():  # type: ignore[no-untyped-def]
    return site_module.build_site()


@pytest.fixture(scope="module")
def registry():  # type: ignore[no-untyped-def]
    return registry_module.load_registry(truth.REGISTRY_PATH)


def fetch(site, outlet_id: str, url: str) -> RawPage:  # type: ignore[no-untyped-def]
    parts = urlsplit(url)
    response = site.resolve(parts.hostname or "", parts.path or "/", parts.query)
    return RawPage(
        outlet_id=outlet_id,
        url=url,
        final_url=url,
        status=response.status,
        headers={k.lower(): v for k, v in response.all_headers().items()},
        body=response.body,
        fetched_at=NOW,
        batch_id="fixture",
        discovery="feed",
    )


@pytest.mark.parametrize("expected", truth.ARTICLES, ids=lambda a: a.url)
def test_article_matches_truth(site, registry, expected) -> None:  # type: ignore[no-untyped-def]
    outlet = registry.get(expected.outlet_id)
    result = process_page(fetch(site, outlet.id, expected.url), outlet, now=NOW)
    assert isinstance(result, Article), result
    body = result.body or ""
    assert " ".join(body.split()) == " ".join(expected.body.split())
    for snippet in expected.must_contain:
        assert snippet in body
    for junk in expected.must_not_contain:
        assert junk not in body
    assert result.title == expected.title
    assert result.published_at == expected.published_utc
    assert result.language == expected.language


@pytest.mark.parametrize("expected", truth.QUARANTINED, ids=lambda q: q.url)
def test_quarantined_pages(site, registry, expected) -> None:  # type: ignore[no-untyped-def]
    outlet = registry.get(expected.outlet_id)
    result = process_page(fetch(site, outlet.id, expected.url), outlet, now=NOW)
    assert isinstance(result, Rejection)
    assert result.reasons == [expected.reason]


def test_wire_copies_share_a_content_hash(site, registry) -> None:  # type: ignore[no-untyped-def]
    by_url = {a.url: a for a in truth.ARTICLES}
    for group in truth.WIRE_GROUPS:
        hashes = set()
        for url in group:
            outlet = registry.get(by_url[url].outlet_id)
            result = process_page(fetch(site, outlet.id, url), outlet, now=NOW)
            assert isinstance(result, Article)
            hashes.add(result.content_hash)
        assert len(hashes) == 1
