"""canonical_url: declared canonical on the same site, trackers and noise removed, path case kept."""

from __future__ import annotations

import pytest

from transforms.urls import canonical_url, registrable_domain

PAGE = "https://www.hespress.com/societe/maroc-qatar-123.html"


@pytest.mark.parametrize(
    ("page", "canonical", "og", "expected"),
    [
        # declared canonical wins, even on another subdomain of the same site
        (
            PAGE + "?utm_source=fb",
            "https://fr.hespress.com/Maroc-Qatar-123.html",
            None,
            "https://fr.hespress.com/Maroc-Qatar-123.html",
        ),
        # og:url when there is no canonical; its tracker is dropped
        (PAGE, None, "https://www.hespress.com/x?fbclid=abc", "https://www.hespress.com/x"),
        # off-site canonical (syndication partner) is ignored, og:url on-site is used
        (PAGE, "https://aggregator.example.com/copy", "https://hespress.com/og", "https://hespress.com/og"),
        # relative or non-http declarations are ignored
        (PAGE, "/societe/maroc-qatar-123.html", "ftp://hespress.com/y", PAGE),
        (PAGE, "javascript:void(0)", "", PAGE),
        # normalisation of the final URL itself
        (
            "HTTPS://WWW.Le360.MA:443/Economie/Art-1?utm_medium=x&b=2&a=1&gclid=z#comments",
            None,
            None,
            "https://www.le360.ma/Economie/Art-1?a=1&b=2",
        ),
        ("http://alwatan.com.qa:80/news?id=5&ref=home", None, None, "http://alwatan.com.qa/news?id=5"),
        ("https://le360.ma:8443/a", None, None, "https://le360.ma:8443/a"),
        ("https://le360.ma", None, None, "https://le360.ma/"),
        ("https://le360.ma/?p=123&amp=1", None, None, "https://le360.ma/?p=123"),
        # fixture web on localhost: same host counts as same site
        (
            "http://localhost:8000/rssFeed/2/5?utm_campaign=a",
            "http://localhost:8000/rssFeed/2/5",
            None,
            "http://localhost:8000/rssFeed/2/5",
        ),
    ],
)
def test_canonical_url(page: str, canonical: str | None, og: str | None, expected: str) -> None:
    assert canonical_url(page, canonical, og) == expected


def test_raw_and_percent_encoded_arabic_slugs_agree() -> None:
    raw = canonical_url("https://hespress.com/المغرب-قطر-1.html", None, None)
    lower = canonical_url(
        "https://hespress.com/%d8%a7%d9%84%d9%85%d8%ba%d8%b1%d8%a8-%d9%82%d8%b7%d8%b1-1.html", None, None
    )
    upper = canonical_url(
        "https://hespress.com/%D8%A7%D9%84%D9%85%D8%BA%D8%B1%D8%A8-%D9%82%D8%B7%D8%B1-1.html", None, None
    )
    assert raw == lower == upper


def test_http_is_kept_as_given() -> None:
    assert canonical_url("http://qna.org.qa/ar/News", None, None) == "http://qna.org.qa/ar/News"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.qna.org.qa/x", "qna.org.qa"),
        ("https://fr.hespress.com/x", "hespress.com"),
        ("http://127.0.0.1:8000/x", "127.0.0.1"),
        ("not a url", None),
    ],
)
def test_registrable_domain(url: str, domain: str | None) -> None:
    assert registrable_domain(url) == domain
