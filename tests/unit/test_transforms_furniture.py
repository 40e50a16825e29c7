"""Structure-based furniture removal: trailing teaser links and lines outside JSON-LD articleBody.

The article text is real (Wikinews, CC BY 2.5, read from tests/eval/dedup/wikinews.yaml); the
furniture around it is written the way news templates print it.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
import yaml

from transforms.extract import main_text, parse_tree
from transforms.furniture import drop_trailing_links, drop_unstated_lines

WIKINEWS = Path(__file__).resolve().parents[1] / "eval" / "dedup" / "wikinews.yaml"
TEASERS = (
    "Hurricane Humberto strengthens to Category 3 while approaching Bermuda",
    "Tropical storms and hurricanes explained",
)


@pytest.fixture(scope="module")
def story() -> tuple[str, list[str]]:
    entry = yaml.safe_load(WIKINEWS.read_text(encoding="utf-8"))["humberto_hurricane_en"]
    return entry["title"], entry["paragraphs"]


def _page(title: str, paragraphs: list[str], after: str = "", jsonld: dict | None = None) -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>' if jsonld else ""
    return (
        f"<html><head><title>{html.escape(title)}</title>{script}</head><body><article>"
        f"<h1>{html.escape(title)}</h1>{body}{after}</article></body></html>"
    )


def test_trailing_teaser_links_go_and_the_text_stays(story: tuple[str, list[str]]) -> None:
    title, paragraphs = story
    teasers = "".join(f'<p><a href="/{i}">{t}</a></p>' for i, t in enumerate(TEASERS))
    tree = parse_tree(_page(title, paragraphs, teasers))
    assert tree is not None
    body = "\n\n".join([*paragraphs, *(f"- {t}" for t in TEASERS)])
    assert drop_trailing_links(body, tree) == "\n\n".join(paragraphs)


def test_a_cited_address_and_a_page_of_links_are_kept(story: tuple[str, list[str]]) -> None:
    title, paragraphs = story
    source = "https://www.nhc.noaa.gov/"
    tree = parse_tree(_page(title, paragraphs, f'<p><a href="{source}">{source}</a></p>'))
    assert tree is not None
    cited = "\n\n".join([*paragraphs, source])
    assert drop_trailing_links(cited, tree) == cited  # the source the article cites
    index = parse_tree("<html><body>" + "".join(f"<p><a href='/x'>{t}</a></p>" for t in TEASERS))
    assert index is not None
    listing = "\n\n".join(TEASERS)
    assert drop_trailing_links(listing, index) == listing  # an index page: the length test decides


def test_a_paragraph_with_a_link_inside_is_not_a_teaser(story: tuple[str, list[str]]) -> None:
    title, paragraphs = story
    last = paragraphs[-1]
    linked = f'<p>See <a href="/nhc">{TEASERS[1]}</a>.</p>'
    tree = parse_tree(_page(title, paragraphs[:-1], linked))
    assert tree is not None
    body = "\n\n".join([*paragraphs[:-1], f"See {TEASERS[1]}.", last[:120]])
    assert drop_trailing_links(body, tree) == body


def test_lines_outside_article_body_go_when_it_holds_the_article(story: tuple[str, list[str]]) -> None:
    _title, paragraphs = story
    promo = "Download the app for breaking news alerts"
    body = "\n\n".join([paragraphs[0], promo, *paragraphs[1:], "Topics"])
    assert drop_unstated_lines(body, "\n".join(paragraphs)) == "\n\n".join(paragraphs)


def test_article_body_that_is_a_teaser_or_a_rewrite_removes_nothing(story: tuple[str, list[str]]) -> None:
    _title, paragraphs = story
    promo = "Download the app for breaking news alerts"
    body = "\n\n".join(["A standfirst written apart from the text", *paragraphs, promo])
    assert drop_unstated_lines(body, paragraphs[0]) == body  # only the lead: proves nothing
    # the first line (a standfirst) stays even when articleBody lacks it; the promo goes
    assert drop_unstated_lines(body, "\n".join(paragraphs)) == "\n\n".join(body.split("\n\n")[:-1])
    assert drop_unstated_lines(body, None) == body


def test_main_text_applies_both_to_the_generic_extraction(story: tuple[str, list[str]]) -> None:
    title, paragraphs = story
    teasers = "".join(f'<p><a href="/{i}">{t}</a></p>' for i, t in enumerate(TEASERS))
    jsonld = {"@type": "NewsArticle", "headline": title, "articleBody": "\n".join(paragraphs)}
    page = _page(title, paragraphs, "<p>SUPPORT INDEPENDENT WEATHER REPORTING TODAY</p>" + teasers, jsonld)
    tree = parse_tree(page)
    assert tree is not None
    body, method = main_text(
        tree, url="https://example.org/humberto", hints={}, jsonld_body="\n".join(paragraphs), title=title
    )
    assert method.startswith("trafilatura")
    assert body is not None
    assert paragraphs[0][:80] in body and paragraphs[-1][-60:] in body
    assert "SUPPORT INDEPENDENT" not in body
    assert not any(t in body for t in TEASERS)
