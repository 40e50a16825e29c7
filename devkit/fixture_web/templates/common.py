"""Small HTML helpers shared by the outlet templates."""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from typing import Any

from devkit.fixture_web.model import Story

# Moroccan (Maghreb) month names: the ones that trip date parsers are ماي, يوليوز, غشت, شتنبر, نونبر, دجنبر.
MA_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
)
GULF_MONTHS = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)
AR_WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def esc(text: str) -> str:
    return escape(text, quote=True)


def paras(texts: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"<p>{esc(t)}</p>" for t in texts)


def body_paragraphs(story: Story) -> tuple[str, ...]:
    # The scraped seed showed the title again as the first paragraph: reproduce that debris.
    return ((story.title,) if story.title_in_body else ()) + story.paragraphs


def meta_published(story: Story) -> str:
    if story.date_in_page != "meta":
        return ""
    return f'<meta property="article:published_time" content="{story.published.isoformat()}">'


def json_ld(data: dict[str, Any]) -> str:
    # "</" inside a script element would end it early.
    text = json.dumps(data, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def news_article_ld(story: Story, publisher: str) -> str:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "inLanguage": story.language,
        "mainEntityOfPage": {"@type": "WebPage", "@id": story.url},
        "author": [{"@type": "Person", "name": story.author}] if story.author else [],
        "publisher": {"@type": "Organization", "name": publisher},
    }
    if story.date_in_page == "json_ld":
        data["datePublished"] = story.published.isoformat()
        data["dateModified"] = story.published.isoformat()
    return json_ld(data)


def moroccan_date_text(when: datetime) -> str:
    """E.g. ``الأحد 24 غشت 2025 - 14:30`` as Hespress prints it."""
    weekday, month = AR_WEEKDAYS[when.weekday()], MA_MONTHS[when.month - 1]
    return f"{weekday} {when.day:02d} {month} {when.year} - {when:%H:%M}"


def document(lang: str, title: str, head: str, body: str, body_class: str = "") -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{head}\n</head>\n"
        f'<body class="{body_class}">\n{body}\n</body>\n</html>\n'
    )


def og_tags(story: Story, site_name: str) -> str:
    return (
        f'<link rel="canonical" href="{esc(story.url)}">\n'
        f'<meta property="og:type" content="article">\n'
        f'<meta property="og:site_name" content="{esc(site_name)}">\n'
        f'<meta property="og:title" content="{esc(story.title)}">\n'
        f'<meta property="og:url" content="{esc(story.url)}">\n'
        f'<meta property="og:locale" content="{story.language}">\n'
        f"{meta_published(story)}"
    )
