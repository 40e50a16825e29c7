"""Moroccan Darija (ISO 639-3 `ary`) in Arabic script: a paragraph scorer and the article's `dialect`.

No maintained library identifies Darija offline in a small footprint: CAMeL Tools' dialect models
need its data packages downloaded from the internet at run time (plus a Rust/Boost build), the
NADI/MADAR BERT models are hub downloads of hundreds of MB, and the PyPI packages that name
Darija transliterate Arabizi rather than identify it (docs/decisions.md). Darija is, however,
marked by closed-class words that MSA does not have (ديال, دابا, واش, كاين, غادي, بزاف ...), by the
k- prefix of the present tense (كنقول, كيمشيو) and by the ما...ش negation, so a weighted lexicon
finds it. Evidence is counted per distinct marker, a quoted one- or two-word span counts for
nothing (an MSA report naming "التشرميل" or "الحريك" is not Darija), and a paragraph needs more
than one marker: one Darija word in an MSA paragraph is a quotation or a loanword, not dialect.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Weights: 2 = a word MSA and the other big dialects do not use; 1 = Darija, but shared with
# another dialect (Egyptian فين, the Gulf's حنا) or with an MSA homograph in rare uses.
_STRONG = _words(
    """
    ديال ديالي ديالك ديالو ديالها ديالنا ديالكم ديالهم دابا دبا بزاف كاين كاينة كاينين كاينا واش علاش
    شنو اش اشنو غادي غاديش غاديين غادية والو مزيان مزيانة مزيانين هادشي داكشي ديكشي هاد هادو هاديك داك ديك
    كلشي حتاشي كاع شحال شكون كيفاش فاش ملي باش بغيت بغيتي بغينا بغيتو بغا بغات بغاو بغيتيني خاصك
    خاصني خاصنا خاصكم خاصهم خاصو خاصها راه راني راك راهم راها ماشي البارح دغيا صافي واعر البلاصة
    الهضرة السبيطار السبيطارات الطوبيس الطوموبيل طوموبيل الدراري دراري عيط عيطو خويا ختي الكرا جوج
    لبرا مابقاش مشاو كيدير كيديرو الحولي الماتش الماتشات
    """
)
_WEAK = _words(
    """
    فين حنا لينا معانا معاهم شوف شوفو عيانة خايب خايبة بحال نخدمو هكا هكاك للخر
    """
)
_LEXICON = _STRONG | _WEAK
# k-prefixed present tense (كنقول، كتعرف، كيمشيو); MSA words of the same shape are listed apart.
_K_PRESENT = re.compile(r"^ك[يتن][\u0621-\u064a]{2,}$")
_K_MSA_STEMS = re.compile(r"^(?:كيف|كيان|كيلو|كيمي|كيما|كيني|كتاب|كتائب|كنيس|كنائس|كند)")
_K_MSA = _words(
    """
    كتب كتبت كتبه كتبها كتبوا كتلة كتل كتيبة كتف كتفه كتم كتمان كنت كنتم كنا كنز كنوز كنف كيس كيسا كيل
    كيري كيتا كينيا كنتيجة كنقطة كنموذج كنوع كتعبير كتجربة كتحد
    """
)
# ما ... ش negation, attached (مابقاش) or split (ما بقاوش), with MSA words that end in ش left out.
_MA_SH = re.compile(r"(?<![\u0621-\u064a])[وف]?ما\s?([\u0621-\u064a]{2,}ش)(?![\u0621-\u064a])")
# Present-tense plural without the alif MSA writes (نبقاو، يمشيو vs يبقوا، يمشوا).
_PLURAL_IMPERFECT = re.compile(r"^[يتن][\u0621-\u064a]+(?:او|يو)$")
_PLURAL_MSA = _words("يونيو يوليو تيو فيديو")  # June, July, loanwords
# Darija writes the preposition ف on the article (فالدار) and has an indefinite واحد ال- (واحد الكسيدة).
_FI_AL = re.compile(r"^فال[\u0621-\u064a]{2,}$")
_WAHED_AL = re.compile(r"(?<![\u0621-\u064a])[وف]?واحد\s+ال[\u0621-\u064a]{2,}")
_SH_MSA = _words("يعيش تعيش نعيش يعش جيش الجيش نقاش النقاش هامش الهامش تفتيش عرش العرش غش الغش")
_QUOTED = re.compile(r"[\"«“]([^\"«»“”]{1,40})[\"»”]")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640]")
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06a9\u06cc]")  # پ چ ژ ک ی: Persian text, not Darija
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي", "ڭ": "ك", "گ": "ك", "ؤ": "و", "ئ": "ي"})

MIN_SCORE = 3  # weighted evidence of a Darija paragraph ...
MIN_MARKERS = 2  # ... from at least two distinct markers
ARTICLE_SHARE = 0.2  # share of the article's words in Darija paragraphs above which it is `ary`


@dataclass(frozen=True)
class Evidence:
    score: int
    markers: tuple[str, ...]  # distinct markers found, for the eval's error listing

    @property
    def darija(self) -> bool:
        return self.score >= MIN_SCORE and len(self.markers) >= MIN_MARKERS


def normalise(text: str) -> str:
    return _DIACRITICS.sub("", text).translate(_FOLD)


def _unquote_short(text: str) -> str:
    # A quoted term of one or two words is a citation (a slang word, a hashtag, a TV title).
    return _QUOTED.sub(lambda m: " " if len(m.group(1).split()) <= 2 else m.group(0), text)


def paragraph_evidence(paragraph: str) -> Evidence:
    if len(_PERSIAN.findall(paragraph)) > 2:  # Persian راه ("way") and -اش are not Darija
        return Evidence(0, ())
    text = _unquote_short(normalise(paragraph))
    found: dict[str, int] = {}
    for word in _ARABIC_WORD.findall(text):
        # و/ف ("and", "so") attach to any word: وبزاف is بزاف, فكيمشيو is كيمشيو.
        bare = word[1:] if word[0] in "وف" and len(word) > 3 and word not in _LEXICON else word
        if bare in _STRONG:
            found[bare] = 2
        elif bare in _WEAK:
            found.setdefault(bare, 1)
        elif _K_PRESENT.match(bare) and not (_K_MSA_STEMS.match(bare) or bare in _K_MSA):
            found[bare] = 2 if bare.endswith("و") else 1
        elif _PLURAL_IMPERFECT.match(bare) and not {word, bare} & _PLURAL_MSA:
            found[bare] = 2
        elif _FI_AL.match(word):
            found["فال-"] = 1  # one marker however often: MSA has فـ + ال- ("so the ...") too
    if _WAHED_AL.search(text):
        found["واحد ال-"] = 1
    for match in _MA_SH.finditer(text):
        if match.group(1) not in _SH_MSA:
            found["ما..ش:" + match.group(1)] = 2
    return Evidence(sum(found.values()), tuple(found))


def paragraphs(title: str | None, body: str | None) -> list[str]:
    parts = [title or "", *(body or "").split("\n\n")]
    return [p.strip() for p in parts if p.strip()]


def detect_dialect(title: str | None, body: str | None) -> str | None:
    """`ary` when Darija paragraphs hold at least ARTICLE_SHARE of the article's words, else None.

    Word-weighted, so one Darija quote in a long MSA report stays None (MSA analysis reads it
    fine), while a Darija article with an MSA lead or a Darija headline over a short text is `ary`.
    """
    total = darija = 0
    for paragraph in paragraphs(title, body):
        words = len(paragraph.split())
        total += words
        if _ARABIC_WORD.search(paragraph) and paragraph_evidence(paragraph).darija:
            darija += words
    return "ary" if total and darija / total >= ARTICLE_SHARE else None
