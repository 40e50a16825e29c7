"""Templates of the Moroccan fixture outlets: Hespress (WordPress), Le360 (Arc XP), H24info (WordPress).

Each page carries realistic chrome (menus, share widgets, comment forms, cookie banners, related
posts). The strings in ``DEBRIS`` must never end up in an extracted article body.
"""

from __future__ import annotations

from devkit.fixture_web.model import Story
from devkit.fixture_web.templates.common import (
    FR_MONTHS,
    body_paragraphs,
    document,
    esc,
    moroccan_date_text,
    news_article_ld,
    og_tags,
    paras,
)

HESPRESS_SHARE = "يمكنكم مشاركة المقال على منصتكم المفضلة"
HESPRESS_COMMENT = "اترك تعليقا"
HESPRESS_EMAIL_NOTE = "لن يتم نشر عنوان بريدك الإلكتروني."
HESPRESS_COOKIE = (
    "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك. نفترض أنك موافق على ذلك، ولكن يمكنك إلغاء "
    "الاشتراك إذا رغبت في ذلك."
)
HESPRESS_RELATED = (
    "الحكومة تصادق على مشروع مرسوم يتعلق بالإدارة الإلكترونية",
    "ارتفاع عدد السياح الوافدين على المملكة",
)
HESPRESS_FOOTER = "جميع الحقوق محفوظة © هسبريس 2026"

LE360_COOKIE = "Ce site utilise des cookies pour améliorer votre expérience de navigation."
LE360_COMMENT = "Laisser un commentaire"
LE360_EMAIL_NOTE = "Your email address will not be published."
LE360_FOOTER = "© Le360 – Tous droits réservés"

H24_SHARE = "Partagez cet article sur vos réseaux"
H24_RELATED = "Articles similaires"
H24_NEWSLETTER = "Inscrivez-vous à notre newsletter"

DEBRIS: dict[str, tuple[str, ...]] = {
    "hespress": (
        HESPRESS_SHARE,
        HESPRESS_COMMENT,
        HESPRESS_EMAIL_NOTE,
        "ملفات تعريف الارتباط",
        "قبول قراءة المزيد",
        "اقرأ أيضا",
        HESPRESS_FOOTER,
        *HESPRESS_RELATED,
    ),
    "le360": (LE360_COOKIE, LE360_COMMENT, LE360_EMAIL_NOTE, "Facebook", "WhatsApp", LE360_FOOTER),
    "h24info": (H24_SHARE, H24_RELATED, H24_NEWSLETTER, "Laisser une réponse"),
}


def _hespress_nav() -> str:
    items = ("الرئيسية", "سياسة", "مجتمع", "رياضة", "فن وثقافة", "كتاب وآراء")
    links = "".join(f'<li class="menu-item"><a href="/">{esc(i)}</a></li>' for i in items)
    return f'<header class="site-header"><nav class="main-menu"><ul>{links}</ul></nav></header>'


def hespress(story: Story) -> str:
    # The heat-wave article states its date only as visible text: no datetime attribute, no meta.
    attr = f' datetime="{story.published.isoformat()}"' if story.date_in_page == "meta" else ""
    related = "".join(f'<li><a href="/">{esc(t)}</a></li>' for t in HESPRESS_RELATED)
    body = f"""{_hespress_nav()}
<div id="cookie-notice" class="cookie-banner" role="dialog"><p>{esc(HESPRESS_COOKIE)}
<button class="cn-accept">قبول</button> <a class="cn-more" href="/privacy">قراءة المزيد</a></p></div>
<main id="main" class="site-main"><article class="post type-post single">
<h1 class="post-title">{esc(story.title)}</h1>
<div class="post-meta"><span class="author"><a href="/author/">{esc(story.author)}</a></span>
<time class="date-post"{attr}>{esc(moroccan_date_text(story.published))}</time></div>
<div class="article-content">
{paras(body_paragraphs(story))}
</div>
<div class="share-post"><p>{esc(HESPRESS_SHARE)}</p>
<a class="share-btn facebook" href="#">فيسبوك</a> <a class="share-btn twitter" href="#">تويتر</a>
<a class="share-btn whatsapp" href="#">واتساب</a></div>
</article>
<section class="related-posts"><h3>اقرأ أيضا</h3><ul>{related}</ul></section>
<div id="respond" class="comment-respond"><h3 id="reply-title">{esc(HESPRESS_COMMENT)}</h3>
<form id="commentform" class="comment-form" method="post" action="/wp-comments-post.php">
<p class="comment-notes">{esc(HESPRESS_EMAIL_NOTE)}</p>
<p><label for="comment">التعليق</label><textarea id="comment" name="comment"></textarea></p>
<p><label for="author">الاسم</label><input id="author" name="author" type="text"></p>
<p><label for="email">البريد الإلكتروني</label><input id="email" name="email" type="email"></p>
<p><input type="submit" value="إرسال التعليق"></p></form></div>
</main>
<footer class="site-footer"><ul><li><a href="/">من نحن</a></li><li><a href="/">اتصل بنا</a></li></ul>
<p>{esc(HESPRESS_FOOTER)}</p></footer>"""
    return document("ar", f"{story.title} | هسبريس", og_tags(story, "هسبريس"), body, "single-post")


def hespress_private(title: str, text: str) -> str:
    body = f'{_hespress_nav()}<main><h1 class="post-title">{esc(title)}</h1><p>{esc(text)}</p></main>'
    return document("ar", title, '<meta name="robots" content="noindex">', body)


def _le360_chrome_head() -> str:
    nav = "".join(f'<a href="/">{s}</a>' for s in ("Politique", "Economie", "Société", "Monde", "Sports"))
    return f'<header class="c-header"><nav class="c-nav">{nav}</nav></header>'


def le360(story: Story) -> str:
    when = story.published
    body = f"""{_le360_chrome_head()}
<div id="cookie-consent" class="c-cookie-banner"><p>{esc(LE360_COOKIE)}</p>
<button>Accepter</button> <button>Paramétrer</button></div>
<main><article class="c-article">
<h1 class="c-heading">{esc(story.title)}</h1>
<div class="c-byline"><span class="c-author">Par {esc(story.author)}</span>
<time class="c-date">Le {when:%d/%m/%Y} à {when:%H}h{when:%M}</time></div>
<div class="c-share"><span>Partager</span> <a href="#">Facebook</a> <a href="#">Twitter</a>
<a href="#">WhatsApp</a></div>
<div class="c-article-body">
{paras(body_paragraphs(story))}
</div>
<section class="c-comments"><h3>{esc(LE360_COMMENT)}</h3>
<form class="comment-form"><p>{esc(LE360_EMAIL_NOTE)}</p>
<textarea name="comment"></textarea><input name="author" placeholder="Nom">
<input name="email" placeholder="Email">
<button type="submit">Publier</button></form></section>
</article></main>
<footer class="c-footer"><p>{esc(LE360_FOOTER)}</p></footer>"""
    head = og_tags(story, "Le360") + "\n" + news_article_ld(story, "Le360")
    return document("fr", f"{story.title} – Le360", head, body, "c-page")


def le360_video(title: str, line: str) -> str:
    # Deliberately almost empty: a video player, a title, one line. Extraction must find no text.
    body = (
        f'{_le360_chrome_head()}<main><h1 class="c-heading">{esc(title)}</h1>'
        f'<div class="c-video-player" data-video-id="7QWERTYZ"></div><p>{esc(line)}</p></main>'
    )
    return document("fr", title, '<meta property="og:type" content="video.other">', body)


def h24info(story: Story) -> str:
    when = story.published
    date_text = f"{when.day} {FR_MONTHS[when.month - 1]} {when.year}"
    body = f"""<header id="masthead"><nav class="menu"><a href="/">Accueil</a> <a href="/maroc/">Maroc</a>
<a href="/monde/">Monde</a> <a href="/sport/">Sport</a></nav></header>
<main id="primary"><article class="post type-post">
<h1 class="entry-title">{esc(story.title)}</h1>
<div class="entry-meta"><span class="byline">{esc(story.author)}</span>
<time class="entry-date published" datetime="{when.isoformat()}">{esc(date_text)}</time></div>
<div class="entry-content">
{paras(body_paragraphs(story))}
</div>
<div class="sharedaddy"><h3>{esc(H24_SHARE)}</h3><a href="#">Facebook</a> <a href="#">X</a></div>
</article>
<section class="related"><h3>{esc(H24_RELATED)}</h3>
<ul><li><a href="/">Le Maroc en bref</a></li></ul></section>
<div id="respond"><h3>Laisser une réponse</h3><form><textarea name="comment"></textarea></form></div>
</main>
<aside class="widget"><h3>{esc(H24_NEWSLETTER)}</h3><input type="email"></aside>
<footer><p>© H24info</p></footer>"""
    return document("fr", f"{story.title} - H24info", og_tags(story, "H24info"), body, "single")


RENDERERS = {"hespress": hespress, "le360": le360, "h24info": h24info}
