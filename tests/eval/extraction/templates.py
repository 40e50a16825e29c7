# ruff: noqa: E501 - HTML templates read best one tag per line, whatever its length
"""Outlet-family page templates: WordPress + Yoast, Arc XP, the old '/rssFeed/N' CMS, and an
Al Jazeera-like page whose full text is in JSON-LD. Each takes a ``PageSpec`` and returns HTML.

The furniture is what those families really carry (comment forms, share bars, consent banners,
"read also" blocks, newsletter boxes, standalone photo credits, NBSP paragraphs, the headline
repeated above the body), worded from ``debris.py``.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PageSpec:
    url: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]
    published_iso: str  # with offset, as the CMS writes it
    modified_iso: str | None
    date_text: str  # the visible date, local time, in the page's language
    section: str
    tags: tuple[str, ...]
    image: str
    debris: dict[str, str]  # family -> wording
    related: str  # headline of the "read also" link
    site: str
    pasted: bool = False  # debris pasted into the body as paragraphs (CMS editors do this)
    extra: dict[str, Any] = field(default_factory=dict)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _doc(spec: PageSpec, head: str, body: str) -> str:
    direction = "rtl" if spec.lang == "ar" else "ltr"
    return (
        f'<!DOCTYPE html><html lang="{spec.lang}" dir="{direction}"><head><meta charset="utf-8">'
        f"<title>{esc(spec.title)} | {esc(spec.site)}</title>{head}</head><body>{body}</body></html>"
    )


def _pasted(spec: PageSpec) -> tuple[str, str]:
    """(before, after) paragraphs an editor pasted around the text."""
    d = spec.debris
    if not spec.pasted:
        return "", ""
    before = f"<p><strong>{esc(spec.title)}</strong></p><p>\u00a0</p><p>{esc(d['photo_credit'])}</p>"
    after = (
        f"<p>\u00a0</p><p><strong>{esc(d['read_also_label'])}</strong></p>"
        f'<p><a href="/other">{esc(spec.related)}</a></p>'
        f"<p>{esc(d['newsletter'])}</p><p>{esc(d['follow'])}</p><p>{esc(d['share'])}</p>"
    )
    return before, after


def wordpress(spec: PageSpec) -> str:
    site = spec.url.split("/")[2]
    person = f"https://{site}/#/schema/person/"
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "@id": spec.url + "#article",
                "headline": spec.title,
                "datePublished": spec.published_iso,
                **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
                **(
                    {"author": [{"@id": person + str(i)} for i in range(len(spec.authors))]}
                    if spec.authors
                    else {}
                ),
                "articleSection": [spec.section],
                "keywords": list(spec.tags),
                "image": {"@id": spec.url + "#primaryimage"},
                "inLanguage": spec.lang,
            },
            *({"@type": "Person", "@id": person + str(i), "name": a} for i, a in enumerate(spec.authors)),
            {"@type": "ImageObject", "@id": spec.url + "#primaryimage", "url": spec.image},
        ],
    }
    d = spec.debris
    before, after = _pasted(spec)
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in spec.paragraphs)
    byline = f'<span class="byline">{esc(", ".join(spec.authors))}</span>' if spec.authors else ""
    head = (
        f'<link rel="canonical" href="{spec.url}"><meta property="og:title" content="{esc(spec.title)}">'
        f'<meta property="og:site_name" content="{esc(spec.site)}">{ld(graph)}'
    )
    body = f"""<header id="masthead"><nav class="main-navigation"><ul><li><a href="/">{esc(spec.site)}</a></li>
<li><a href="/s">{esc(spec.section)}</a></li></ul></nav></header>
<main id="main" class="site-main"><article class="post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{esc(spec.title)}</h1>
<div class="entry-meta"><time class="entry-date published" datetime="{spec.published_iso}">{esc(spec.date_text)}</time>
{byline}</div></header>
<div class="entry-content">{before}{paragraphs}{after}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">{esc(d["share"])}</h3><ul>
<li><a class="share-facebook">Facebook</a></li><li><a class="share-twitter">X</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>{esc(d["read_also_label"])}</h3>
<p><a href="/r">{esc(spec.related)}</a></p></div></div>
<footer class="entry-footer"><span class="tags-links">{esc(", ".join(spec.tags))}</span></footer></article>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">{esc(d["comment_prompt"])}</h3>
<form id="commentform" class="comment-form"><p class="comment-notes">{esc(d["email_notice"])}</p>
<textarea></textarea><input type="submit" value="{esc(d["comment_prompt"])}"></form></div></div></main>
<aside class="widget-area"><section class="widget widget_newsletter"><p>{esc(d["newsletter"])}</p></section></aside>
<div id="cookie-notice" role="dialog"><span>{esc(d["cookie"])}</span><a class="cn-button">{esc(d["cookie_button"])}</a></div>
<footer id="colophon"><p>© 2026 {esc(spec.site)}</p></footer>"""
    return _doc(spec, head, body)


def arc(spec: PageSpec) -> str:
    d = spec.debris
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": spec.title,
        "datePublished": spec.published_iso,
        **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
        **({"author": [{"@type": "Person", "name": a} for a in spec.authors]} if spec.authors else {}),
        "articleSection": spec.section,
        "keywords": ", ".join(spec.tags),
        "image": [spec.image],
        "mainEntityOfPage": spec.url,
    }
    before, after = _pasted(spec)
    paragraphs = "".join(
        f'<p class="c-paragraph b-article-body__paragraph">{esc(p)}</p>' for p in spec.paragraphs
    )
    byline = f'<div class="b-byline">{esc(" - ".join(spec.authors))}</div>' if spec.authors else ""
    head = f'<meta property="og:url" content="{spec.url}?utm_source=twitter">{ld(data)}'
    body = f"""<div id="fusion-app"><header class="c-stack b-header-nav-chain"><a href="/">{esc(spec.site)}</a></header>
<div class="c-stack b-share-bar"><button>{esc(d["share"])}</button><a>Facebook</a><a>WhatsApp</a></div>
<article class="b-article-body"><h1 class="c-heading b-headline">{esc(spec.title)}</h1>
{byline}
<div class="b-date"><time datetime="{spec.published_iso}">{esc(spec.date_text)}</time></div>
<figure><img src="{spec.image}"><figcaption class="c-credit">{esc(d["photo_credit"])}</figcaption></figure>
{before}{paragraphs}{after}</article>
<section class="b-newsletter-signup"><h3>{esc(d["newsletter"])}</h3><input></section>
<div class="b-related-stories"><h2>{esc(d["read_also_label"])}</h2><a href="/x">{esc(spec.related)}</a></div>
</div><div class="cmp-consent-banner"><p>{esc(d["cookie"])}</p><button>{esc(d["cookie_button"])}</button></div>"""
    return _doc(spec, head, body)


def rssfeed_cms(spec: PageSpec) -> str:
    """Old ASP-era CMS: a layout table, <br>-separated text, no structured data, visible date only."""
    d = spec.debris
    lines = [*spec.paragraphs]
    if spec.pasted:
        lines = [spec.title, "\u00a0", d["photo_credit"], *lines, d["share"], d["comment_prompt"]]
    text = "<br><br>\n".join(esc(p) for p in lines)
    byline_text = f"{spec.extra['byline_prefix']} {spec.extra['byline_sep'].join(spec.authors)}"
    byline = f'<span class="auteur">{esc(byline_text)}</span>' if spec.authors else ""
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(spec.title)}</title></head><body><table width="100%"><tr><td class="menu">
<a href="/rssFeed/1">{esc(spec.site)}</a> | <a href="/rssFeed/2">{esc(spec.section)}</a></td></tr>
<tr><td><h2 class="titre">{esc(spec.title)}</h2>{byline}<span class="date-article">{esc(spec.date_text)}</span>
<div class="texte-article">{text}</div>
<div class="partage">{esc(d["follow"])}</div></td></tr>
<tr><td class="footer">{esc(d["cookie"])} {esc(d["cookie_button"])}</td></tr></table></body></html>"""


def jsonld_story(spec: PageSpec, *, teaser: bool) -> str:
    """Al Jazeera-like: NewsArticle JSON-LD with the whole articleBody; the markup holds the text
    (or, for a teaser, only the lead paragraph)."""
    d = spec.debris
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": spec.title,
        "articleBody": "\n\n".join(spec.paragraphs),
        "datePublished": spec.published_iso,
        **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
        **(
            {"author": [{"@type": "Person", "name": a, "url": "/author/x"} for a in spec.authors]}
            if spec.authors
            else {}
        ),
        "articleSection": spec.section,
        "keywords": list(spec.tags),
        "image": {"@type": "ImageObject", "url": spec.image},
        "inLanguage": spec.lang,
    }
    shown = spec.paragraphs[:1] if teaser else spec.paragraphs
    before, after = _pasted(spec)
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in shown)
    more = f'<p><a href="/subscribe">{esc(d["newsletter"])}</a></p>' if teaser else ""
    head = f'<link rel="canonical" href="{spec.url}">{ld([{"@type": "WebSite", "name": spec.site}, data])}'
    body = f"""<div class="container"><nav class="site-header__nav"><a href="/news">{esc(spec.section)}</a></nav>
<main id="main-content-area"><header class="article-header"><h1>{esc(spec.title)}</h1></header>
<div class="article-info-block"><div class="date-simple">{esc(spec.date_text)}</div></div>
<div class="article-social-share"><span>{esc(d["share"])}</span></div>
<div class="wysiwyg wysiwyg--all-content">{before}{paragraphs}{after}{more}</div>
<div class="more-on"><h2>{esc(d["read_also_label"])}</h2><a href="/x">{esc(spec.related)}</a></div>
</main><div class="newsletter-widget">{esc(d["newsletter"])}</div>
<div id="onetrust-consent-sdk" role="alertdialog">{esc(d["cookie"])} <button>{esc(d["cookie_button"])}</button></div></div>"""
    return _doc(spec, head, body)
