# ruff: noqa: E501 - HTML templates read best one tag per line, whatever its length
"""Held-out page templates, one per CMS family the tuning set does not have.

Drupal (Metatag Open Graph tags), a Joomla-like CMS (schema.org microdata), a Next.js/React page
(``__NEXT_DATA__`` JSON; half the pages server-render only the first paragraphs), an AMP page, a
Blogger-like blog, a news CMS with a sidebar (right-to-left for Arabic), and a page whose JSON-LD
``articleBody`` disagrees with the visible text. Written after the extractor and apart from it:
the furniture is what these families carry, worded from ``debris.yaml``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field

# A paragraph the newsroom's draft had and the published page has not (stale JSON-LD articleBody).
DRAFT_NOTE = {
    "ar": "ملاحظة للتحرير: الأرقام الواردة أعلاه بحاجة إلى تأكيد من الجهات المعنية قبل النشر، يرجى عدم نشر هذه الفقرة.",
    "fr": "Note de la rédaction : les chiffres ci-dessus restent à confirmer auprès des autorités avant publication, ne pas publier ce paragraphe.",
    "en": "Editor's note: the figures above are still to be confirmed with the authorities before publication, do not publish this paragraph.",
}
BYLINE = {"ar": ("بقلم", " و"), "fr": ("Par", " et "), "en": ("By", " and ")}


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


@dataclass(frozen=True)
class Spec:
    url: str
    lang: str
    title: str
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...]
    published_iso: str  # local time with offset
    published_utc: str  # the same instant written in UTC ("...Z"), as JavaScript front ends do
    modified_iso: str | None
    date_text: str  # the visible date, local time, in the page's language
    section: str
    tags: tuple[str, ...]
    image: str
    site: str
    n: int  # page number: picks sub-variants
    debris: dict[str, str]  # family -> wording
    related: tuple[str, ...]
    most_read: tuple[str, ...]
    breadcrumb: str  # the whole trail as shown, separators included
    bio: str
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def byline(self) -> str:
        prefix, sep = BYLINE[self.lang]
        return f"{prefix} {sep.join(self.authors)}" if self.authors else ""

    @property
    def direction(self) -> str:
        return "rtl" if self.lang == "ar" else "ltr"


def _crumbs(spec: Spec, cls: str) -> str:
    """An inline trail: links and separators on one line, as Yoast-like breadcrumb modules print it."""
    parts = spec.breadcrumb.split(spec.extra["crumb_sep"])
    links = [f'<a href="/c{i}">{esc(p)}</a>' for i, p in enumerate(parts[:-1])]
    return f'<div class="{cls}">{esc(spec.extra["crumb_sep"]).join([*links, f"<span>{esc(parts[-1])}</span>"])}</div>'


def _ps(spec: Spec, *inserts: tuple[int, str]) -> str:
    """Paragraphs with furniture inserted after the given paragraph indexes (CMS embeds)."""
    out = []
    for i, p in enumerate(spec.paragraphs):
        out.append(f"<p>{esc(p)}</p>")
        out += [markup for at, markup in inserts if at == i]
    return "".join(out)


def _items(items: tuple[str, ...]) -> str:
    return "".join(f'<li><a href="/a{i}">{esc(t)}</a></li>' for i, t in enumerate(items))


def _list(items: tuple[str, ...], tag: str = "ul") -> str:
    return f"<{tag}>{_items(items)}</{tag}>"


def drupal(spec: Spec) -> str:
    d = spec.debris
    metas = [
        f'<meta property="og:title" content="{esc(spec.title)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:image" content="{spec.image}">',
        f'<meta property="article:published_time" content="{spec.published_iso}">',
        *(
            [f'<meta property="article:modified_time" content="{spec.modified_iso}">']
            if spec.modified_iso
            else []
        ),
        f'<meta property="article:section" content="{esc(spec.section)}">',
        *(f'<meta property="article:tag" content="{esc(t)}">' for t in spec.tags),
        *([f'<meta name="author" content="{esc(", ".join(spec.authors))}">'] if spec.authors else []),
    ]
    head = f'<link rel="canonical" href="{spec.url}"><meta name="Generator" content="Drupal 10 (https://www.drupal.org)">{"".join(metas)}'
    ad = f'<div class="block-dfp ad-slot"><span class="ad-label">{esc(d["ad_label"])}</span><div id="dfp-ad-inarticle"></div></div>'
    byline = f'<span class="field--name-uid">{esc(spec.byline)}</span>' if spec.authors else ""
    tags = "".join(
        f'<div class="field__item"><a href="/taxonomy/term/{i}">{esc(t)}</a></div>'
        for i, t in enumerate(spec.tags)
    )
    body = f"""<div class="dialog-off-canvas-main-canvas"><header role="banner"><div class="site-branding"><a href="/">{esc(spec.site)}</a></div>
<nav role="navigation" class="menu--main"><ul class="menu"><li><a href="/s">{esc(spec.section)}</a></li></ul></nav></header>
<div class="region region-breadcrumb">{_crumbs(spec, "breadcrumb")}</div>
<main role="main"><div class="region region-content"><article role="article" class="node node--type-article node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title">{esc(spec.title)}</span></h1>
<div class="node__meta">{byline} <span class="field--name-created">{esc(spec.date_text)}</span></div>
<div class="node__tools"><a class="print-page" href="/print">{esc(d["print_control"])}</a> <span class="social-media-sharing">{esc(d["share"])}</span></div>
<div class="field field--name-field-image"><img src="{spec.image}" alt=""><div class="field--name-field-image-credit">{esc(d["photo_credit"])}</div></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field__item">{_ps(spec, (1, ad))}</div>
<div class="field field--name-field-tags"><div class="field__label">{esc(d["tag_label"])}</div><div class="field__items">{tags}</div></div>
<div class="field field--name-field-author-bio"><p>{esc(spec.bio)}</p></div>
<section class="field--name-comment"><h2 class="comments-title">{esc(d["comment_prompt"])}</h2><form class="comment-form"><div class="description">{esc(d["email_notice"])}</div><textarea></textarea></form></section>
</article>
<div class="views-element-container block-views-blockrelated-content"><h2>{esc(d["read_also_label"])}</h2>{_list(spec.related)}</div></div></main>
<aside class="layout-sidebar-second" role="complementary"><div class="block-views-blockmost-read-block-1"><h2>{esc(d["most_read_label"])}</h2>{_list(spec.most_read, "ol")}</div>
<div class="block-simplenews-subscription"><p>{esc(d["newsletter"])}</p><input type="email"></div></aside>
<footer role="contentinfo"><p>{esc(d["follow"])}</p></footer></div>
<div id="sliding-popup" class="eu-cookie-compliance-banner"><div class="popup-content"><div id="popup-text"><p>{esc(d["cookie"])}</p></div><button class="agree-button">{esc(d["cookie_button"])}</button></div></div>"""
    return _doc(spec, head, body)


def joomla(spec: Spec) -> str:
    d = spec.debris
    head = (
        f'<meta name="generator" content="Joomla! - Open Source Content Management"><meta name="keywords" content="{esc(", ".join(spec.tags))}">'
        + (f'<meta name="author" content="{esc(" & ".join(spec.authors))}">' if spec.authors else "")
    )
    author = (
        f'<dd class="createdby" itemprop="author" itemscope itemtype="https://schema.org/Person"><span itemprop="name">{esc(spec.byline)}</span></dd>'
        if spec.authors
        else ""
    )
    modified = (
        f'<dd class="modified"><time datetime="{spec.modified_iso}" itemprop="dateModified">{esc(spec.extra["modified_text"])}</time></dd>'
        if spec.modified_iso
        else ""
    )
    read_also = (
        f'<p><strong>{esc(d["read_also_label"])} :</strong> <a href="/x">{esc(spec.related[0])}</a></p>'
    )
    tags = "".join(
        f'<li><a href="/tag/{i}" class="label label-info">{esc(t)}</a></li>' for i, t in enumerate(spec.tags)
    )
    body = f"""<div class="container"><header class="header"><a class="brand" href="/">{esc(spec.site)}</a></header>
<nav class="navigation"><div class="moduletable">{_crumbs(spec, "breadcrumb")}</div></nav>
<main id="content"><div class="item-page" itemscope itemtype="https://schema.org/Article"><meta itemprop="inLanguage" content="{spec.lang}">
<div class="page-header"><h2 itemprop="headline">{esc(spec.title)}</h2></div>
<div class="icons"><ul class="dropdown-menu"><li class="print-icon"><a href="?print=1">{esc(d["print_control"])}</a></li><li class="email-icon"><a href="/mailto">{esc(d["share"])}</a></li></ul></div>
<dl class="article-info muted">{author}
<dd class="category-name"><a href="/c" itemprop="genre">{esc(spec.section)}</a></dd>
<dd class="published"><time datetime="{spec.published_iso}" itemprop="datePublished">{esc(spec.date_text)}</time></dd>{modified}</dl>
<div class="item-image"><img src="{spec.image}" itemprop="image" alt=""><span class="caption">{esc(d["photo_credit"])}</span></div>
<div itemprop="articleBody">{_ps(spec, (min(2, len(spec.paragraphs) - 2), read_also))}</div>
<ul class="tags inline"><li><span>{esc(d["tag_label"])}</span></li>{tags}</ul>
</div></main>
<div class="moduletable"><h3>{esc(d["most_read_label"])}</h3><ul class="mostread mod-list">{_items(spec.most_read)}</ul></div>
<div id="jc"><h4>{esc(d["comment_prompt"])}</h4><div class="jc-notice">{esc(d["email_notice"])}</div></div>
<div class="moduletable acymailing_module"><p>{esc(d["newsletter"])}</p></div>
<footer class="footer"><p>{esc(d["follow"])}</p></footer></div>
<div class="cc-window cc-banner" role="dialog"><span class="cc-message">{esc(d["cookie"])}</span><a class="cc-btn cc-dismiss">{esc(d["cookie_button"])}</a></div>"""
    return _doc(spec, head, body)


def nextjs(spec: Spec) -> str:
    """Server-rendered React: hashed class names, the whole story in __NEXT_DATA__; on odd pages the
    markup holds only the first two paragraphs (the rest is rendered in the browser)."""
    d = spec.debris
    shown = spec.paragraphs if spec.n % 2 == 0 else spec.paragraphs[:2]
    next_data = {
        "props": {
            "pageProps": {
                "article": {
                    "id": f"a{spec.n}",
                    "headline": spec.title,
                    "publishedAt": spec.published_utc,
                    "authors": [{"name": a} for a in spec.authors],
                    "section": {"name": spec.section},
                    "tags": list(spec.tags),
                    "body": [{"type": "paragraph", "text": p} for p in spec.paragraphs],
                    "related": [{"title": t} for t in spec.related],
                },
                "mostRead": [{"title": t} for t in spec.most_read],
            }
        },
        "page": "/[section]/[slug]",
        "buildId": "h3ld0ut",
    }
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": spec.title,
        "datePublished": spec.published_utc,
        **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
        **({"author": [{"@type": "Person", "name": a} for a in spec.authors]} if spec.authors else {}),
        "articleSection": spec.section,
        "keywords": list(spec.tags),
        "image": [spec.image],
    }
    head = f'<meta property="og:title" content="{esc(spec.title)}"><meta property="og:image" content="{spec.image}">{ld(data)}'
    inline = f'<aside class="InlineRelated_card__q7Lp"><span>{esc(d["read_also_label"])}</span><a href="/r">{esc(spec.related[0])}</a></aside>'
    ad = f'<div class="AdSlot_wrapper__z2Kd"><span class="AdSlot_label__p0Xs">{esc(d["ad_label"])}</span></div>'
    byline = f'<div class="Byline_byline__d3F4">{esc(spec.byline)}</div>' if spec.authors else ""
    paragraphs = "".join(
        f'<div class="Paragraph_wrap__Q1x2"><p class="Paragraph_p__a8Bc">{esc(p)}</p></div>{inline if i == 0 else ""}{ad if i == 1 else ""}'
        for i, p in enumerate(shown)
    )
    tags = "".join(f'<a class="Tags_tag__t9Uv" href="/tag/{i}">{esc(t)}</a>' for i, t in enumerate(spec.tags))
    body = f"""<div id="__next"><div class="Layout_wrapper__a1B2c"><header class="Header_root__h1"><a href="/">{esc(spec.site)}</a></header>
<main><article class="ArticleLayout_article__Xy12z">{_crumbs(spec, "Breadcrumbs_trail__3kLm")}
<h1 class="Headline_title__9QwE">{esc(spec.title)}</h1>{byline}<time class="Dateline_time__r5" dateTime="{spec.published_utc}">{esc(spec.date_text)}</time>
<figure class="Figure_root__f2"><img src="{spec.image}" alt=""><figcaption class="Caption_credit__kk1">{esc(d["photo_credit"])}</figcaption></figure>
<div class="ShareBar_bar__m3N"><button>{esc(d["share"])}</button></div>
<div class="ArticleBody_body__q8Rt">{paragraphs}</div>
<div class="Tags_tags__t1"><span>{esc(d["tag_label"])}</span>{tags}</div>
<div class="AuthorCard_bio__x9"><p>{esc(spec.bio)}</p></div>
<section class="Newsletter_box__p4"><h3>{esc(d["newsletter"])}</h3><p>{esc(d["email_notice"])}</p><input type="email"></section>
<section class="MostRead_list__r7"><h2>{esc(d["most_read_label"])}</h2>{_list(spec.most_read, "ol")}</section></article></main>
<footer class="Footer_root__f9"><p>{esc(d["follow"])}</p></footer>
<div class="ConsentBanner_root__c0"><p>{esc(d["cookie"])}</p><button>{esc(d["cookie_button"])}</button></div></div></div>
<script id="__NEXT_DATA__" type="application/json">{json.dumps(next_data, ensure_ascii=False)}</script>"""
    return _doc(spec, head, body)


def amp(spec: Spec) -> str:
    d = spec.debris
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": spec.url.replace("/amp/", "/"),
        "headline": spec.title,
        "datePublished": spec.published_iso,
        **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
        **({"author": [{"@type": "Person", "name": a} for a in spec.authors]} if spec.authors else {}),
        "publisher": {"@type": "Organization", "name": spec.site},
        "image": {"@type": "ImageObject", "url": spec.image, "width": 1200, "height": 675},
        "articleSection": spec.section,
        "keywords": ", ".join(spec.tags),
    }
    head = (
        '<script async src="https://cdn.ampproject.org/v0.js"></script>'
        f'<link rel="canonical" href="{spec.url.replace("/amp/", "/")}"><meta name="viewport" content="width=device-width">'
        f"{ld(data)}<style amp-boilerplate>body{{visibility:hidden}}</style>"
    )
    ad = f'<div class="amp-ad-container"><span class="amp-ad-label">{esc(d["ad_label"])}</span><amp-ad width="300" height="250" type="doubleclick" data-slot="/1234/news"></amp-ad></div>'
    read_also = (
        f'<p><strong>{esc(d["read_also_label"])} :</strong> <a href="/amp/x">{esc(spec.related[0])}</a></p>'
    )
    byline = f'<span class="amp-author">{esc(spec.byline)}</span>' if spec.authors else ""
    tags = " ".join(f'<a href="/tag/{i}">{esc(t)}</a>' for i, t in enumerate(spec.tags))
    body = f"""<amp-sidebar id="sidebar" layout="nodisplay"><nav><a href="/">{esc(spec.site)}</a><a href="/s">{esc(spec.section)}</a></nav></amp-sidebar>
<header class="amp-header"><button on="tap:sidebar.toggle">&#9776;</button><a href="/">{esc(spec.site)}</a></header>
<amp-consent id="consent" layout="nodisplay"><div class="consent-ui"><p>{esc(d["cookie"])}</p><button on="tap:consent.accept">{esc(d["cookie_button"])}</button></div></amp-consent>
<article class="amp-article">{_crumbs(spec, "amp-breadcrumb")}<h1 class="amp-title">{esc(spec.title)}</h1>
<div class="amp-meta">{byline} <time datetime="{spec.published_iso}">{esc(spec.date_text)}</time></div>
<figure><amp-img src="{spec.image}" width="1200" height="675" layout="responsive" alt=""></amp-img><figcaption>{esc(d["photo_credit"])}</figcaption></figure>
<div class="amp-share"><span>{esc(d["share"])}</span><amp-social-share type="facebook"></amp-social-share><amp-social-share type="whatsapp"></amp-social-share></div>
<div class="amp-article-body">{_ps(spec, (1, ad), (min(3, len(spec.paragraphs) - 2), read_also))}</div>
<div class="amp-tags"><span>{esc(d["tag_label"])}</span> {tags}</div>
<section class="amp-most-read"><h2>{esc(d["most_read_label"])}</h2>{_list(spec.most_read)}</section></article>
<footer class="amp-footer"><p>{esc(d["follow"])}</p><p>{esc(d["newsletter"])}</p></footer>"""
    return _doc(spec, head, body, amp=True)


def blogger(spec: Spec) -> str:
    """Classic Blogger: date header, post-body of <br>- or <div>-separated text, labels as tags, no
    section and no modification date anywhere on the page."""
    d = spec.debris
    if spec.n % 2:
        text = "".join(f"<div>{esc(p)}</div><div><br></div>" for p in spec.paragraphs)
    else:
        text = "<br><br>".join(esc(p) for p in spec.paragraphs)
    pasted = (
        f"<div><br></div><div><b>{esc(d['read_also_label'])}</b></div>"
        + "".join(f'<div><a href="/p{i}.html">{esc(t)}</a></div>' for i, t in enumerate(spec.related[:2]))
        + f"<div>{esc(d['follow'])}</div>"
    )
    author = (
        f'<span class="post-author vcard">{esc(BYLINE[spec.lang][0])} <span class="fn" itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">{esc(BYLINE[spec.lang][1].join(spec.authors))}</span></span></span>'
        if spec.authors
        else ""
    )
    labels = ", ".join(f'<a href="/search/label/{esc(t)}" rel="tag">{esc(t)}</a>' for t in spec.tags)
    head = f"<meta content='blogger' name='generator'><link rel='canonical' href='{spec.url}'><meta property='og:title' content='{esc(spec.title)}'><meta property='og:image' content='{spec.image}'>"
    body = f"""<div class="navbar section" id="navbar"></div><div class="header-outer"><div class="titlewrapper"><h1 class="title"><a href="/">{esc(spec.site)}</a></h1></div></div>
<div class="main-outer"><div class="main-inner"><div class="date-outer"><h2 class="date-header"><span>{esc(spec.date_text)}</span></h2>
<div class="date-posts"><div class="post-outer"><div class="post hentry uncustomized-post-template" itemprop="blogPost" itemscope itemtype="http://schema.org/BlogPosting">
<meta itemprop="image_url" content="{spec.image}"><a name="{spec.n}"></a><h3 class="post-title entry-title" itemprop="name">{esc(spec.title)}</h3>
<div class="post-header"><div class="post-header-line-1"></div></div>
<div class="post-body entry-content" id="post-body-{spec.n}" itemprop="description articleBody">
<table class="tr-caption-container" align="center"><tbody><tr><td><a href="{spec.image}"><img src="{spec.image}" border="0"></a></td></tr><tr><td class="tr-caption">{esc(d["photo_credit"])}</td></tr></tbody></table>
{text}{pasted}<div style="clear: both;"></div></div>
<div class="post-footer"><div class="post-footer-line post-footer-line-1">{author}
<span class="post-timestamp"><a class="timestamp-link" href="{spec.url}" rel="bookmark"><abbr class="published" itemprop="datePublished" title="{spec.published_iso}">{esc(spec.extra["time_text"])}</abbr></a></span>
<span class="post-icons"><span class="item-action"><a href="/email-post">{esc(d["share"])}</a></span></span></div>
<div class="post-footer-line post-footer-line-2"><span class="post-labels">{esc(d["tag_label"])}: {labels}</span></div></div></div>
<div class="comments" id="comments"><h4>{esc(d["comment_prompt"])}</h4><p class="comment-footer">{esc(d["email_notice"])}</p></div></div></div></div></div></div>
<div class="sidebar section" id="sidebar"><div class="widget PopularPosts" id="PopularPosts1"><h2>{esc(d["most_read_label"])}</h2>{_list(spec.most_read)}</div>
<div class="widget FollowByEmail" id="FollowByEmail1"><h2 class="title">{esc(d["newsletter"])}</h2><form><input type="text"></form></div>
<div class="widget Profile" id="Profile1"><dl class="profile-datablock"><dd class="profile-textblock">{esc(spec.bio)}</dd></dl></div></div>
<div id="cookieChoiceInfo" class="cookie-choices-info"><span class="cookie-choices-text">{esc(d["cookie"])}</span><a class="cookie-choices-button" href="#">{esc(d["cookie_button"])}</a></div>"""
    return _doc(spec, head, body)


def sidebar_cms(spec: Spec) -> str:
    """A news CMS of the region: article column plus sidebar (before the article in the source for
    right-to-left pages), print and font-size tools, author box, related list, no JSON-LD."""
    d = spec.debris
    metas = [
        f'<meta property="og:title" content="{esc(spec.title)}">',
        f'<meta property="og:image" content="{spec.image}">',
        f'<meta property="article:published_time" content="{spec.published_iso}">',
        *(
            [f'<meta property="article:modified_time" content="{spec.modified_iso}">']
            if spec.modified_iso
            else []
        ),
        f'<meta property="article:section" content="{esc(spec.section)}">',
        f'<meta name="keywords" content="{esc(",".join(spec.tags))}">',
    ]
    ad = f'<div class="inside-ad"><small>{esc(d["ad_label"])}</small></div>'
    inline = f'<div class="read-more-inline"><span>{esc(d["read_also_label"])}</span> <a href="/r">{esc(spec.related[0])}</a></div>'
    author = (
        f'<div class="author-box"><a class="author-name" href="/author/1">{esc(BYLINE[spec.lang][1].join(spec.authors))}</a><p class="author-bio">{esc(spec.bio)}</p></div>'
        if spec.authors
        else f'<div class="author-box"><p class="author-bio">{esc(spec.bio)}</p></div>'
    )
    tags = " ".join(f'<a href="/tag/{i}">{esc(t)}</a>' for i, t in enumerate(spec.tags))
    sidebar = f"""<div class="col-md-4 sidebar"><div class="widget most-read"><h3>{esc(d["most_read_label"])}</h3>{_list(spec.most_read, "ol")}</div>
<div class="widget newsletter-box"><p>{esc(d["newsletter"])}</p><p>{esc(d["email_notice"])}</p></div><div class="widget follow-box"><p>{esc(d["follow"])}</p></div></div>"""
    main = f"""<div class="col-md-8 main-col"><div class="article-wrapper"><h1 class="post-title">{esc(spec.title)}</h1>
<div class="post-meta"><span class="post-date">{esc(spec.date_text)}</span> <span class="post-section">{esc(spec.section)}</span></div>
<div class="article-tools"><a class="print" href="?print">{esc(d["print_control"])}</a> <span class="font-size"><a>A+</a> <a>A-</a></span></div>
<div class="post-thumb"><img src="{spec.image}" alt=""><span class="img-credit">{esc(d["photo_credit"])}</span></div>
<div class="article-content">{_ps(spec, (0, ad), (min(2, len(spec.paragraphs) - 2), inline))}</div>
<div class="post-tags"><span>{esc(d["tag_label"])}:</span> {tags}</div>{author}
<div class="share-post"><span>{esc(d["share"])}</span></div>
<div class="related-posts"><h3>{esc(d["read_also_label"])}</h3>{_list(spec.related[1:])}</div>
<div class="comments-box"><h3>{esc(d["comment_prompt"])}</h3><textarea></textarea></div></div></div>"""
    columns = sidebar + main if spec.lang == "ar" else main + sidebar
    body = f"""<div class="container"><header class="main-header"><a class="logo" href="/">{esc(spec.site)}</a><ul class="main-menu"><li><a href="/s">{esc(spec.section)}</a></li></ul></header>
{_crumbs(spec, "breadcrumbs")}<div class="row">{columns}</div>
<footer class="main-footer"><p>{esc(spec.site)}</p></footer></div>
<div class="cookies-msg"><p>{esc(d["cookie"])}</p><button>{esc(d["cookie_button"])}</button></div>"""
    return _doc(spec, "".join(metas), body)


def jsonld_disagree(spec: Spec) -> str:
    """The JSON-LD articleBody is not the visible text: on even pages the CMS serialised the body's
    embeds (ad label, read-also card, credit, newsletter box) into it; on odd pages it is a stale
    draft with a paragraph the published page dropped."""
    d = spec.debris
    if spec.n % 2 == 0:
        embeds = [
            d["photo_credit"],
            d["ad_label"],
            f"{d['read_also_label']}: {spec.related[0]}",
            d["newsletter"],
        ]
        parts = [
            x for i, p in enumerate(spec.paragraphs) for x in (p, embeds[i] if i < len(embeds) else "") if x
        ]
    else:
        parts = [*spec.paragraphs[:-1], DRAFT_NOTE[spec.lang], spec.paragraphs[-1]]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": spec.title,
        "articleBody": "\n\n".join(parts),
        "datePublished": spec.published_iso,
        **({"dateModified": spec.modified_iso} if spec.modified_iso else {}),
        **({"author": [{"@type": "Person", "name": a} for a in spec.authors]} if spec.authors else {}),
        "articleSection": spec.section,
        "keywords": list(spec.tags),
        "image": {"@type": "ImageObject", "url": spec.image},
        "inLanguage": spec.lang,
    }
    head = f'<link rel="canonical" href="{spec.url}"><meta property="og:title" content="{esc(spec.title)}">{ld(data)}'
    card = f'<aside class="embed-related"><span>{esc(d["read_also_label"])}</span><a href="/r">{esc(spec.related[0])}</a></aside>'
    ad = f'<div class="embed-ad"><span>{esc(d["ad_label"])}</span></div>'
    byline = f'<p class="story-byline">{esc(spec.byline)}</p>' if spec.authors else ""
    tags = " ".join(f'<a href="/t/{i}">{esc(t)}</a>' for i, t in enumerate(spec.tags))
    body = f"""<header class="site-head"><a href="/">{esc(spec.site)}</a></header>{_crumbs(spec, "story-crumbs")}
<main><article class="story"><header class="story-head"><p class="story-kicker">{esc(spec.section)}</p><h1>{esc(spec.title)}</h1>{byline}<time datetime="{spec.published_iso}">{esc(spec.date_text)}</time></header>
<figure class="story-figure"><img src="{spec.image}" alt=""><figcaption>{esc(d["photo_credit"])}</figcaption></figure>
<div class="story-body">{_ps(spec, (1, ad), (2, card))}</div>
<footer class="story-foot"><div class="story-tags"><span>{esc(d["tag_label"])}</span> {tags}</div><div class="story-tools"><span>{esc(d["share"])}</span> <a href="?print">{esc(d["print_control"])}</a></div>
<div class="story-author-bio"><p>{esc(spec.bio)}</p></div></footer></article>
<aside class="story-rail"><h2>{esc(d["most_read_label"])}</h2>{_list(spec.most_read, "ol")}</aside></main>
<div class="subscribe-strip"><p>{esc(d["newsletter"])}</p><p>{esc(d["email_notice"])}</p></div>
<section class="story-comments"><h2>{esc(d["comment_prompt"])}</h2></section>
<div class="privacy-layer"><p>{esc(d["cookie"])}</p><button>{esc(d["cookie_button"])}</button></div>"""
    return _doc(spec, head, body)


def _doc(spec: Spec, head: str, body: str, *, amp: bool = False) -> str:
    marker = " \u26a1" if amp else ""
    return (
        f'<!DOCTYPE html><html{marker} lang="{spec.lang}" dir="{spec.direction}"><head><meta charset="utf-8">'
        f"<title>{esc(spec.title)} - {esc(spec.site)}</title>{head}</head><body>{body}</body></html>"
    )


# family -> (renderer, what the page states: modified date, section)
FAMILIES: dict[str, tuple[Callable[[Spec], str], bool, bool]] = {
    "drupal": (drupal, True, True),
    "joomla": (joomla, True, True),
    "nextjs": (nextjs, True, True),
    "amp": (amp, True, True),
    "blogger": (blogger, False, False),
    "sidebar_cms": (sidebar_cms, True, True),
    "jsonld_disagree": (jsonld_disagree, True, True),
}
