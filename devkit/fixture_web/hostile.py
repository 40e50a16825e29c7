"""``http://hostile.test/``: a fixture outlet made of broken and hostile pages, with its ground truth.

Every page a real crawler meets sooner or later: wrong or missing charsets, a 20 MB page, a gzip
bomb, redirect loops, off-site and metadata redirects, non-HTML content types, empty and JS-only
pages, broken JSON-LD, dates in the future, giant inline images, markup injected into titles, a
server that stalls. ``PAGES`` lists each one with what a correct pipeline does with it
(``Expect``): an article (exact title, language, words the body must hold), a quarantine row with
a named reason, or a request that is never made (robots.txt, off-site, SSRF guard), counted in the
crawl report. The sitemap at ``/sitemap.xml`` lists them all.

It has its own registry (``hostile.yaml``) so the main fixture outlets' truths are untouched; the
fixture server dispatches the host here (``site.Site.resolve``). Big bodies are built on first
request and cached.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal
from xml.sax.saxutils import escape

from devkit.fixture_web.catalog import OFFSITE_HOST
from devkit.fixture_web.listings import SITEMAP_NS, robots_txt
from devkit.fixture_web.responses import PDF, TEXT, XML, Response, not_found, tiny_pdf

HOST = "hostile.test"
OUTLET_ID = "hostile_test"
REGISTRY_PATH = Path(__file__).with_name("hostile.yaml")
BASE = f"http://{HOST}"
PUBLISHED = "2026-02-01T10:00:00+01:00"  # the fixture world's day before (reference 2026-02-02)
STALL_SECONDS = 30.0  # the stalling page holds its connection this long (the crawler gives up first)
TWENTY_MB = 20_000_000  # under DOWNLOAD_MAXSIZE (20 MiB): fetched, then refused by extraction
OVER_CAP = 24 * 1024 * 1024  # over DOWNLOAD_MAXSIZE: the download is cancelled
BOMB_INFLATED = 200 * 1024 * 1024  # the gzip bomb's inflated size (its body is ~200 KB)

Outcome = Literal["article", "quarantine", "robots", "offsite", "ssrf"]


@dataclass(frozen=True)
class Expect:
    outcome: Outcome
    reason: str | None = None  # quarantine: the first reason; "expect_" matches any GX expectation
    title: str | None = None  # article: the exact stored title
    language: str | None = None
    must_contain: tuple[str, ...] = ()  # article: real words the stored body must hold (no mojibake)


@dataclass(frozen=True)
class HostilePage:
    path: str
    what: str
    expect: Expect
    build: Callable[[], Response]

    @property
    def url(self) -> str:
        return BASE + self.path


# -- texts -------------------------------------------------------------------------------------
AR_PARAS = (
    "أعلنت وزارة الفلاحة والصيد البحري، اليوم الأحد، عن برنامج جديد لدعم الفلاحين الصغار في المناطق "
    "القروية، يشمل تمويل مشاريع الري بالتنقيط وتوزيع البذور المختارة على التعاونيات المحلية.",
    "وأوضح بلاغ للوزارة أن البرنامج سيستفيد منه أكثر من عشرين ألف فلاح خلال الموسم الحالي، وأن الغلاف "
    "المالي المخصص له يبلغ مليار درهم موزعة على ثلاث سنوات.",
    "وأكد المسؤولون أن الهدف هو تحسين مردودية الأراضي الزراعية والتخفيف من آثار الجفاف الذي عرفته البلاد "
    "خلال المواسم الأخيرة، مع تشجيع الشباب على الاستقرار في العالم القروي.",
)
FR_PARAS = (
    "Le ministère de l'Équipement a présenté, dimanche à Rabat, un nouveau programme de rénovation des "
    "routes rurales dans les régions de l'Oriental et du Souss-Massa, où les travaux débuteront dès le "
    "mois prochain.",
    "Selon le communiqué, près de mille deux cents kilomètres de pistes seront élargis et goudronnés "
    "d'ici à la fin de l'année, pour un budget estimé à deux milliards de dirhams.",
    "Les élus locaux ont salué une décision « très attendue » par les habitants, qui réclament depuis "
    "longtemps un meilleur accès aux écoles, aux centres de santé et aux marchés hebdomadaires.",
)
EN_PARAS = (
    "The Ministry of Transport announced on Sunday a plan to extend the Doha Metro's Gold Line by "
    "eleven kilometres, adding four stations that will serve the new residential districts west of "
    "the city.",
    "Officials said the tender for the civil works would be published next month and that the "
    "extension should carry its first passengers within three years, at a cost of about two billion "
    "riyals.",
    "Residents of the western districts have long asked for a rail link, as the daily drive to the "
    "centre takes more than an hour during the morning rush.",
)
# Real words checked in stored bodies: mojibake or U+FFFD in their place fails the test.
AR_WORDS = ("الفلاحين الصغار", "مليار درهم", "العالم القروي")
FR_WORDS = ("ministère de l'Équipement", "élargis et goudronnés", "« très attendue »")
EN_WORDS = ("Gold Line", "two billion riyals")
PARAS = {"ar": AR_PARAS, "fr": FR_PARAS, "en": EN_PARAS}
WORDS = {"ar": AR_WORDS, "fr": FR_WORDS, "en": EN_WORDS}


def page_html(
    title: str,
    lang: str,
    *,
    lead: str = "",
    head: str = "",
    body_extra: str = "",
    h1: str | None = None,
    title_tag: str | None = None,
    published: str | None = PUBLISHED,
) -> str:
    """A plain article page: <h1>, paragraphs, an ISO publication time in a meta tag."""
    paras = ([lead] if lead else []) + list(PARAS[lang])
    date = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{head}<title>{title_tag or title}</title>{date}</head>'
        f"<body><header><nav><a href='/'>hostile.test</a></nav></header><article>"
        f"<h1>{title if h1 is None else h1}</h1>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + f"{body_extra}</article><footer><p>© hostile.test</p></footer></body></html>"
    )


def _resp(body: bytes | str, content_type: str = "text/html", status: int = 200, **headers: str) -> Response:
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return Response(status, raw, content_type, dict(headers))


def _html(title: str, lang: str, encoding: str, content_type: str, **kw: str) -> Callable[[], Response]:
    return lambda: _resp(page_html(title, lang, **kw).encode(encoding), content_type)


def _art(title: str, lang: str, *extra_words: str) -> Expect:
    return Expect("article", title=title, language=lang, must_contain=(*WORDS[lang], *extra_words))


def _q(reason: str) -> Expect:
    return Expect("quarantine", reason=reason)


# -- big and compressed bodies -------------------------------------------------------------------
@cache
def _twenty_mb() -> bytes:
    head = page_html("صفحة عملاقة من عشرين ميغابايت", "ar").encode("utf-8")
    filler = ("<p>" + " ".join(AR_PARAS) + "</p>").encode("utf-8")
    out = bytearray(head[: head.rindex(b"</article>")])
    while len(out) < TWENTY_MB - 64:
        out += filler[: TWENTY_MB - 64 - len(out)]
    out += b"</article></body></html>"
    return bytes(out)


@cache
def _over_cap() -> bytes:
    return b"<html><body><p>" + b"x" * OVER_CAP + b"</p></body></html>"


@cache
def _gzip_bomb() -> bytes:
    squeezer = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip container
    zeros = b"\0" * (1024 * 1024)
    chunks = [squeezer.compress(b"<html><body><p>")]
    chunks += [squeezer.compress(zeros) for _ in range(BOMB_INFLATED // len(zeros))]
    chunks.append(squeezer.flush())
    return b"".join(chunks)


@cache
def _base64_image(size: int) -> str:
    # `size` characters of base64 after a PNG signature. The page holds 4 MB in <img> and 1.6 MB in
    # og:image: 5.6 MB as fetched, over the 5 MiB cap, which counts the page without inline data.
    blob = "iVBORw0KGgo" + "A" * size
    return f"data:image/png;base64,{blob}"


def _gzip_ok() -> Response:
    body = page_html("Doha Metro Gold Line extension served gzip-compressed", "en").encode("utf-8")
    return _resp(gzip.compress(body), "text/html; charset=utf-8", **{"Content-Encoding": "gzip"})


def _gzip_corrupt() -> Response:
    body = gzip.compress(page_html("Corrupt gzip stream", "en").encode("utf-8"))
    broken = body[:40] + bytes(b ^ 0x5A for b in body[40:200]) + body[200:]
    return _resp(broken, "text/html; charset=utf-8", **{"Content-Encoding": "gzip"})


def _redirect(location: str, status: int = 302) -> Callable[[], Response]:
    return lambda: _resp(f'<a href="{location}">moved</a>', status=status, Location=location)


def _endless(path: str, query: str) -> Response:
    step = int(query.split("=", 1)[1]) if query.startswith("n=") and query[2:].isdigit() else 0
    return _resp("", status=302, Location=f"{BASE}{path}?n={step + 1}")


def _binary_garbage() -> Response:
    # Deterministic pseudo-random bytes, no file magic, claimed to be UTF-8 HTML.
    state, out = 12345, bytearray()
    for _ in range(20_000):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(0x20 + (state >> 16) % 0xE0)  # never a magic number's first byte
    return _resp(bytes(out), "text/html; charset=utf-8")


def _js_only() -> Response:
    script = "window.__STATE__=" + json.dumps({"items": list(range(2000))}) + ";render(document.body);"
    return _resp(
        '<!DOCTYPE html><html lang="en"><head><title>Loading…</title>'
        f'<script src="/static/app.js"></script></head><body><div id="root"></div>'
        f"<script>{script}</script><noscript>Please enable JavaScript.</noscript></body></html>"
    )


def _jsonld(doc: str) -> str:
    return f'<script type="application/ld+json">{doc}</script>'


# -- the corpus ----------------------------------------------------------------------------------
T_AR = "برنامج جديد لدعم الفلاحين الصغار"  # Arabic titles end with a word naming the variant
T_FR = "Routes rurales : un programme de rénovation"
INJECTED_TITLE = "Le ministre annonce un plan pour l'eau"

PAGES: tuple[HostilePage, ...] = (
    # Charsets: Arabic in windows-1256, French in latin-1, UTF-8 mislabelled as a legacy charset.
    HostilePage(
        "/charset/ar-cp1256-header.html",
        "windows-1256 Arabic, charset in the HTTP header",
        _art(f"{T_AR} في جهة سوس", "ar"),
        _html(f"{T_AR} في جهة سوس", "ar", "cp1256", "text/html; charset=windows-1256"),
    ),
    HostilePage(
        "/charset/ar-cp1256-meta.html",
        "windows-1256 Arabic, charset only in <meta charset>",
        _art(f"{T_AR} في جهة الشرق", "ar"),
        _html(f"{T_AR} في جهة الشرق", "ar", "cp1256", "text/html", head='<meta charset="windows-1256">'),
    ),
    HostilePage(
        "/charset/ar-cp1256-http-equiv.html",
        "windows-1256 Arabic, charset only in <meta http-equiv>",
        _art(f"{T_AR} في جهة فاس", "ar"),
        _html(
            f"{T_AR} في جهة فاس",
            "ar",
            "cp1256",
            "text/html",
            head='<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">',
        ),
    ),
    HostilePage(
        "/charset/ar-cp1256-unlabelled.html",
        "windows-1256 Arabic, no charset anywhere",
        _art(f"{T_AR} في جهة مراكش", "ar"),
        _html(f"{T_AR} في جهة مراكش", "ar", "cp1256", "text/html"),
    ),
    HostilePage(
        "/charset/ar-cp1256-labelled-utf8.html",
        "windows-1256 Arabic labelled UTF-8 in the header",
        _art(f"{T_AR} في جهة طنجة", "ar"),
        _html(f"{T_AR} في جهة طنجة", "ar", "cp1256", "text/html; charset=utf-8"),
    ),
    HostilePage(
        "/charset/ar-cp1256-labelled-latin1.html",
        "windows-1256 Arabic labelled ISO-8859-1 in the header",
        _art(f"{T_AR} في جهة الرباط", "ar"),
        _html(f"{T_AR} في جهة الرباط", "ar", "cp1256", "text/html; charset=iso-8859-1"),
    ),
    HostilePage(
        "/charset/ar-utf8-labelled-cp1256.html",
        "UTF-8 Arabic labelled windows-1256 in the header",
        _art(f"{T_AR} في جهة درعة", "ar"),
        _html(f"{T_AR} في جهة درعة", "ar", "utf-8", "text/html; charset=windows-1256"),
    ),
    HostilePage(
        "/charset/ar-utf8-bom-labelled-latin1.html",
        "UTF-8 Arabic with a BOM, labelled ISO-8859-1",
        _art(f"{T_AR} في جهة العيون", "ar"),
        lambda: _resp(
            b"\xef\xbb\xbf" + page_html(f"{T_AR} في جهة العيون", "ar").encode("utf-8"),
            "text/html; charset=iso-8859-1",
        ),
    ),
    HostilePage(
        "/charset/fr-latin1-header.html",
        "latin-1 French, charset in the HTTP header",
        _art(f"{T_FR} à Oujda", "fr"),
        _html(f"{T_FR} à Oujda", "fr", "latin-1", "text/html; charset=iso-8859-1"),
    ),
    HostilePage(
        "/charset/fr-latin1-labelled-utf8.html",
        "latin-1 French labelled UTF-8 in the header",
        _art(f"{T_FR} à Agadir", "fr"),
        _html(f"{T_FR} à Agadir", "fr", "latin-1", "text/html; charset=utf-8"),
    ),
    HostilePage(
        "/charset/fr-latin1-unlabelled.html",
        "latin-1 French, no charset anywhere",
        _art(f"{T_FR} à Tétouan", "fr"),
        _html(f"{T_FR} à Tétouan", "fr", "latin-1", "text/html"),
    ),
    HostilePage(
        "/charset/fr-utf8-labelled-latin1.html",
        "UTF-8 French labelled ISO-8859-1 in the header",
        _art(f"{T_FR} à Béni Mellal", "fr"),
        _html(f"{T_FR} à Béni Mellal", "fr", "utf-8", "text/html; charset=iso-8859-1"),
    ),
    HostilePage(
        "/charset/binary-garbage.html",
        "random bytes served as UTF-8 HTML",
        _q("decode_error"),
        _binary_garbage,
    ),
    # Size and compression.
    HostilePage(
        "/big/twenty-mb.html",
        "a 20 MB HTML page (under the download cap)",
        _q("too_large"),
        lambda: _resp(_twenty_mb(), "text/html; charset=utf-8"),
    ),
    HostilePage(
        "/big/over-cap.html",
        "a 24 MiB page, over DOWNLOAD_MAXSIZE: the download is cancelled",
        _q("too_large"),
        lambda: _resp(_over_cap(), "text/html; charset=utf-8"),
    ),
    HostilePage(
        "/big/gzip-bomb.html",
        "Content-Encoding: gzip, ~200 KB that inflate to 200 MiB",
        _q("too_large"),
        lambda: _resp(_gzip_bomb(), "text/html; charset=utf-8", **{"Content-Encoding": "gzip"}),
    ),
    HostilePage(
        "/big/gzip-ok.html",
        "a normal page served gzip-compressed",
        _art("Doha Metro Gold Line extension served gzip-compressed", "en"),
        _gzip_ok,
    ),
    HostilePage(
        "/big/gzip-corrupt.html",
        "Content-Encoding: gzip with a corrupt stream",
        _q("fetch_error"),
        _gzip_corrupt,
    ),
    HostilePage(
        "/big/base64-image.html",
        "a 5.6 MB page: inline base64 images of 4 MB in <img> and 1.6 MB in og:image",
        _art("Metro extension: the new stations in pictures", "en"),
        lambda: _resp(
            page_html(
                "Metro extension: the new stations in pictures",
                "en",
                head=f'<meta property="og:image" content="{_base64_image(1_600_000)}">',
                body_extra=f'<figure><img src="{_base64_image(4_000_000)}" alt="station"></figure>',
            ),
            "text/html; charset=utf-8",
        ),
    ),
    # Redirects.
    HostilePage(
        "/redirect/loop-a.html",
        "a two-page redirect loop",
        _q("fetch_error"),
        _redirect("/redirect/loop-b.html"),
    ),
    HostilePage(
        "/redirect/endless",
        "an endless chain of distinct redirects",
        _q("fetch_error"),
        lambda: _endless("/redirect/endless", ""),
    ),
    HostilePage(
        "/redirect/same-site.html",
        "a 301 to an article on the same site",
        _art(f"{T_FR} à Safi", "fr"),
        _redirect("/moved/fr-safi.html", 301),
    ),
    HostilePage(
        "/redirect/off-site.html",
        "a 302 to another host",
        Expect("offsite"),
        _redirect(f"http://{OFFSITE_HOST}/landing"),
    ),
    HostilePage(
        "/redirect/metadata.html",
        "a 302 to the cloud metadata endpoint",
        Expect("ssrf"),
        _redirect("http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
    ),
    HostilePage(
        "/redirect/private.html",
        "a 302 to a private address",
        Expect("ssrf"),
        _redirect("http://10.0.0.1/admin"),
    ),
    HostilePage(
        "/private/draft.html",
        "disallowed by robots.txt",
        Expect("robots"),
        _html("Brouillon interne", "fr", "utf-8", "text/html; charset=utf-8"),
    ),
    # Not HTML.
    HostilePage(
        "/media/report.pdf", "a PDF", _q("not_html"), lambda: Response(200, tiny_pdf("Annual report"), PDF)
    ),
    HostilePage(
        "/media/pdf-as-html.html",
        "a PDF served as text/html",
        _q("not_html"),
        lambda: _resp(tiny_pdf("Mislabelled"), "text/html; charset=utf-8"),
    ),
    HostilePage(
        "/media/photo.png",
        "a PNG image",
        _q("not_html"),
        lambda: _resp(b"\x89PNG\r\n\x1a\n" + b"\0" * 2048, "image/png"),
    ),
    HostilePage(
        "/api/article.json",
        "JSON",
        _q("not_html"),
        lambda: _resp(json.dumps({"title": "x", "body": " ".join(EN_PARAS)}), "application/json"),
    ),
    HostilePage(
        "/feed.txt",
        "an article as text/plain",
        _q("not_html"),
        lambda: _resp("\n\n".join(EN_PARAS), "text/plain; charset=utf-8"),
    ),
    HostilePage(
        "/download.bin",
        "application/octet-stream",
        _q("not_html"),
        lambda: _resp(bytes(range(256)) * 8, "application/octet-stream"),
    ),
    HostilePage(
        "/no-content-type.html",
        "an article with no Content-Type header",
        _art("Gold Line tender to open next month", "en"),
        lambda: _resp(page_html("Gold Line tender to open next month", "en"), ""),
    ),
    # Empty and JS-only.
    HostilePage("/empty/zero-bytes.html", "200 with an empty body", _q("empty_page"), lambda: _resp(b"")),
    HostilePage(
        "/empty/whitespace.html", "200 with only whitespace", _q("empty_page"), lambda: _resp(" \n\t \n")
    ),
    HostilePage(
        "/empty/empty-body.html",
        "an HTML shell with an empty <body>",
        _q("empty_page"),
        lambda: _resp("<!DOCTYPE html><html><head><title>Rien</title></head><body></body></html>"),
    ),
    HostilePage("/empty/js-only.html", "a JavaScript app shell", _q("no_main_text"), _js_only),
    # HTTP errors.
    HostilePage("/gone.html", "410 Gone", _q("http_status"), lambda: _resp("gone", status=410)),
    HostilePage(
        "/always-503.html",
        "503 on every try",
        _q("http_status"),
        lambda: _resp("busy", "text/plain", 503, **{"Retry-After": "0"}),
    ),
    HostilePage(
        "/stall.html",
        f"headers, then silence for {STALL_SECONDS:.0f} s",
        _q("fetch_error"),
        lambda: Response(200, b"<html><body><p>" + b"x" * 4096, "text/html", {}, stall_s=STALL_SECONDS),
    ),
    # Structured data and dates.
    HostilePage(
        "/jsonld/truncated.html",
        "JSON-LD cut in the middle",
        _art("Nouvelles pistes rurales dans le Souss", "fr"),
        _html(
            "Nouvelles pistes rurales dans le Souss",
            "fr",
            "utf-8",
            "text/html; charset=utf-8",
            head=_jsonld('{"@context":"https://schema.org","@type":"NewsArticle","headline":"Nouvel'),
        ),
    ),
    HostilePage(
        "/jsonld/wrong-types.html",
        "JSON-LD with wrong types everywhere",
        _art("Routes : le budget détaillé", "fr"),
        _html(
            "Routes : le budget détaillé",
            "fr",
            "utf-8",
            "text/html; charset=utf-8",
            head=_jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@type": ["NewsArticle", 7],
                        "headline": {"x": ["y"]},
                        "author": 42,
                        "datePublished": "le jour d'après",
                        "image": [None, {"url": None}],
                        "keywords": {"a": 1},
                        "articleBody": 3.5,
                    }
                )
            ),
        ),
    ),
    HostilePage(
        "/jsonld/deep-nesting.html",
        "JSON-LD nested 100,000 levels deep",
        _art("Le chantier des pistes commence", "fr"),
        _html(
            "Le chantier des pistes commence",
            "fr",
            "utf-8",
            "text/html; charset=utf-8",
            head=_jsonld("[" * 100_000 + "]" * 100_000),
        ),
    ),
    HostilePage(
        "/dates/future-everywhere.html",
        "published in 2031 in the page and the sitemap",
        _q("expect_"),
        _html("Gold Line opens in 2031", "en", "utf-8", "text/html", published="2031-05-01T09:00:00+03:00"),
    ),
    HostilePage(
        "/dates/future-in-page.html",
        "a future date in the page, a sane one in the sitemap",
        _art("Gold Line works: first phase completed", "en"),
        _html(
            "Gold Line works: first phase completed",
            "en",
            "utf-8",
            "text/html",
            published="2030-12-31T23:00:00+03:00",
        ),
    ),
    # Markup injected into titles: stored titles are plain text.
    HostilePage(
        "/inject/title-tag.html",
        "<script> inside <title> (no h1)",
        _art(INJECTED_TITLE, "fr"),
        _html(
            INJECTED_TITLE,
            "fr",
            "utf-8",
            "text/html",
            h1="",
            title_tag="Le ministre <script>alert(document.cookie)</script>annonce un plan pour l'eau",
        ),
    ),
    HostilePage(
        "/inject/h1-escaped.html",
        "escaped &lt;script&gt; as the text of the h1",
        _art("Le ministre annonce un plan pour l'eau potable", "fr"),
        _html(
            "Le ministre annonce un plan pour l'eau potable",
            "fr",
            "utf-8",
            "text/html",
            h1="Le ministre &lt;script&gt;alert(1)&lt;/script&gt;annonce un plan pour l'eau potable",
        ),
    ),
    HostilePage(
        "/inject/jsonld-headline.html",
        "markup and an event handler in the JSON-LD headline",
        _art("Le ministre annonce un plan pour l'eau des villes", "fr"),
        _html(
            "Le ministre annonce un plan pour l'eau des villes",
            "fr",
            "utf-8",
            "text/html",
            head=_jsonld(
                json.dumps(
                    {
                        "@context": "https://schema.org",
                        "@type": "NewsArticle",
                        "headline": 'Le ministre <img src=x onerror="alert(1)"><script>steal()</script>'
                        "annonce un plan pour l&#39;eau des villes",
                        "datePublished": PUBLISHED,
                    }
                )
            ),
        ),
    ),
)
# The same-site redirect's target, served but not listed.
_UNLISTED: dict[str, Callable[[], Response]] = {
    "/moved/fr-safi.html": _html(f"{T_FR} à Safi", "fr", "utf-8", "text/html; charset=utf-8"),
    "/redirect/loop-b.html": _redirect("/redirect/loop-a.html"),
}
# The SSRF test's outlet (tests/integration/test_crawl_ssrf.py) lists these from /ssrf/sitemap.xml: URLs whose
# host is a private or metadata IP literal, and same-site redirects to such addresses.
SSRF_LISTED: tuple[str, ...] = (
    "http://10.20.30.40/news/listed-private.html",
    "http://169.254.169.254/latest/meta-data/",
    f"{BASE}/redirect/metadata.html",
    f"{BASE}/redirect/private.html",
    f"{BASE}/ssrf/to-mapped-v6.html",
)
SSRF_OFFSITE: tuple[str, ...] = (f"{BASE}/ssrf/to-decimal-ip.html",)  # http://2852039166/ = 169.254.169.254
SSRF_ARTICLE = f"{BASE}/ssrf/ok.html"
_UNLISTED["/ssrf/to-mapped-v6.html"] = _redirect("http://[::ffff:169.254.169.254]/latest/meta-data/")
_UNLISTED["/ssrf/to-decimal-ip.html"] = _redirect("http://2852039166/latest/meta-data/")
_UNLISTED["/ssrf/ok.html"] = _html("Gold Line: the route is confirmed", "en", "utf-8", "text/html")
_UNLISTED["/ssrf/sitemap.xml"] = lambda: _resp(
    f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n'
    + "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in (*SSRF_LISTED, *SSRF_OFFSITE, SSRF_ARTICLE))
    + "</urlset>\n",
    XML,
)
_BY_PATH = {p.path: p for p in PAGES}
FUTURE_LISTED = {"/dates/future-everywhere.html": "2031-05-01T09:00:00+03:00"}


def sitemap() -> str:
    rows = []
    for page in PAGES:
        lastmod = FUTURE_LISTED.get(page.path, PUBLISHED)
        rows.append(f"<url><loc>{escape(page.url)}</loc><lastmod>{lastmod}</lastmod></url>\n")
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{"".join(rows)}</urlset>\n'
    )


@cache
def _cached(path: str) -> Response:
    if path == "/sitemap.xml":
        return _resp(sitemap(), XML)
    if path == "/robots.txt":
        return _resp(robots_txt(), TEXT)
    found = _BY_PATH.get(path)
    if found is not None:
        return found.build()
    if path in _UNLISTED:
        return _UNLISTED[path]()
    return not_found(HOST)


def resolve(path: str, query: str = "") -> Response:
    """The hostile host's answer (the fixture server calls this for ``hostile.test``)."""
    if path == "/redirect/endless":
        return _endless(path, query)
    return _cached(path)


def page(url_or_path: str) -> HostilePage:
    return _BY_PATH[url_or_path.removeprefix(BASE)]
