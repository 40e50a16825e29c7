"""A small gazetteer of countries and regions: their names and adjective forms in ar/fr/en.

"Irak", "Iraq", "irakiennes", "Iraqi" and "العراقية" all name one place, but a consonant skeleton
(transforms/transliterate.py) cannot see it: French adjectives are lower case (not names), and
"rknns" is not "rk". Story linking (transforms/story.py) turns every form listed here into one key
per place, so the country of an event is evidence in any language and word form. A country alone
says "same country", not "same event": story.py weighs these keys low.

Only countries and regions our outlets name often (the Maghreb, the Gulf, the Middle East, their
partners). Each line: id | nouns (fr/en, one word or a phrase) | adjective bases (inflected below)
| Arabic noun without the article ; Arabic adjective stem (the word minus its nisba ending ي/ية/يين).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# "home" places: every story of a Moroccan or Qatari outlet names them (weighted lowest).
HOME = frozenset({"morocco", "qatar"})

_TABLE = """
morocco | maroc, morocco, royaume du maroc | marocain, moroccan | مغرب ; مغرب
qatar | qatar | qatari, qatarien | قطر ; قطر
algeria | algerie, algeria | algerien, algerian | جزائر ; جزائر
tunisia | tunisie, tunisia | tunisien, tunisian | تونس ; تونس
libya | libye, libya | libyen, libyan | ليبيا ; ليب
mauritania | mauritanie, mauritania | mauritanien, mauritanian | موريتانيا ; موريتان
egypt | egypte, egypt | egyptien, egyptian | مصر ; مصر
sudan | soudan, sudan | soudanais, sudanese | سودان ; سودان
saudi_arabia | arabie saoudite, saudi arabia | saoudien, saudi | سعودية ; سعود
uae | emirats arabes unis, united arab emirates, emirats, UAE, EAU | emirati, emirien | امارات ; امارات
kuwait | koweit, kuwait | koweitien, kuwaiti | كويت ; كويت
bahrain | bahrein, bahrain | bahreini, bahreinien, bahraini | بحرين ; بحرين
oman | oman | omanais, omani | سلطنة عمان ; عمان
yemen | yemen | yemenite, yemeni | يمن ; يمن
iraq | irak, iraq | irakien, iraquien, iraqien, iraqi | عراق ; عراق
iran | iran | iranien, iranian | ايران ; ايران
syria | syrie, syria | syrien, syrian | سوريا ; سور
lebanon | liban, lebanon | libanais, lebanese | لبنان ; لبنان
jordan | jordanie, jordan | jordanien, jordanian | اردن ; اردن
palestine | palestine | palestinien, palestinian | فلسطين ; فلسطين
israel | israel | israelien, israeli | اسرائيل ; اسرائيل
turkey | turquie, turkey, turkiye | turc, turque, turkish | تركيا ; ترك
france | france | francais, french | فرنسا ; فرنس
spain | espagne, spain | espagnol, spanish | اسبانيا ; اسبان
portugal | portugal | portugais, portuguese | برتغال ; برتغال
italy | italie, italy | italien, italian | ايطاليا ; ايطال
germany | allemagne, germany | allemand, german | المانيا ; المان
belgium | belgique, belgium | belge, belgian | بلجيكا ; بلجيك
netherlands | pays-bas, netherlands | neerlandais, dutch | هولندا ; هولند
united_kingdom | royaume-uni, united kingdom, britain, UK | britannique, british | بريطانيا ; بريطان
united_states | etats-unis, united states, US, USA | americain, american | الولايات المتحدة, امريكا ; امريك
canada | canada | canadien, canadian | كندا ; كند
russia | russie, russia | russe, russian | روسيا ; روس
ukraine | ukraine | ukrainien, ukrainian | اوكرانيا ; اوكران
china | chine, china | chinois, chinese | صين ; صين
japan | japon, japan | japonais, japanese | يابان ; يابان
india | inde, india | indien, indian | هند ; هند
pakistan | pakistan | pakistanais, pakistani | باكستان ; باكستان
afghanistan | afghanistan | afghan | افغانستان ; افغان
senegal | senegal | senegalais, senegalese | سنغال ; سنغال
mali | mali | malien, malian | - ; -
nigeria | nigeria | nigerian, nigerien | نيجيريا ; نيجير
kenya | kenya | kenyan | كينيا ; كين
ethiopia | ethiopie, ethiopia | ethiopien, ethiopian | اثيوبيا ; اثيوب
south_africa | afrique du sud, south africa | sud-africain, south african | جنوب افريقيا ; -
africa | afrique, africa | africain, african | افريقيا ; افريق
europe | europe | europeen, european | اوروبا ; اوروب
asia | asie, asia | asiatique, asian | اسيا ; اسيو
gulf | golfe, gulf | - | خليج ; خليج
maghreb | maghreb | maghrebin | - ; -
middle_east | moyen-orient, moyen orient, middle east, proche-orient | moyen-oriental | شرق اوسط ; -
mediterranean | mediterranee, mediterranean, eastern mediterranean, east mediterranean | mediterraneen | - ; -
"""


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents (as transliterate.fold_latin), apostrophes unified."""
    text = text.lower().replace("ç", "s").replace("’", "'")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_AR_NORMAL = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
# Clitics an Arabic word may carry before the article: و ف (and), ب ك ل (in, as, to).
_AR_PREFIXES = (
    "وبال",
    "وال",
    "فال",
    "بال",
    "كال",
    "ولل",
    "لل",
    "ال",
    "وب",
    "ول",
    "فب",
    "و",
    "ف",
    "ب",
    "ل",
    "ك",
)
_AR_NISBA = re.compile(r"(?:يين|يون|يات|ية|يه|ي)$")


@lru_cache(maxsize=65536)
def _arabic_forms(word: str) -> tuple[str, ...]:
    """The word, and the word without each clitic/article prefix it may carry."""
    word = word.translate(_AR_NORMAL)
    return (word, *(word[len(p) :] for p in _AR_PREFIXES if word.startswith(p) and len(word) - len(p) >= 2))


def arabic_forms(word: str) -> tuple[str, ...]:
    """The word and its forms without a clitic prefix (transforms/newswords.py reads words the same way)."""
    return _arabic_forms(word)


def _inflect(base: str) -> set[str]:
    """French and English adjective and noun endings: marocain(e)(s), irakien(ne)(s), Iraqi(s)."""
    out = {base, base + "s", base + "e", base + "es"}
    if base.endswith("ien") or base.endswith("en"):
        out |= {base + "ne", base + "nes"}
    return out


def _build() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str], dict[str, str], dict[str, str]]:
    nouns: dict[tuple[str, ...], str] = {}  # folded word sequence -> id (capitalised in the text)
    adjectives: dict[tuple[str, ...], str] = {}  # any case
    ar_nouns: dict[str, str] = {}
    ar_stems: dict[str, str] = {}
    for line in _TABLE.strip().splitlines():
        ident, latin_nouns, latin_adjectives, arabic = (part.strip() for part in line.split("|"))
        for noun in latin_nouns.split(","):
            noun = noun.strip()
            # Acronyms (US, UK, EAU) stay case-sensitive: "us" is a pronoun.
            key = noun if noun.isupper() else fold(noun)
            nouns[tuple(re.split(r"[\s']+", key))] = ident
        for base in latin_adjectives.split(","):
            base = fold(base.strip())
            if base and base != "-":
                for form in _inflect(base):
                    adjectives[tuple(form.split())] = ident
        ar_noun, _, ar_stem = arabic.partition(";")
        for noun in ar_noun.split(","):
            words = noun.strip().translate(_AR_NORMAL).split()
            if words and words != ["-"]:
                # Stored without the article: "الولايات المتحدة" is found as "ولايات متحدة" too.
                ar_nouns[" ".join(w.removeprefix("ال") if len(w) > 4 else w for w in words)] = ident
        stem = ar_stem.strip().translate(_AR_NORMAL)
        if stem and stem != "-":
            ar_stems[stem] = ident
    return nouns, adjectives, ar_nouns, ar_stems


_NOUNS, _ADJECTIVES, _AR_NOUNS, _AR_STEMS = _build()
# First word -> the lengths of the names it can start (most words start none: one set lookup).
_LATIN_STARTS: dict[str, set[int]] = {}
for _name in (*_NOUNS, *_ADJECTIVES):
    _LATIN_STARTS.setdefault(_name[0] if _name[0].isupper() else fold(_name[0]), set()).add(len(_name))
_AR_FIRST = {n.split()[0] for n in _AR_NOUNS if " " in n}


def arabic_place(words: list[str]) -> str | None:
    """The place named by these Arabic words (one or two, as written), or None."""
    if len(words) == 2:
        for first in _arabic_forms(words[0]):
            for second in _arabic_forms(words[1]):
                if f"{first} {second}" in _AR_NOUNS:
                    return _AR_NOUNS[f"{first} {second}"]
        return None
    if len(words) != 1:
        return None
    forms = _arabic_forms(words[0])
    for form in forms:
        if form in _AR_NOUNS:
            return _AR_NOUNS[form]
    for form in forms:
        stem, n = _AR_NISBA.subn("", form)
        if n and stem in _AR_STEMS:
            return _AR_STEMS[stem]
    return None


def latin_place(words: list[str]) -> str | None:
    """The place named by these Latin words (as written), or None.

    A country's noun counts when capitalised (France, not "france" in a URL slug), an acronym only
    as written (US, not "us"); adjectives in any case ("élections irakiennes", "Iraqi forces").
    """
    folded = tuple(fold(w) for w in words)
    if words[0][:1].isupper() and folded in _NOUNS:
        return _NOUNS[folded]
    if all(w.isupper() for w in words) and tuple(words) in _NOUNS:  # acronyms
        return _NOUNS[tuple(words)]
    return _ADJECTIVES.get(folded)


def find_places(words: list[str], arabic: bool) -> dict[int, str]:
    """Position -> place id for every word of a place name in these words (longest name first)."""
    found: dict[int, str] = {}
    i = 0
    while i < len(words):
        hit = _place_at(words, i, arabic)
        if hit:
            found.update(dict.fromkeys(range(i, i + hit[1]), hit[0]))
            i += hit[1]
        else:
            i += 1
    return found


def _place_at(words: list[str], start: int, arabic: bool) -> tuple[str, int] | None:
    """(place id, number of words) of the longest place name starting at words[start]."""
    for n in _name_lengths(words[start], arabic):
        chunk = tuple(words[start : start + n])
        if len(chunk) == n:
            place = _place_of(chunk, arabic)
            if place:
                return place, n
    return None


# Both memoised per word: story linking asks about every word of every article, and a news
# vocabulary repeats (the process stage's profile: a third of story linking was spent here).
@lru_cache(maxsize=65536)
def _name_lengths(word: str, arabic: bool) -> tuple[int, ...]:
    """How many words a place name starting with ``word`` can have, longest first."""
    if arabic:
        return (2, 1) if any(f in _AR_FIRST for f in _arabic_forms(word)) else (1,)
    return tuple(sorted(_LATIN_STARTS.get(word, set()) | _LATIN_STARTS.get(fold(word), set()), reverse=True))


@lru_cache(maxsize=65536)
def _place_of(words: tuple[str, ...], arabic: bool) -> str | None:
    return arabic_place(list(words)) if arabic else latin_place(list(words))
