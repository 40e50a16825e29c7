"""Templates of the Qatari fixture outlets: QNA, The Peninsula, Gulf Times, Al Jazeera Arabic.

The three English outlets carry the same QNA wire body in different chrome; ``DEBRIS`` lists the
chrome text that must never end up in an extracted body.
"""

from __future__ import annotations

from devkit.fixture_web.model import Story
from devkit.fixture_web.templates.common import (
    GULF_MONTHS,
    body_paragraphs,
    document,
    esc,
    news_article_ld,
    og_tags,
    paras,
)

QNA_SHARE = "Share this news"
QNA_RELATED = "Related News"
QNA_FOOTER = "© Qatar News Agency. All rights reserved."
PENINSULA_MOST_READ = "Most Read"
PENINSULA_NEWSLETTER = "Subscribe to our newsletter"
PENINSULA_WHATSAPP = "Follow The Peninsula on WhatsApp"
GULFTIMES_COOKIE = "We use cookies to ensure you get the best experience on our website."
GULFTIMES_RELATED = "Related Story"
GULFTIMES_EPAPER = "Read the Gulf Times e-paper"
ALJAZEERA_FOLLOW = "تابع الجزيرة نت على منصات التواصل"
ALJAZEERA_NEWSLETTER = "اشترك في النشرة البريدية"
ALJAZEERA_RELATED = "اقرأ أيضا"
ALJAZEERA_RELATED_TITLES = ("أسعار النفط ترتفع مع تراجع المخزونات", "انطلاق معرض للتقنيات الحديثة في الدوحة")

DEBRIS: dict[str, tuple[str, ...]] = {
    "qna": (QNA_SHARE, QNA_RELATED, QNA_FOOTER),
    "peninsula": (PENINSULA_MOST_READ, PENINSULA_NEWSLETTER, PENINSULA_WHATSAPP),
    "gulftimes": (GULFTIMES_COOKIE, GULFTIMES_RELATED, GULFTIMES_EPAPER),
    "aljazeera": (ALJAZEERA_FOLLOW, ALJAZEERA_NEWSLETTER, ALJAZEERA_RELATED, *ALJAZEERA_RELATED_TITLES),
}


def qna(story: Story) -> str:
    body = f"""<header class="qna-header"><nav><a href="/en">Home</a> <a href="/en/news">Local</a>
<a href="/en/news">Economy</a> <a href="/en/news">Sports</a></nav></header>
<main class="news-details"><h1 class="news-title">{esc(story.title)}</h1>
<div class="news-date">{story.published:%A, %d %B %Y %H:%M}</div>
<div class="news-body">
{paras(body_paragraphs(story))}
</div>
<div class="share-box"><span>{esc(QNA_SHARE)}</span> <a href="#">X</a> <a href="#">LinkedIn</a></div>
<section class="related"><h3>{esc(QNA_RELATED)}</h3>
<ul><li><a href="/en">Qatar Central Bank issues treasury bills</a></li></ul></section></main>
<footer><p>{esc(QNA_FOOTER)}</p></footer>"""
    return document("en", f"{story.title} - Qatar News Agency", og_tags(story, "QNA"), body, "news")


def peninsula(story: Story) -> str:
    when = story.published
    body = f"""<header><nav class="navbar"><a href="/">Home</a> <a href="/category/qatar">Qatar</a>
<a href="/category/business">Business</a></nav></header>
<div class="newsletter-strip">{esc(PENINSULA_NEWSLETTER)} <input type="email"></div>
<main class="container"><div class="article-title"><h1>{esc(story.title)}</h1></div>
<div class="article-info"><span class="author">{esc(story.author)}</span>
<span class="date">{when:%d %b %Y} - {when:%I:%M %p}</span></div>
<div id="article-content" class="article-content">
{paras(body_paragraphs(story))}
</div>
<p class="whatsapp-cta"><a href="#">{esc(PENINSULA_WHATSAPP)}</a></p>
<aside class="most-read"><h3>{esc(PENINSULA_MOST_READ)}</h3>
<ol><li><a href="/">Weather: mild conditions expected</a></li></ol></aside></main>
<footer><p>© The Peninsula</p></footer>"""
    return document("en", f"{story.title} | The Peninsula Qatar", og_tags(story, "The Peninsula"), body)


def gulftimes(story: Story) -> str:
    when = story.published
    body = f"""<div class="cookie-bar"><p>{esc(GULFTIMES_COOKIE)}</p><button>Accept</button></div>
<header><nav><a href="/">Home</a> <a href="/qatar">Qatar</a> <a href="/business">Business</a></nav></header>
<main><article class="story"><h1 class="story-title">{esc(story.title)}</h1>
<div class="story-meta"><span class="byline">{esc(story.author)}</span>
<span class="date">{when:%B %d, %Y} | {when:%I:%M %p}</span></div>
<div class="articleBody">
{paras(body_paragraphs(story))}
</div></article>
<aside class="related-story"><h3>{esc(GULFTIMES_RELATED)}</h3>
<a href="/">New bus routes open in Lusail</a></aside>
<p class="epaper"><a href="/epaper">{esc(GULFTIMES_EPAPER)}</a></p></main>
<footer><p>© Gulf Times</p></footer>"""
    return document("en", f"{story.title} - Gulf Times", og_tags(story, "Gulf Times"), body)


def aljazeera(story: Story) -> str:
    when = story.published
    related = "".join(f'<li><a href="/">{esc(t)}</a></li>' for t in ALJAZEERA_RELATED_TITLES)
    date_text = f"{when.day} {GULF_MONTHS[when.month - 1]} {when.year}"
    body = f"""<header class="site-header"><nav><a href="/">الرئيسية</a> <a href="/news">أخبار</a>
<a href="/ebusiness">اقتصاد</a></nav></header>
<main id="main-content-area"><header class="article-header"><h1>{esc(story.title)}</h1>
<div class="article-dates"><span class="date-simple">{date_text}</span></div>
</header>
<div class="wysiwyg wysiwyg--all-content">
{paras(body_paragraphs(story))}
</div>
<section class="more-on"><h2>{esc(ALJAZEERA_RELATED)}</h2><ul>{related}</ul></section>
<div class="article-social-follow">{esc(ALJAZEERA_FOLLOW)}</div>
<div class="newsletter-signup">{esc(ALJAZEERA_NEWSLETTER)}</div></main>
<footer><p>جميع الحقوق محفوظة © شبكة الجزيرة الإعلامية</p></footer>"""
    head = og_tags(story, "الجزيرة نت") + "\n" + news_article_ld(story, "الجزيرة نت")
    return document("ar", f"{story.title} | الجزيرة نت", head, body)


RENDERERS = {"qna": qna, "peninsula": peninsula, "gulftimes": gulftimes, "aljazeera": aljazeera}
