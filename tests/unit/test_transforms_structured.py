"""read_page_meta: JSON-LD in its real-world shapes (graph, lists, references, broken) and meta tags."""

from __future__ import annotations

from lxml import html

from transforms.structured import read_page_meta


def page(head: str, body: str = "<p>x</p>", lang: str = "fr") -> html.HtmlElement:
    return html.document_fromstring(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')


def ld(text: str) -> str:
    return f'<script type="application/ld+json">{text}</script>'


def test_graph_with_id_references() -> None:
    meta = read_page_meta(
        page(
            ld(
                """{"@context": "https://schema.org", "@graph": [
                {"@type": "WebPage", "@id": "https://s.ma/a#page", "name": "Page"},
                {"@type": ["NewsArticle"], "headline": "Le Maroc &amp; le Qatar",
                 "author": [{"@id": "https://s.ma/#p1"}, {"@type": "Person", "name": "Par Salma B."}],
                 "image": {"@id": "https://s.ma/#img"}, "datePublished": "2026-02-01T10:05:00+01:00",
                 "dateModified": "2026-02-02T08:00:00+01:00", "articleSection": ["Economie", "Tech"],
                 "keywords": "Maroc, Qatar ,IA", "inLanguage": "fr-FR"},
                {"@type": "Person", "@id": "https://s.ma/#p1", "name": "Rédaction"},
                {"@type": "ImageObject", "@id": "https://s.ma/#img", "url": "https://s.ma/i.jpg"}]}"""
            )
        )
    )
    assert meta.headline == "Le Maroc & le Qatar"
    assert meta.authors == ["Rédaction", "Salma B."]
    assert meta.image == "https://s.ma/i.jpg"
    assert meta.date_published == "2026-02-01T10:05:00+01:00"
    assert meta.date_modified == "2026-02-02T08:00:00+01:00"
    assert meta.section == "Economie"
    assert meta.keywords == ["Maroc", "Qatar", "IA"]
    assert meta.in_language == "fr-FR"


def test_top_level_list_and_schema_prefixed_types() -> None:
    meta = read_page_meta(
        page(
            ld(
                '[{"@type": "BreadcrumbList"},'
                ' {"@type": "schema:BlogPosting", "headline": "B", "author": "Ali"}]'
            )
            + ld(
                '{"@type": "https://schema.org/ReportageNewsArticle", "headline": "R",'
                ' "articleBody": "<p>Un</p><p>Deux</p>"}'
            )
        )
    )
    # the node carrying articleBody is the page's own article
    assert meta.headline == "R"
    assert meta.article_body == "Un\nDeux"


def test_broken_json_ld_does_not_raise() -> None:
    broken = [
        ld('{"@type": "NewsArticle", "headline": "A",}'),  # trailing comma: repaired
        ld('{"@type": "NewsArticle", "headline": "multi\nline"}'),  # raw newline: accepted
        ld("{not json at all"),
        ld(""),
        ld('<!-- {"@type": "NewsArticle", "headline": "C"} -->'),
    ]
    headlines = [read_page_meta(page(b)).headline for b in broken]
    assert headlines == ["A", "multi line", None, None, "C"]


def test_opengraph_and_meta_tags() -> None:
    meta = read_page_meta(
        page(
            '<meta property="og:title" content="OG titre"><meta property="og:url" content="https://s.ma/a">'
            '<meta property="og:image" content="/img.jpg"><meta property="og:site_name" content="Le Site">'
            '<meta property="article:published_time" content="2026-02-01T10:05:00+01:00">'
            '<meta property="article:modified_time" content="2026-02-01T11:00:00+01:00">'
            '<meta name="author" content="Rédaction"><meta property="article:tag" content="Maroc">'
            '<meta property="article:tag" content="Qatar"><link rel="canonical" href="https://s.ma/a">'
            "<title>Titre | Le Site</title>",
            body="<h1> Le titre </h1>",
            lang="ar-MA",
        )
    )
    assert (meta.og_title, meta.og_url, meta.og_image, meta.og_site_name) == (
        "OG titre",
        "https://s.ma/a",
        "/img.jpg",
        "Le Site",
    )
    assert meta.meta_published == "2026-02-01T10:05:00+01:00"
    assert meta.meta_modified == "2026-02-01T11:00:00+01:00"
    assert meta.meta_author == "Rédaction"
    assert meta.meta_tags == ["Maroc", "Qatar"]
    assert meta.canonical == "https://s.ma/a"
    assert meta.html_lang == "ar-MA"
    assert meta.title_tag == "Titre | Le Site"
    assert meta.h1 == "Le titre"
    assert meta.headline is None and meta.authors == []
