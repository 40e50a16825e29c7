"""process_page on the two seed articles wrapped in outlet-like templates, debris as markup.

The templates imitate what real outlets serve: WordPress + Yoast @graph, an Arc XP story page,
an old '/rssFeed/N' CMS with <br>-separated text, and a teaser page whose full text is only in
JSON-LD. The seeds' own trailing debris lines are kept as text too, since some CMSs paste them
into the body.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nashra.core.model import Article, RawPage, Rejection
from tests.support import StubOutlet as Outlet
from transforms.article import process_page

SEEDS = Path(os.environ.get("NASHRA_SEEDS_DIR") or Path(__file__).resolve().parents[3] / "shared" / "seeds")
NOW = datetime(2026, 2, 3, 12, 0, tzinfo=UTC)

FR_KEY_SENTENCES = (
    "Dimanche à Doha, Amal El Fallah Seghrouchni",
    "Réseau national des instituts « Jazari »",
    "les discussions globales sur le futur de l’économie digitale.",
)
AR_KEY_SENTENCES = (
    "في سياق مشاركته في فعاليات Web Summit قطر 2026",
    "أمل الفلاح السغروشني",
    "وترسيخ الشراكات التكنولوجية كرافعة للتنمية وتحديث الإدارة.",
)
DEBRIS = (
    "Laisser un commentaire",
    "Your email address will not be published",
    "Votre adresse e-mail ne sera pas publiée",
    "يمكنكم مشاركة المقال",
    "اترك تعليقا",
    "ملفات تعريف الارتباط",
    "قبول",
    "قراءة المزيد",
    "Partager",
    "Accepter",
    "Ce site utilise des cookies",
    "Lire aussi",
    "اقرأ أيضا",
    "Nom *",
    "Enregistrer mon nom",
)


MA_FR = Outlet("fr_ma_site", "MA", ("fr",), "Africa/Casablanca", ("lesite.ma",))
MA_AR = Outlet("ar_ma_site", "MA", ("ar",), "Africa/Casablanca", ("almawqi3.ma",))
QA_AR = Outlet("ar_qa_site", "QA", ("ar",), "Asia/Qatar", ("qatar-news.qa",))


@dataclass(frozen=True)
class Seed:
    title: str
    paragraphs: list[str]  # article paragraphs, without the title line(s) and the trailing debris
    debris: list[str]  # the seed's trailing lines


def load_seed(prefix: str) -> Seed:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line and line != "\u00a0"]
    title = lines[0]
    body = [line for line in lines[1:] if line != title]
    # The seeds end with furniture lines; they are all short, the article paragraphs are not.
    cut = max(i for i, line in enumerate(body) if len(line) > 200) + 1
    return Seed(title, body[:cut], body[cut:])


@pytest.fixture(scope="module")
def fr() -> Seed:
    return load_seed("000")


@pytest.fixture(scope="module")
def ar() -> Seed:
    return load_seed("002")


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def wordpress_page(seed: Seed, *, lang: str, url: str, published: str) -> str:
    """WordPress + Yoast: @graph with @id references, Jetpack share, comment form, cookie banner."""
    site = url.split("/")[2]
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "@id": url + "#article",
                "headline": seed.title,
                "datePublished": published,
                "dateModified": published,
                "author": {"@id": f"https://{site}/#/schema/person/1"},
                "articleSection": ["Economie"],
                "keywords": ["Maroc", "Qatar"],
                "image": {"@id": url + "#primaryimage"},
                "inLanguage": lang,
            },
            {"@type": "Person", "@id": f"https://{site}/#/schema/person/1", "name": "Rédaction"},
            {"@type": "ImageObject", "@id": url + "#primaryimage", "url": f"https://{site}/img/a.jpg"},
        ],
    }
    paragraphs = "\n".join(f"<p>{esc(p)}</p>" for p in seed.paragraphs)
    debris_lines = "".join(f"<p>{esc(d)}</p>" for d in seed.debris)
    return f"""<!DOCTYPE html>
<html lang="{lang}-MA" dir="{"rtl" if lang == "ar" else "ltr"}"><head>
<meta charset="UTF-8"><title>{esc(seed.title)} | Le Site</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{esc(seed.title)}"><meta property="og:site_name" content="Le Site">
<meta property="og:url" content="{url}"><meta property="article:published_time" content="{published}">
{ld(graph)}
</head><body class="post-template-default single single-post">
<header id="masthead"><nav class="main-navigation"><ul><li><a href="/">Accueil</a></li>
<li><a href="/economie">Economie</a></li><li><a href="/politique">Politique</a></li></ul></nav></header>
<div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-123" class="post-123 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{esc(seed.title)}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{published}">
1 février 2026</time></span> <span class="byline">par <a href="/author/redaction">Rédaction</a></span></div>
</header>
<div class="entry-content">
<p><strong>{esc(seed.title)}</strong></p>
{paragraphs}
<div class="sharedaddy sd-sharing-enabled"><h3 class="sd-title">Partager :</h3><ul>
<li><a class="share-facebook">Facebook</a></li><li><a class="share-twitter">X</a></li>
<li><a class="share-jetpack-whatsapp">WhatsApp</a></li></ul></div>
<div id="jp-relatedposts" class="jp-relatedposts"><h3>Lire aussi</h3>
<p><a href="/autre">Un autre article sur le numérique au Maroc et ses perspectives</a></p></div>
</div>
<footer class="entry-footer"><span class="tags-links">Maroc, Qatar</span></footer>
</article>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">Laisser un commentaire</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes"><span id="email-notes">Your email address will not be published.</span>
Les champs obligatoires sont indiqués avec *</p>
<p class="comment-form-comment"><label for="comment">Commentaire *</label>
<textarea id="comment"></textarea></p>
<p class="comment-form-author"><label for="author">Nom *</label><input id="author"></p>
<p class="comment-form-cookies-consent"><input type="checkbox"><label>Enregistrer mon nom, mon e-mail et mon
site dans le navigateur pour mon prochain commentaire.</label></p>
<p class="form-submit"><input type="submit" value="Laisser un commentaire"></p></form></div></div>
</main></div>
<aside id="secondary" class="widget-area"><section class="widget"><h2>Articles récents</h2><ul>
<li><a href="/a">Le Maroc accueille un forum sur l’IA</a></li>
<li><a href="/b">Web Summit Qatar : le programme</a></li>
</ul></section></aside>
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden"><div class="cookie-notice-container">
<span id="cn-notice-text">{esc(seed.debris[-1] if lang == "ar" else "Ce site utilise des cookies.")}</span>
<a id="cn-accept-cookie" class="cn-button">Accepter</a></div></div>
<footer id="colophon"><p>© 2026 Le Site. Tous droits réservés.</p></footer>
<!-- the seed's furniture lines as a theme would print them below the post -->
<div class="post-after">{debris_lines}</div>
</body></html>"""


def arc_page(seed: Seed, *, url: str, published: str) -> str:
    """Arc XP story page: Fusion markup, NewsArticle JSON-LD, share bar and consent banner."""
    paragraphs = "\n".join(
        f'<p class="c-paragraph b-article-body__paragraph" data-type="text">{esc(p)}</p>'
        for p in seed.paragraphs
    )
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": seed.title,
        "datePublished": published,
        "author": [{"@type": "Person", "name": "هيئة التحرير"}, "وكالة الأنباء"],
        "articleSection": "اقتصاد",
        "keywords": "المغرب, قطر, الذكاء الاصطناعي",
        "image": [f"https://{url.split('/')[2]}/resizer/a.jpg"],
        "mainEntityOfPage": url,
    }
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>{esc(seed.title)}</title><meta property="og:url" content="{url}?utm_source=twitter">
{ld(data)}</head><body><div id="fusion-app"><div class="b-right-rail-advanced">
<header class="c-stack b-header-nav-chain"><a href="/">الرئيسية</a><a href="/economy">اقتصاد</a></header>
<div class="c-stack b-share-bar"><button>مشاركة</button><a>فيسبوك</a><a>تويتر</a><a>واتساب</a></div>
<article class="b-article-body">
<h1 class="c-heading b-headline">{esc(seed.title)}</h1>
<div class="b-date"><time datetime="{published}">الأحد 1 فبراير 2026 - 10:05</time></div>
{paragraphs}
<p class="c-paragraph">{esc(seed.debris[0])}</p>
</article>
<section class="b-comments"><h3>{esc(seed.debris[1])}</h3>
<form><textarea></textarea><p>لن يتم نشر عنوان بريدك الإلكتروني.</p><button>إرسال التعليق</button></form>
</section>
<div class="b-related"><h2>اقرأ أيضا</h2>
<a href="/x">قطر والمغرب يوقعان اتفاقية جديدة في مجال الطاقة المتجددة</a></div>
</div></div>
<div class="cmp-consent-banner"><p>{esc(seed.debris[2])}</p></div>
</body></html>"""


def rssfeed_cms_page(seed: Seed, *, date_text: str) -> str:
    """Old '/rssFeed/N' CMS: no JSON-LD, <br>-separated text, debris pasted as text lines."""
    text = "<br><br>\n".join(esc(p) for p in [seed.title, *seed.paragraphs, *seed.debris])
    return f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc(seed.title)}</title></head><body><table width="100%"><tr><td class="menu">
<a href="/rssFeed/1">Accueil</a> | <a href="/rssFeed/2">National</a></td></tr>
<tr><td><h2 class="titre">{esc(seed.title)}</h2><span class="date-article">{esc(date_text)}</span>
<div class="texte-article">{text}</div></td></tr>
<tr><td class="footer">Tous droits réservés</td></tr></table></body></html>"""


def teaser_page(seed: Seed, *, url: str, published: str) -> str:
    """Only the lead paragraph is in the markup; the full text is in JSON-LD articleBody."""
    data = {
        "@context": "https://schema.org",
        "@type": ["ReportageNewsArticle"],
        "headline": seed.title,
        "articleBody": "\n\n".join(seed.paragraphs),
        "datePublished": published,
        "author": "Par Rédaction",
    }
    return f"""<html lang="fr"><head><title>{esc(seed.title)}</title><link rel="canonical" href="{url}">
{ld([{"@type": "WebSite", "name": "x"}, data])}</head><body><article><h1>{esc(seed.title)}</h1>
<p>{esc(seed.paragraphs[0])}</p><p><a href="/abonnement">Lire la suite</a></p></article></body></html>"""


def make_page(
    html_text: str | bytes,
    url: str,
    outlet: Outlet,
    *,
    status: int = 200,
    content_type: str | None = "text/html; charset=UTF-8",
    final_url: str | None = None,
    listing: dict[str, str] | None = None,
) -> RawPage:
    body = html_text.encode("utf-8") if isinstance(html_text, str) else html_text
    return RawPage(
        outlet_id=outlet.id,
        url=url,
        final_url=final_url or url,
        status=status,
        headers={"content-type": content_type} if content_type else {},
        body=body,
        fetched_at=NOW,
        batch_id="b1",
        discovery="feed",
        listing=listing or {},
    )


def assert_clean_article(result: Article | Rejection, seed: Seed, keys: tuple[str, ...]) -> Article:
    assert isinstance(result, Article), result
    body = result.body or ""
    for sentence in keys:
        assert sentence in body
    for junk in DEBRIS:
        assert junk not in body, junk
    assert not body.startswith(seed.title)
    assert body.count(seed.title) == 0
    assert result.title == seed.title
    assert result.word_count > 200
    return result


def test_wordpress_french(fr: Seed) -> None:
    url = "https://www.lesite.ma/economie/maroc-qatar-numerique/"
    page = make_page(
        wordpress_page(fr, lang="fr", url=url, published="2026-02-01T10:05:00+01:00"), url, MA_FR
    )
    art = assert_clean_article(process_page(page, MA_FR, now=NOW), fr, FR_KEY_SENTENCES)
    assert art.language == "fr"
    assert art.published_at == datetime(2026, 2, 1, 9, 5, tzinfo=UTC)
    assert art.authors == ["Rédaction"]
    assert art.section == "Economie"
    assert art.tags == ["Maroc", "Qatar"]
    assert art.image_url == "https://www.lesite.ma/img/a.jpg"
    assert art.canonical_url == url
    assert art.country == "MA" and art.outlet_id == "fr_ma_site"


def test_wordpress_arabic(ar: Seed) -> None:
    url = "https://almawqi3.ma/2026/02/01/maghrib-qatar"
    page = make_page(
        wordpress_page(ar, lang="ar", url=url, published="2026-02-01T10:05:00+01:00"), url, MA_AR
    )
    art = assert_clean_article(process_page(page, MA_AR, now=NOW), ar, AR_KEY_SENTENCES)
    assert art.language == "ar"
    assert art.dialect is None  # MSA
    assert art.to_row()["dialect"] is None


def test_a_darija_article_is_marked_ary() -> None:
    darija = Seed(
        "واش غادي يزيدو فثمن الخبز؟ المهنيين كيقولو بلي الدقيق غلا بزاف",
        [
            'قال واحد الفران فحي سيدي مومن للموقع: "حنا ما بغيناش نزيدو فالثمن، ولكن الدقيق والغاز طلعو '
            'بزاف هاد الشهور، وما بقاش عندنا الربح اللي كان قبل. إلا بقات الحالة هكا غادي نسدو."',
            'وزاد: "الناس كيشكيو من الغلا وعندهم الحق، ولكن حتى حنا كنخلصو الكرا والخدامة والضو، '
            'وكلشي ولا غالي. خاص الحكومة تشوف من حالنا قبل ما يطيح القطاع كامل."',
            'من جهتها، قالت واحد السيدة كانت كتشري الخبز: "هاد الشي ما بقاش معقول، كل سيمانة كنلقاو '
            'شي حاجة طلعات. الله يكون فعون الدراري الصغار اللي ما عندهمش باش يعيشو."',
        ],
        ["اترك تعليقا"],  # the furniture line the template prints after the post
    )
    url = "https://almawqi3.ma/2026/02/01/khobz"
    page = make_page(
        wordpress_page(darija, lang="ar", url=url, published="2026-02-01T10:05:00+01:00"), url, MA_AR
    )
    art = process_page(page, MA_AR, now=NOW)
    assert isinstance(art, Article)
    assert art.language == "ar" and art.dialect == "ary"


def test_arc_arabic(ar: Seed) -> None:
    url = "https://www.qatar-news.qa/economy/2026/02/01/morocco-qatar-digital/"
    page = make_page(arc_page(ar, url=url, published="2026-02-01T10:05:00+03:00"), url, QA_AR)
    art = assert_clean_article(process_page(page, QA_AR, now=NOW), ar, AR_KEY_SENTENCES)
    assert art.language == "ar"
    assert art.published_at == datetime(2026, 2, 1, 7, 5, tzinfo=UTC)
    assert art.authors == ["هيئة التحرير", "وكالة الأنباء"]
    assert art.section == "اقتصاد"
    assert art.tags == ["المغرب", "قطر", "الذكاء الاصطناعي"]
    # og:url carries a tracker; the canonical drops it.
    assert art.canonical_url == url


def test_same_text_in_two_templates_hashes_the_same(ar: Seed) -> None:
    url_a = "https://almawqi3.ma/2026/02/01/maghrib-qatar"
    url_b = "https://www.qatar-news.qa/economy/2026/02/01/morocco-qatar-digital/"
    a = process_page(
        make_page(wordpress_page(ar, lang="ar", url=url_a, published="2026-02-01"), url_a, MA_AR),
        MA_AR,
        now=NOW,
    )
    b = process_page(make_page(arc_page(ar, url=url_b, published="2026-02-01"), url_b, QA_AR), QA_AR, now=NOW)
    assert isinstance(a, Article) and isinstance(b, Article)
    assert a.content_hash == b.content_hash
    assert a.article_id != b.article_id


def test_rssfeed_cms_with_hints_and_visible_french_date(fr: Seed) -> None:
    outlet = Outlet(
        "fr_ma_rss",
        "MA",
        ("fr",),
        "Africa/Casablanca",
        ("lesite.ma",),
        {"body_selector": "div.texte-article", "date_text_selector": "span.date-article"},
    )
    url = "http://lesite.ma/rssFeed/2/12345"
    page = make_page(rssfeed_cms_page(fr, date_text="Le 07/04/2025 à 12h18"), url, outlet)
    art = assert_clean_article(process_page(page, outlet, now=NOW), fr, FR_KEY_SENTENCES)
    assert art.published_at == datetime(2025, 4, 7, 11, 18, tzinfo=UTC)
    assert art.language == "fr"
    assert art.canonical_url == url


def test_rssfeed_cms_without_hints_uses_trafilatura(ar: Seed) -> None:
    url = "https://almawqi3.ma/rssFeed/7/998"
    page = make_page(rssfeed_cms_page(ar, date_text="الأحد 24 غشت 2025 - 14:30"), url, MA_AR)
    art = assert_clean_article(process_page(page, MA_AR, now=NOW), ar, AR_KEY_SENTENCES)
    assert art.published_at == datetime(2025, 8, 24, 13, 30, tzinfo=UTC)
    assert art.language == "ar"


def test_teaser_page_takes_jsonld_body(fr: Seed) -> None:
    url = "https://lesite.ma/a/1"
    page = make_page(teaser_page(fr, url=url + "?utm_medium=x", published="2026-02-01T10:05:00Z"), url, MA_FR)
    art = assert_clean_article(process_page(page, MA_FR, now=NOW), fr, FR_KEY_SENTENCES)
    assert art.authors == ["Rédaction"]
    assert art.published_at == datetime(2026, 2, 1, 10, 5, tzinfo=UTC)


def test_listing_date_is_the_last_resort(fr: Seed) -> None:
    url = "https://lesite.ma/rssFeed/2/1"
    body = rssfeed_cms_page(fr, date_text="")
    page = make_page(body, url, MA_FR, listing={"published": "Sun, 01 Feb 2026 10:05:00 +0100"})
    art = process_page(page, MA_FR, now=NOW)
    assert isinstance(art, Article)
    assert art.published_at == datetime(2026, 2, 1, 9, 5, tzinfo=UTC)


def test_off_site_canonical_is_ignored(fr: Seed) -> None:
    url = "https://lesite.ma/a/2"
    page_html = teaser_page(fr, url="https://aggregator.example.com/copy/2", published="2026-02-01")
    art = process_page(make_page(page_html, url, MA_FR), MA_FR, now=NOW)
    assert isinstance(art, Article)
    assert art.canonical_url == url


def test_windows_1256_page_declared_in_meta(ar: Seed) -> None:
    url = "https://almawqi3.ma/old/1"
    page_html = rssfeed_cms_page(ar, date_text="2025/08/24").replace("charset=utf-8", "charset=windows-1256")
    page = make_page(page_html.encode("cp1256", errors="replace"), url, MA_AR, content_type="text/html")
    art = process_page(page, MA_AR, now=NOW)
    assert isinstance(art, Article)
    assert AR_KEY_SENTENCES[1] in (art.body or "")


def test_windows_1256_page_mislabelled_as_utf8(ar: Seed) -> None:
    url = "https://almawqi3.ma/old/2"
    page_html = rssfeed_cms_page(ar, date_text="2025/08/24")
    page = make_page(page_html.encode("cp1256", errors="replace"), url, MA_AR)  # header says UTF-8
    art = process_page(page, MA_AR, now=NOW)
    assert isinstance(art, Article)
    assert AR_KEY_SENTENCES[1] in (art.body or "")


@pytest.mark.parametrize(
    ("kwargs", "body", "reason"),
    [
        ({"status": 404}, b"<html><body>Not found</body></html>", "http_status"),
        ({"status": 503}, b"", "http_status"),
        ({"content_type": "application/pdf"}, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3 binary", "not_html"),
        ({}, b"%PDF-1.4 mislabelled as html", "not_html"),
        ({"content_type": "application/json"}, b'{"a": 1}', "not_html"),
        ({}, b"", "empty_page"),
        ({}, b"   \n\t ", "empty_page"),
        ({}, b"<html><head><title>x</title></head><body></body></html>", "empty_page"),
        ({}, bytes(range(256)) * 40, "decode_error"),
        ({}, b"<html><body><p>" + bytes(range(128, 256)) * 40, "decode_error"),
        ({"final_url": "https://elsewhere.example.org/landing"}, b"<html></html>", "off_domain"),
        ({}, b"<html><body><nav>Accueil | Sport</nav><p>Vid\xc3\xa9o</p></body></html>", "no_main_text"),
        ({}, b"<html><body>" + b"<p>x</p>" * (800 * 1024) + b"</body></html>", "too_large"),
    ],
)
def test_rejection_reasons(kwargs: dict[str, object], body: bytes, reason: str) -> None:
    page = make_page(body, "https://lesite.ma/a/3", MA_FR, **kwargs)  # type: ignore[arg-type]
    result = process_page(page, MA_FR, now=NOW)
    assert isinstance(result, Rejection)
    assert result.reasons == [reason]
    assert result.stage == "extract"
    assert result.page_id == page.page_id


def _png_data_uri(size: int) -> str:
    """A `data:image/png;base64,...` URI of about `size` characters: a PNG signature and IHDR, then
    incompressible bytes (what a photo's pixels look like to the regex)."""
    import base64
    import zlib

    ihdr = b"IHDR" + (1024).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    head = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + ihdr + zlib.crc32(ihdr).to_bytes(4, "big")
    return "data:image/png;base64," + base64.b64encode(head + os.urandom(size * 3 // 4)).decode()


def _string_fields(article: Article) -> str:
    """Every text the stored row holds, as one string."""
    values = [v for v in vars(article).values() if isinstance(v, str)]
    values += [x for v in vars(article).values() if isinstance(v, list) for x in v if isinstance(x, str)]
    return "\n".join(values)


def test_a_page_heavy_only_with_an_inline_image_is_an_article(fr: Seed) -> None:
    """5.6 MB: the French seed article plus a 4 MB base64 PNG in the page (and a CSS one). The
    cap counts the page without its inline payloads; no base64 reaches any field of the row."""
    url = "https://www.lesite.ma/economie/maroc-qatar-numerique/"
    page_html = wordpress_page(fr, lang="fr", url=url, published="2026-02-01T10:05:00+01:00")
    png = _png_data_uri(4 * 1024 * 1024)
    inline = (
        f'<figure><img src="{png}" alt="photo"></figure><div style="background:url({png[:600_000]})"></div>'
    )
    page_html = page_html.replace("<article", inline + "<article", 1)
    page_html = page_html.replace("</body>", "<!--" + "x" * 900_000 + "--></body>")
    page = make_page(page_html, url, MA_FR)
    assert len(page.body) > 5.4 * 1024 * 1024  # over the 5 MiB cap as fetched
    art = assert_clean_article(process_page(page, MA_FR, now=NOW), fr, FR_KEY_SENTENCES)
    assert art.body.split("\n\n") == [" ".join(p.split()) for p in fr.paragraphs]  # the text, whole
    row = _string_fields(art)
    assert "iVBORw0KGgo" not in row and png[30:94] not in row and "base64" not in row
    assert art.image_url == "https://www.lesite.ma/img/a.jpg"  # the JSON-LD image, a real URL


@pytest.mark.parametrize(
    ("jsonld_image", "og_images", "expected"),
    [
        # An inline JSON-LD image gives way to og:image, an inline og:image to twitter:image.
        ("INLINE", ["INLINE", "https://www.lesite.ma/img/tw.jpg"], "https://www.lesite.ma/img/tw.jpg"),
        (["INLINE", "https://www.lesite.ma/img/2.jpg"], ["INLINE"], "https://www.lesite.ma/img/2.jpg"),
        ("INLINE", ["INLINE"], None),  # no real image at all: null, never the payload
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", [], None),  # short (kept in the page): still not a URL
    ],
)
def test_an_inline_image_is_never_the_image_url(
    fr: Seed, jsonld_image: str | list[str], og_images: list[str], expected: str | None
) -> None:
    url = "https://www.lesite.ma/economie/maroc-qatar-numerique/"
    png = _png_data_uri(300_000)
    page_html = wordpress_page(fr, lang="fr", url=url, published="2026-02-01T10:05:00+01:00")
    image = (
        [png if i == "INLINE" else i for i in jsonld_image]
        if isinstance(jsonld_image, list)
        else jsonld_image
    )
    page_html = page_html.replace(
        '"https://www.lesite.ma/img/a.jpg"', json.dumps(png if image == "INLINE" else image)
    )
    metas = "".join(
        f'<meta {"property" if i == 0 else "name"}="{"og:image" if i == 0 else "twitter:image"}" '
        f'content="{png if v == "INLINE" else v}">'
        for i, v in enumerate(og_images)
    )
    page_html = page_html.replace("</head>", metas + "</head>", 1)
    art = assert_clean_article(
        process_page(make_page(page_html, url, MA_FR), MA_FR, now=NOW), fr, FR_KEY_SENTENCES
    )
    assert art.image_url == expected
    assert "base64" not in _string_fields(art)


def test_a_page_of_20_mb_of_text_is_still_too_large() -> None:
    body = b"<html><body>" + b"<p>Un paragraphe de texte.</p>" * (700 * 1024) + b"</body></html>"
    assert len(body) > 20 * 1024 * 1024
    result = process_page(make_page(body, "https://lesite.ma/a/4", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["too_large"]


def test_a_page_of_6_mb_of_text_and_an_inline_image_is_too_large(fr: Seed) -> None:
    """Inline data is not counted, the rest is: 6 MB of text is over the cap with or without it."""
    text = "".join(f"<p>{esc(p)}</p>" for p in fr.paragraphs) * 1500
    body = f'<html><body><img src="{_png_data_uri(1024 * 1024)}">{text}</body></html>'.encode()
    assert len(body) - 1024 * 1024 > 5.5 * 1024 * 1024
    result = process_page(make_page(body, "https://lesite.ma/a/6", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["too_large"]
    assert "without inline data" in result.detail


def test_a_page_over_the_ceiling_is_too_large_whatever_it_inlines(fr: Seed) -> None:
    """21 MB as fetched, of which 20 MB inline image: refused before any scan (the crawl's
    DOWNLOAD_MAXSIZE, the same ceiling, refuses it before download)."""
    from nashra.core.model import MAX_PAGE_BYTES
    from spiders.settings import DOWNLOAD_MAXSIZE, DOWNLOAD_WARNSIZE

    assert DOWNLOAD_MAXSIZE == MAX_PAGE_BYTES and DOWNLOAD_WARNSIZE > 6 * 1024 * 1024
    text = "".join(f"<p>{esc(p)}</p>" for p in fr.paragraphs)
    body = f'<html><body><img src="{_png_data_uri(MAX_PAGE_BYTES)}">{text}</body></html>'.encode()
    result = process_page(make_page(body, "https://lesite.ma/a/5", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["too_large"]
    assert f"Body of {len(body)} bytes as fetched" in result.detail


def test_inline_data_stripping_copies_nothing_without_data_and_any_case_with_it(fr: Seed) -> None:
    from transforms.article import without_inline_data

    page = wordpress_page(fr, lang="fr", url="https://lesite.ma/a/7", published="2026-02-01T10:05:00+01:00")
    body = page.encode()
    assert without_inline_data(body) is body  # the common page: not copied
    payload = _png_data_uri(4096).split(",", 1)[1]
    for scheme in ("data:image/png;base64,", "DATA:image/PNG;base64,", "Data:;base64,", "data:,"):
        inlined = body.replace(b"<article", f'<img src="{scheme}{payload}"><article'.encode(), 1)
        stripped = without_inline_data(inlined)
        assert stripped == body.replace(b"<article", f'<img src="{scheme}"><article'.encode(), 1), scheme
    short = body.replace(b"<article", b'<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><article', 1)
    assert without_inline_data(short) == short  # an icon-sized payload is left alone


def test_unexpected_failure_becomes_extract_error() -> None:
    class Broken(Outlet):
        def allows_url(self, url: str) -> bool:
            raise RuntimeError("registry exploded")

    outlet = Broken("x", "MA", ("fr",), "Africa/Casablanca", ("lesite.ma",))
    result = process_page(make_page(b"<html></html>", "https://lesite.ma/", outlet), outlet, now=NOW)
    assert isinstance(result, Rejection)
    assert result.reasons == ["extract_error"]
    assert "registry exploded" in result.detail


def test_bad_hint_selectors_fall_back_to_generic_extraction(fr: Seed) -> None:
    outlet = Outlet(
        "fr_ma_bad",
        "MA",
        ("fr",),
        "Africa/Casablanca",
        ("lesite.ma",),
        {"body_selector": "div[", "date_text_selector": "::nope", "title_selector": "h9.none"},
    )
    url = "https://lesite.ma/rssFeed/2/77"
    page = make_page(rssfeed_cms_page(fr, date_text="Le 07/04/2025 à 12h18"), url, outlet)
    art = assert_clean_article(process_page(page, outlet, now=NOW), fr, FR_KEY_SENTENCES)
    assert art.published_at == datetime(2025, 4, 7, 11, 18, tzinfo=UTC)


def test_title_selector_hint_wins(fr: Seed) -> None:
    outlet = Outlet("t", "MA", ("fr",), "Africa/Casablanca", ("lesite.ma",), {"title_selector": "h2.titre"})
    page_html = rssfeed_cms_page(fr, date_text="").replace("<title>", "<title>Le Site | ")
    art = process_page(make_page(page_html, "https://lesite.ma/r/1", outlet), outlet, now=NOW)
    assert isinstance(art, Article) and art.title == fr.title


def test_source_line_breaks_inside_paragraphs_do_not_split_them(fr: Seed) -> None:
    outlet = Outlet("w", "MA", ("fr",), "Africa/Casablanca", ("lesite.ma",), {"body_selector": "div.txt"})
    wrapped = "".join("<p>" + esc(p).replace(" ", "\n", 3) + "</p>\n" for p in fr.paragraphs)
    page_html = f"<html><body><h1>{esc(fr.title)}</h1><div class='txt'>{wrapped}</div></body></html>"
    art = process_page(make_page(page_html, "https://lesite.ma/w/1", outlet), outlet, now=NOW)
    assert isinstance(art, Article)
    # NBSPs become plain spaces in the body
    assert (art.body or "").split("\n\n") == [" ".join(p.split()) for p in fr.paragraphs]


def test_page_wrapped_in_one_form_keeps_its_text(fr: Seed) -> None:
    """ASP.NET/SharePoint sites (news agencies) wrap the whole page in <form id="aspnetForm">."""
    paragraphs = "".join(f"<p>{esc(p)}</p>" for p in fr.paragraphs)
    page_html = (
        f'<html><body><form id="aspnetForm" method="post"><div class="ms-rtestate-field">'
        f"<h1>{esc(fr.title)}</h1>{paragraphs}</div></form></body></html>"
    )
    art = process_page(make_page(page_html, "https://lesite.ma/Pages/1.aspx", MA_FR), MA_FR, now=NOW)
    assert_clean_article(art, fr, FR_KEY_SENTENCES)


def test_malformed_raw_page_is_an_extract_error() -> None:
    page = make_page(b"<html></html>", "https://lesite.ma/x", MA_FR)
    broken = RawPage(**{**page.__dict__, "body": None})  # type: ignore[arg-type]
    result = process_page(broken, MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["extract_error"]
    assert "TypeError" in result.detail


def test_twenty_megabyte_page_is_quarantined_not_parsed() -> None:
    body = b"<html><body>" + b"<p>" + b"a" * (20 * 1024 * 1024) + b"</p></body></html>"
    result = process_page(make_page(body, "https://lesite.ma/huge", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["too_large"]


@pytest.mark.parametrize(
    "script",
    [
        '{"@type": "NewsArticle", "headline": "x", "articleBody": ',  # truncated
        '{"@type": ["NewsArticle"], "author": {"@id": 5}, "image": [[{}]], "datePublished": 20260201}',
        '[1, 2, null, {"@graph": "not a list"}]',
    ],
)
def test_broken_json_ld_never_stops_the_page(fr: Seed, script: str) -> None:
    page_html = rssfeed_cms_page(fr, date_text="Le 07/04/2025 à 12h18").replace(
        "</head>", f'<script type="application/ld+json">{script}</script></head>'
    )
    result = process_page(make_page(page_html, "https://lesite.ma/r/9", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Article)
    assert FR_KEY_SENTENCES[0] in (result.body or "")


def test_broken_json_ld_without_text_is_no_main_text() -> None:
    page_html = (
        '<html><head><script type="application/ld+json">{"@type": "NewsArticle",</script></head>'
        "<body><h1>Titre</h1></body></html>"
    )
    result = process_page(make_page(page_html, "https://lesite.ma/r/10", MA_FR), MA_FR, now=NOW)
    assert isinstance(result, Rejection) and result.reasons == ["no_main_text"]


def test_author_selector_hint_splits_and_cleans_the_byline(fr: Seed) -> None:
    outlet = Outlet(
        "a", "MA", ("fr",), "Africa/Casablanca", ("lesite.ma",), {"author_selector": "span.auteur"}
    )
    page_html = rssfeed_cms_page(fr, date_text="").replace(
        '<span class="date-article">',
        '<span class="auteur">Par Karim Benali et Salma Idrissi</span><span class="date-article">',
    )
    art = process_page(make_page(page_html, "https://lesite.ma/r/11", outlet), outlet, now=NOW)
    assert isinstance(art, Article) and art.authors == ["Karim Benali", "Salma Idrissi"]


def test_latin1_german_is_not_mistaken_for_windows_1256_arabic() -> None:
    from transforms.extract import decode_html

    words = "Komplementärmedizin, Zuständigkeit, Ärztekammer, Hämatologie. " * 20
    text = f"<html><body><p>{words}</p></body></html>"
    decoded, encoding, _share = decode_html(text.encode("latin-1"), "text/html; charset=iso-8859-1")
    assert "Komplementärmedizin" in decoded and encoding != "cp1256"


def test_the_fast_pass_is_kept_only_when_it_holds_the_pages_running_text() -> None:
    from transforms.extract import _holds_running_text, _misses_running_text, parse_tree, running_text

    first = "Le conseil municipal a adopté mardi le budget de la ville pour l'année prochaine, en hausse."
    second = "Les investissements iront d'abord aux transports publics et à la rénovation des écoles."
    script = "var tracking = {'account': 'UA-000000', 'sample': 100, 'anonymize': true, 'cookies': 'auto'};"
    tree = parse_tree(
        f"<html><head><title>{first}</title></head><body><p>{first}</p>"
        f"<script>{script}</script><div>{second}<br></div></body></html>"
    )
    assert tree is not None
    runs = running_text(tree)
    assert runs == [first, second]  # not the <title> in <head>, not the script
    assert _holds_running_text(f"{first}\n{second}", runs)
    assert not _misses_running_text(f"{first}\n{second}", runs)
    partial = first + " Et encore une phrase pour dépasser le minimum."
    assert not _holds_running_text(partial, runs)
    assert _misses_running_text(partial, runs)
