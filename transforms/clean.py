"""Line-level removal of scraping debris that survives main-text extraction.

Debris comes in families (comment prompts, share widgets, cookie banners, "read also" links,
newsletter prompts) written differently by every CMS theme, so each family is a set of regexes in
ar/fr/en rather than a list of sentences. A line is dropped only when it is short: a real
paragraph that merely mentions cookies or sharing stays.
"""

from __future__ import annotations

import re
import unicodedata

from transforms.dates import is_dateline

MAX_DEBRIS_LINE = 200  # characters; debris lines are labels and one-sentence notices
TITLE_WINDOW = 6  # a repeated headline is looked for among this many first lines
MAX_CRUMB_LINE = 120  # lines above a repeated headline: crumbs, dates, bylines, never paragraphs

_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ـ": None})
_AR_DIACRITICS = re.compile("[\u064b-\u0652\u0670]")
_SPACES = re.compile(r"[\s\u00a0\u200b-\u200f\u202f\u2060\ufeff]+")


def _fold_letters(text: str) -> str:
    return _AR_DIACRITICS.sub("", unicodedata.normalize("NFKC", text).translate(_AR_FOLD))


def fold(text: str) -> str:
    """Case- and Arabic-letter-variant-insensitive form used for matching, spaces collapsed."""
    return _SPACES.sub(" ", _fold_letters(text)).strip().lower()


def _families(*patterns: str) -> re.Pattern[str]:
    # Patterns get the same letter folding as the text, so they can be written with hamza, taa
    # marbuta... Case is left to IGNORECASE: lowercasing a regex would turn \W into \w.
    return re.compile("|".join(f"(?:{_fold_letters(p)})" for p in patterns), re.IGNORECASE)


# The whole line is nothing but a widget label (after stripping icons and punctuation).
_LABEL_LINE = _families(
    # comments
    r"(?:laisser|laissez|ajouter|écrire|poster|publier) (?:un|le|votre) commentaire",
    r"(?:leave|post|add|write|submit) (?:a|your) (?:comment|reply)",
    r"leave a reply|post comment|cancel reply|répondre|annuler la réponse|reply",
    r"\d* ?(?:commentaires?|comments?|réactions?)(?: \(?\d+\)?)?",
    r"(?:اترك|أترك|أضف|اكتب) (?:تعليقا|تعليقاً|تعليقك|تعليق|ردا|رداً|ردك|رد)",
    r"(?:التعليقات|تعليقات|تعليق|إرسال التعليق|أرسل التعليق|رد)(?: \(?\d+\)?)?",
    r"(?:nom|name|email|e-mail|site web|website|commentaire|comment|الاسم|البريد الإلكتروني|الموقع)"
    r" ?\*?",
    # share / follow
    r"(?:partager|partagez|partage|share|شارك|مشاركة|شاركها|انشر)"
    r"(?: (?:cet article|l'article|this|this article|this story|on|sur|المقال|الخبر|على))?(?: ?:)?",
    r"(?:(?:facebook|twitter|x|whatsapp|linkedin|telegram|messenger|email|e-mail|print|imprimer|pinterest"
    r"|reddit|فيسبوك|تويتر|واتساب|تلغرام|طباعة) ?)+",
    r"(?:copier le lien|copy link|نسخ الرابط|lien copié|link copied)",
    # cookie banners' buttons
    r"(?:accept|accepter|j'accepte|accept all|tout accepter|refuser|reject|decline|ok|d'accord|قبول"
    r"|موافق|أوافق|رفض|en savoir plus|read more|lire la suite|قراءة المزيد|اقرأ المزيد)(?: ?(?:cookies)?)?",
    r"(?:paramètres des cookies|cookie settings|manage cookies|gérer les cookies"
    r"|إعدادات ملفات تعريف الارتباط)",
    # navigation crumbs that trafilatura sometimes keeps
    r"(?:publicité|advertisement|sponsored|إعلان|اعلان|tags?|mots-clés|الوسوم|كلمات مفتاحية) ?:?",
)

# The line contains one of these notices (and is short).
_NOTICE = _families(
    # comment forms
    r"your email address will not be published",
    r"votre adresse (?:e-?mail|de messagerie|courriel|électronique) ne sera pas publiée",
    r"لن يتم نشر عنوان بريدك الإلكتروني",
    r"required fields are marked",
    r"les champs obligatoires sont (?:indiqués|marqués)",
    r"الحقول الإلزامية مشار إليها",
    r"save my name,? email",
    r"enregistrer mon nom,? (?:mon )?e-?mail",
    r"(?:احفظ|حفظ) اسمي",
    r"you must be logged in to post a comment|vous devez (?:être connecté|vous connecter) pour",
    # share widgets
    r"يمكنكم مشاركة (?:المقال|الخبر|هذا)",
    r"شارك (?:هذا )?(?:المقال|الخبر) (?:على|عبر)",
    r"partagez (?:cet|l') ?article",
    r"share (?:this|the) (?:article|story|post)",
    r"(?:suivez|retrouvez)[- ]nous sur",
    r"follow us on",
    r"(?:تابعونا|تابعنا) (?:على|عبر)",
    # cookie / consent banners
    r"ملفات (?:تعريف الارتباط|الكوكيز|الارتباط)",
    r"(?:ce site|notre site|ce site web|nous) utilis(?:e|ons) (?:des |les )?(?:cookies|traceurs)",
    r"(?:this (?:web)?site|our (?:web)?site|we) uses? cookies",
    r"(?:by continuing|en poursuivant|en continuant).{0,80}cookies",
    r"(?:politique|policy).{0,20}cookies|cookies? (?:policy|politique)",
    # read-also blocks (the line is a link title to another article)
    r"^(?:اقرأ|إقرأ) (?:أيضا|أيضاً|ايضا|المزيد)",
    r"^(?:lire|à lire|a lire) (?:aussi|également|egalement|plus)",
    r"^(?:read|see) (?:also|more|next)\b",
    r"^(?:voir aussi|sur le même sujet|dans la même rubrique|articles? similaires?"
    r"|related(?: articles| posts)?)",
    r"^(?:مقالات|أخبار|مواضيع) (?:ذات صلة|مشابهة)",
    # newsletter prompts
    r"(?:inscrivez|abonnez)[- ]vous (?:à|a) (?:notre|la) newsletter",
    r"(?:subscribe|sign up) (?:to|for) (?:our|the) newsletter",
    r"(?:اشترك|اشتركوا|سجل) في (?:النشرة|نشرتنا)",
    r"^newsletter\b",
    r"(?:subscribe|sign up|inscrivez-vous|abonnez-vous|اشترك).{0,40}(?:newsletter|nos? lettres?|النشرة)",
    r"^(?:sign up|subscribe) (?:now|today|to get|for (?:the|our))",
    r"(?:to (?:read|view|continue reading) the full (?:story|article)|pour lire la suite"
    r"|لقراءة (?:المقال|الخبر) كاملا)",
    r"^(?:follow|suivez|تابعوا|تابع) .{0,40}(?:on|sur|على|عبر) (?:twitter|x|facebook|instagram|telegram"
    r"|whatsapp|youtube|تويتر|فيسبوك|إنستغرام|تلغرام|يوتيوب)",
    r"(?:join|rejoignez|انضموا|انضم).{0,30}(?:telegram|whatsapp|تلغرام|واتساب) (?:channel|canal|قناة)",
    # the same read-also family in the other languages of trafilatura's benchmark
    r"^(?:lea|vea|mire|lee) (?:también|más)\s*:",
    r"^(?:le puede interesar|puedes ver|contenido relacionado|notas relacionadas)\b",
    r"^(?:mehr zum thema|schon gelesen|lesen sie auch|weitere artikel)\b",
)

# A standalone photo credit: "Photo : MAP", "(Photo: QNA)", "صورة: أرشيف", "Crédit photo DR".
_PHOTO_CREDIT = _families(
    r"[(\[]\s*(?:photos?|image|illustration|crédit|credit|source|صورة|الصورة|تصوير|المصدر)\b[^()\[\]]{1,60}[)\]]",
    r"(?:photos?|crédits? photos?|crédit|photo credit|image|illustration|صورة|الصورة|تصوير|المصدر)\s*[:©]"
    r"\s*[^.!?؟]{1,60}",
    r"©\s*[^.!?؟]{1,60}",
)
# Headings of "read also" / related blocks: the short lines after one are link titles.
_RELATED_HEADING = _families(
    r"(?:اقرأ|إقرأ) (?:أيضا|أيضاً|ايضا)|مواضيع ذات صلة|مقالات ذات صلة|أخبار ذات صلة|(?:à |a )?lire aussi"
    r"|sur le même sujet|articles? similaires?|dans la même rubrique|read also|related(?: articles| stories"
    r"| posts| news)?|more stories|you may also like|recommended(?: for you)?|contenido relacionado"
    r"|notas relacionadas|schon gelesen|mehr zum thema",
)
MAX_RELATED_LINE = 160  # a linked headline; longer lines are article paragraphs again

# Icons, bullets, separators and punctuation around widget labels.
_DECORATION = re.compile(r"^[\W_]+|[\W_]+$")


def is_debris(line: str) -> bool:
    """True when a single line is a known piece of page furniture rather than article text."""
    if len(line) > 2 * MAX_DEBRIS_LINE:
        return False  # cheap exit for paragraphs, before folding
    return _is_debris_folded(fold(line))


def _is_debris_folded(folded: str) -> bool:
    if not folded:
        return True  # blank or NBSP/zero-width only
    if len(folded) > MAX_DEBRIS_LINE:
        return False
    label = _DECORATION.sub("", folded)
    if not label:
        return True  # only icons/punctuation/NBSP
    return bool(
        _LABEL_LINE.fullmatch(label)
        or _LABEL_LINE.fullmatch(folded)
        or _NOTICE.search(folded)
        or (len(folded) <= 80 and _PHOTO_CREDIT.fullmatch(folded))
    )


def _key(text: str) -> str:
    return _DECORATION.sub("", fold(text))


def clean_body(text: str | None, title: str | None = None) -> str | None:
    """Drop debris lines, blank/NBSP lines and a leading repeat of the title; None if nothing is left.

    Paragraphs come back separated by one blank line.
    """
    if not text:
        return None
    lines: list[str] = []
    keys: list[str] = []
    in_related = False
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            continue
        if len(line) > 2 * MAX_DEBRIS_LINE:
            # A paragraph: never debris, a heading or a headline. Only the back-to-back repeat test
            # applies, on the line as it is (folding every paragraph was a third of cleanup's time).
            in_related = False
            if not (keys and keys[-1] == line):
                lines.append(line)
                keys.append(line)
            continue
        # Folded once per line: the heading test, the debris test and the repeat key share it
        # (NFKC + letter folding ran three times per line before).
        folded = fold(line)
        label = _DECORATION.sub("", folded)
        if _RELATED_HEADING.fullmatch(label):
            in_related = True  # a "read also" heading alone: its link titles follow
            continue
        if in_related and len(line) <= MAX_RELATED_LINE and not line.endswith((".", "،", ":", "؟", "?")):
            continue
        in_related = False
        if len(line) <= 2 * MAX_DEBRIS_LINE and _is_debris_folded(folded):
            continue
        key = label
        if keys and keys[-1] == key:
            continue  # a paragraph repeated back to back is a template artefact
        lines.append(line)
        keys.append(key)
    # Themes print the headline again above the body, sometimes twice (h1 + h2), sometimes under a
    # breadcrumb: the body starts after the last repeat among the first lines; the short lines
    # before it are crumbs, the date and the byline.
    title_key = _key(title) if title else None
    head = [i for i, key in enumerate(keys[:TITLE_WINDOW]) if key == title_key]
    crumbs = lines[: head[-1]] if head else []
    if head and all(len(c) <= MAX_CRUMB_LINE and not c.endswith((".", "!", "?", "؟")) for c in crumbs):
        del lines[: head[-1] + 1], keys[: head[-1] + 1]
    # The date line themes print between the headline and the text is metadata, read elsewhere.
    while lines and is_dateline(lines[0]):
        del lines[0]
    return "\n\n".join(lines) or None
