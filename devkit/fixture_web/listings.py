"""Discovery documents: robots.txt, RSS 2.0, (news) sitemaps, sitemap indexes, WordPress REST JSON."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape as html_escape
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from devkit.fixture_web.model import Listed, Story

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def robots_txt(extra_disallow: Iterable[str] = (), sitemaps: Iterable[str] = ()) -> str:
    # Every fixture host forbids /private/; the crawler must never fetch it.
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in extra_disallow), "Disallow: /private/", ""]
    lines += [f"Sitemap: {s}" for s in sitemaps]
    return "\n".join(lines) + "\n"


def rss(channel_title: str, home: str, language: str, items: list[Listed], built: datetime) -> str:
    parts = [
        _XML_DECL,
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n',
        f"<title>{escape(channel_title)}</title>\n<link>{escape(home)}</link>\n",
        f"<description>{escape(channel_title)}</description>\n<language>{language}</language>\n",
        f"<lastBuildDate>{format_datetime(built.astimezone(UTC), usegmt=True)}</lastBuildDate>\n",
    ]
    for item in items:
        # An item without pubDate is valid RSS; the Hespress heat-wave item relies on that.
        date = (
            f"<pubDate>{format_datetime(item.published.astimezone(UTC), usegmt=True)}</pubDate>"
            if item.published
            else ""
        )
        parts.append(
            f"<item><title>{escape(item.title)}</title><link>{escape(item.url)}</link>"
            f'<guid isPermaLink="true">{escape(item.url)}</guid>{date}</item>\n'
        )
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


def news_sitemap(publication: str, items: list[Listed]) -> str:
    rows = []
    for item in items:
        assert item.published is not None, "Google News sitemaps require a publication date"
        rows.append(
            f"<url><loc>{escape(item.url)}</loc><news:news><news:publication>"
            f"<news:name>{escape(publication)}</news:name><news:language>{item.language}</news:language>"
            f"</news:publication><news:publication_date>{item.published.isoformat()}</news:publication_date>"
            f"<news:title>{escape(item.title)}</news:title></news:news></url>\n"
        )
    return f'{_XML_DECL}<urlset xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}">\n{"".join(rows)}</urlset>\n'


def urlset(items: list[Listed]) -> str:
    rows = [
        f"<url><loc>{escape(i.url)}</loc>"
        + (f"<lastmod>{i.published.isoformat()}</lastmod>" if i.published else "")
        + "</url>\n"
        for i in items
    ]
    return f'{_XML_DECL}<urlset xmlns="{SITEMAP_NS}">\n{"".join(rows)}</urlset>\n'


def sitemap_index(entries: list[tuple[str, datetime]]) -> str:
    rows = [
        f"<sitemap><loc>{escape(loc)}</loc><lastmod>{when.isoformat()}</lastmod></sitemap>\n"
        for loc, when in entries
    ]
    return f'{_XML_DECL}<sitemapindex xmlns="{SITEMAP_NS}">\n{"".join(rows)}</sitemapindex>\n'


def wp_post(story: Story, post_id: int, html_content: str, excerpt: str) -> dict[str, object]:
    """A post as ``/wp-json/wp/v2/posts`` returns it (the fields crawlers use)."""
    local = story.published.replace(tzinfo=None).isoformat()
    gmt = story.published_utc.replace(tzinfo=None).isoformat()
    slug = story.url.rstrip("/").rsplit("/", 1)[-1]
    return {
        "id": post_id,
        "date": local,
        "date_gmt": gmt,
        "guid": {"rendered": f"http://{urlsplit(story.url).hostname}/?p={post_id}"},
        "modified": local,
        "modified_gmt": gmt,
        "slug": slug,
        "status": "publish",
        "type": "post",
        "link": story.url,
        # WordPress returns titles HTML-escaped (l'Atlas -> l&#x27;Atlas): clients must unescape.
        "title": {"rendered": html_escape(story.title)},
        "content": {"rendered": html_content, "protected": False},
        "excerpt": {"rendered": excerpt, "protected": False},
        "author": 3,
        "lang": story.language,
    }
