"""A small ar/fr/en lexicon of news-event words and measure units, for story linking across languages.

Names and figures are the strongest evidence that two articles report one event, but a translated
weather or disaster report often names no one: "chutes de neige", "تساقطات ثلجية" and "snowfall"
share no skeleton. This module maps such words to one language-neutral id per concept, so
transforms/story.py can key them like places (transforms/places.py):

- event concepts (``concept``): the kinds of event a wire service reports, grouped as the
  IPTC Media Topics groups them (disaster and accident, weather, conflict, politics, justice,
  health). The words were written by the nashra team from general knowledge of news vocabulary in
  the three languages (the first word that names each kind of event, and its usual synonyms), not
  taken from the evaluation texts. A shared concept says "same kind of event", not "same event":
  story.py weighs it low and never lets it carry a link alone.
- month names (``month``), so "1er février", "February 1" and "1 فبراير" give one date;
- measure units (``unit``) and spelled-out numbers (``number_word``): "42 et 47 degrés" and
  "42 و47 درجة" are the same measurement, "trente centimètres" and "ثلاثين سنتيمترا" the same
  figure. A number with its unit is better evidence than a bare small number.

An id may take several lines (one per group of synonyms). Matching: Latin words are folded (lower
case, no accents) and compared whole, with a plural -s/-x allowed; an entry ending in "*" matches
any word that starts with it. Arabic words lose their clitic prefixes (و ف ب ك ل ال, as in
places.py) and may carry a feminine/plural/nisba ending (ة ات ية ي ين ون ا).
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.places import arabic_forms, fold

# id | French and English words | Arabic words
_CONCEPTS = """
earthquake | earthquake*, quake*, seism*, tremblement* | زلزال, زلازل, هزة ارضية
tsunami | tsunami* | تسونامي
flood | flood*, inondation*, crue, crues | فيضان, فيضانات, سيول
storm | storm*, thunderstorm*, tempete*, orage*, orageux, orageuse* | عاصفة, عواصف, رعدية
storm | ouragan*, hurricane*, cyclone*, typhoon* | اعصار
wind | wind, winds, vent, vents, rafale*, gust* | رياح, ريح
rain | rain, rains, rainfall*, pluie*, pluvieu*, averse* | امطار, مطر, مطرية
snow | snow*, neige*, enneig* | ثلج, ثلوج, ثلجية
heat | heat, heatwave*, canicule*, chaleur* | حارا, حار, حارة, قيظ
cold | cold, froid*, frost*, gel, gelee* | برد, صقيع
temperature | temperature* | حرارة
weather_service | meteorolog*, meteo | ارصاد
warning | alert*, warning*, warn, warns, warned | انذار, انذارية, تحذير, تحذيرات
warning | vigilance, avertissement* | حذرت, حذر, يقظة
fire | fire, fires, wildfire*, blaze*, incendie*, feu, feux | حريق, حرائق
drought | drought*, secheresse* | جفاف
crash | crash*, accident*, collision*, derailment*, deraill* | حادث, حادثة, تصادم, اصطدام
aircraft | plane, planes, aircraft, airliner*, avion*, jet, jets | طائرة, طائرات
explosion | explosion*, blast, blasts | انفجار, انفجارات
attack | attack*, attentat*, bombing*, airstrike* | هجوم, هجمات, اعتداء, تفجير
death | dead, death, deaths, killed, died, toll | قتيل, قتلى, قتيلا, وفاة, وفيات
death | morts, mort, tues, deces, victime* | ضحايا, مصرع, حصيلة
injury | injured, wounded, blesse* | جريح, جرحى, مصاب, مصابين
rescue | rescue*, secours, sauvet* | انقاذ, اسعاف
election | election*, electoral*, electeur*, ballot*, scrutin* | انتخابات, انتخابية, انتخاب, اقتراع
election | vote, votes, voted, voting, voter*, polls | تصويت, ناخب, ناخبين
parliament | parliament*, parlement*, deputes, lawmakers | برلمان, نواب
government | government*, gouvernement*, cabinet | حكومة
resignation | resign*, resignation*, demission* | استقالة
summit | summit*, sommet* | قمة
talks | talks, entretien*, pourparlers, negotiation*, negociation* | مباحثات, محادثات, مفاوضات
agreement | agreement*, accord, accords, treaty, treaties, traite | اتفاق, اتفاقية, معاهدة
court | court, courts, tribunal, tribunaux, verdict*, ruling | محكمة, محاكم
arrest | arrest*, interpell* | اعتقال, توقيف
protest | protest*, manifestation*, demonstration*, demonstrator* | احتجاج, احتجاجات, مظاهرة, مظاهرات
strike | strike, strikes, greve* | اضراب
epidemic | epidemic*, pandemic*, virus*, outbreak*, epidemie*, pandemie* | وباء, جائحة, فيروس
"""

# id | French and English words | Arabic words (a unit follows the number it measures; "cent" is
# the second word of "pour cent" / "per cent")
_UNITS = """
percent | percent, pourcent, cent, pct, pc | بالمائة, بالمئة, المائة, المئة
degree | degree, degrees, degre, degres | درجة, درجات
metre | metre, metres, meter, meters, m | متر, مترا, امتار
centimetre | centimetre, centimetres, centimeter, centimeters, cm | سنتيمتر, سنتيمترا, سم
kilometre | kilometre, kilometres, kilometer, kilometers, km | كيلومتر, كيلومترا, كلم
millimetre | millimetre, millimetres, millimeter, millimeters, mm | ملم, مليمتر
foot | feet, foot, ft, pieds | قدم, اقدام
tonne | tonne, tonnes, ton, tons | طن, اطنان
people | people, personnes, persons | شخص, شخصا, اشخاص
dollar | dollar, dollars, usd | دولار, دولارا
euro | euro, euros | يورو
dirham | dirham, dirhams, dh, mad | درهم, دراهم
riyal | riyal, riyals, rial, rials, qar | ريال, ريالا
"""

# Spelled-out numbers that wire copy writes in words before a unit ("trente centimètres").
_NUMBER_WORDS = """
2 | two, deux | اثنان, اثنين, اثنتين
3 | three, trois | ثلاثة, ثلاث
4 | four, quatre | اربعة, اربع
5 | five, cinq | خمسة, خمس
6 | six | ستة, ست
7 | seven, sept | سبعة, سبع
8 | eight, huit | ثمانية, ثماني
9 | nine, neuf | تسعة, تسع
10 | ten, dix | عشرة, عشر
20 | twenty, vingt | عشرين, عشرون
30 | thirty, trente | ثلاثين, ثلاثون
40 | forty, quarante | اربعين, اربعون
50 | fifty, cinquante | خمسين, خمسون
60 | sixty, soixante | ستين, ستون
70 | seventy | سبعين, سبعون
80 | eighty | ثمانين, ثمانون
90 | ninety | تسعين, تسعون
100 | hundred, cent | مائة, مئة
"""

# Month names: the Gregorian months as French, English (capitalised), Maghreb and Mashreq Arabic write them.
_MONTHS = """
1 | janvier, January, Jan | يناير
2 | fevrier, fev, February, Feb | فبراير
3 | mars, March, Mar | مارس
4 | avril, April, Apr | ابريل
5 | mai, May | ماي, مايو
6 | juin, June, Jun | يونيو
7 | juillet, July, Jul | يوليوز, يوليو
8 | aout, August, Aug | غشت, اغسطس
9 | septembre, sept, September, Sep | شتنبر, سبتمبر
10 | octobre, October, Oct | اكتوبر
11 | novembre, November, Nov | نونبر, نوفمبر
12 | decembre, December, Dec | دجنبر, ديسمبر
"""
# English month names are written with a capital; in lower case they are other words ("may", "march").
_CAPITALISED_MONTHS = frozenset(fold(w) for w in re.findall(r"\b[A-Z][a-z]+\b", _MONTHS))

_AR_NORMAL = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ى": "ي"})
_AR_ENDING = re.compile(r"(?:ية|ات|ين|ون|ة|ي|ا)$")


def _table(text: str) -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str]]:
    """(exact Latin forms, Latin prefixes, Arabic forms) -> id."""
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    arabic: dict[str, str] = {}
    for line in text.strip().splitlines():
        ident, latin, ar = (part.strip() for part in line.split("|"))
        for word in (w.strip() for w in latin.split(",")):
            if word.endswith("*"):
                prefixes.append((fold(word[:-1]), ident))
            else:
                exact[fold(word)] = ident
        for word in (w.strip().translate(_AR_NORMAL) for w in ar.split(",")):
            arabic[word.split()[0]] = ident  # a phrase is found by its first word
    return exact, sorted(prefixes, key=lambda p: -len(p[0])), arabic


_TABLES = {
    name: _table(text)
    for name, text in (("c", _CONCEPTS), ("u", _UNITS), ("n", _NUMBER_WORDS), ("m", _MONTHS))
}


@lru_cache(maxsize=65536)
def _lookup(table: str, word: str) -> str | None:
    exact, prefixes, arabic = _TABLES[table]
    if any("\u0600" <= c <= "\u06ff" for c in word):
        for form in arabic_forms(word):
            form = form.translate(_AR_NORMAL)
            if form in arabic:
                return arabic[form]
            stem = _AR_ENDING.sub("", form)
            if len(stem) >= 3 and stem in arabic:
                return arabic[stem]
        return None
    folded = fold(word)
    plural = folded[:-1] if folded[-1:] in "sx" and len(folded) > 3 and table != "m" else folded
    for form in (folded, plural):
        if form in exact:
            return exact[form]
    if len(folded) >= 4:
        for prefix, ident in prefixes:
            if folded.startswith(prefix):
                return ident
    return None


def concept(word: str) -> str | None:
    """The event concept a word names ("séisme", "earthquakes", "الزلزال" -> "earthquake"), or None."""
    return _lookup("c", word)


def unit(word: str) -> str | None:
    """The measure unit a word names ("degrés", "درجة" -> "degree"), or None."""
    return _lookup("u", word)


def number_word(word: str) -> int | None:
    """The value of a spelled-out number ("trente", "ثلاثين" -> 30), or None."""
    found = _lookup("n", word)
    return int(found) if found else None


def month(word: str) -> int | None:
    """The month a word names ("février", "Feb", "فبراير", "فبراير" -> 2), or None."""
    if word[:1].islower() and fold(word) in _CAPITALISED_MONTHS:
        return None
    found = _lookup("m", word)
    return int(found) if found else None
