"""Line-level removal of scraping debris that survives main-text extraction.

Debris comes in families (comment prompts, share widgets, cookie banners, "read also" links,
newsletter prompts) written differently by every CMS theme, so each family is a set of regexes in
ar/fr/en rather than a list of sentences. A line is dropped only when it is short: a real
paragraph that merely mentions cookies or sharing stays.
"""

from __future__ import annotations

import re
import unicodedata

MAX_DEBRIS_LINE = 200  # characters; debris lines are labels and one-sentence notices

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
    r"(?:اترك|أترك|أضف|اكتب) (?:تعليقا|تعليقاً|تعليق|ردا|رداً|رد)",
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
)

# Icons, bullets, separators and punctuation around widget labels.
_DECORATION = re.compile(r"^[\W_]+|[\W_]+$")


def is_debris(line: str) -> bool:
    """True when a single line is a known piece of page furniture rather than article text."""
    if len(line) > 2 * MAX_DEBRIS_LINE:
        return False  # cheap exit for paragraphs, before folding
    folded = fold(line)
    if not folded:
        return True  # blank or NBSP/zero-width only
    if len(folded) > MAX_DEBRIS_LINE:
        return False
    label = _DECORATION.sub("", folded)
    if not label:
        return True  # only icons/punctuation/NBSP
    return bool(_LABEL_LINE.fullmatch(label) or _LABEL_LINE.fullmatch(folded) or _NOTICE.search(folded))


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
    for raw in text.splitlines():
        line = _SPACES.sub(" ", raw).strip()
        if not line or is_debris(line):
            continue
        key = _key(line)
        if keys and keys[-1] == key:
            continue  # a paragraph repeated back to back is a template artefact
        lines.append(line)
        keys.append(key)
    # Themes print the headline again above the body, sometimes twice (h1 + h2).
    title_key = _key(title) if title else None
    while lines and keys[0] == title_key:
        lines.pop(0)
        keys.pop(0)
    return "\n\n".join(lines) or None
