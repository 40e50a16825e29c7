"""parse_date / pick_published: Moroccan and Levantine month names, outlet timezones, precedence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from transforms.dates import parse_date, pick_published

CASA = "Africa/Casablanca"
DOHA = "Asia/Qatar"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        # Moroccan month names, which dateparser does not know
        ("الأحد 24 غشت 2025 - 14:30", CASA, utc(2025, 8, 24, 13, 30)),
        ("24 شتنبر 2025", CASA, utc(2025, 9, 23, 23, 0)),
        ("الخميس 3 يوليوز 2025 على الساعة 09:15", CASA, utc(2025, 7, 3, 8, 15)),
        ("الجمعة 9 ماي 2025 - 18:00", CASA, utc(2025, 5, 9, 17, 0)),
        ("12 نونبر 2024 10:00", CASA, utc(2024, 11, 12, 9, 0)),
        ("31 دجنبر 2024 23:59", CASA, utc(2024, 12, 31, 22, 59)),
        # Gulf/Egyptian and Levantine names, Arabic-Indic digits
        ("الأحد ٢٤ أغسطس ٢٠٢٥ - ١٤:٣٠", DOHA, utc(2025, 8, 24, 11, 30)),
        ("1 شباط 2026", DOHA, utc(2026, 1, 31, 21, 0)),
        ("السبت 1 تشرين الثاني 2025 الساعة 10:00 مساءً", DOHA, utc(2025, 11, 1, 19, 0)),
        ("24 كانون الثاني 2025", DOHA, utc(2025, 1, 23, 21, 0)),
        # French
        ("Le 07/04/2025 à 12h18", CASA, utc(2025, 4, 7, 11, 18)),  # UTC+1 outside Ramadan
        ("Le 15/03/2025 à 12h00", CASA, utc(2025, 3, 15, 12, 0)),  # UTC+0 during Ramadan 2025
        ("1er février 2026", CASA, utc(2026, 1, 31, 23, 0)),
        ("dimanche 1 février 2026 - 10:05", CASA, utc(2026, 2, 1, 9, 5)),
        ("Mis à jour le 2 févr. 2026 à 09h12", CASA, utc(2026, 2, 2, 8, 12)),
        # English
        ("Feb 1, 2026 10:05 AM", DOHA, utc(2026, 2, 1, 7, 5)),
        ("Sunday, 1 February 2026 10:05 PM", DOHA, utc(2026, 2, 1, 19, 5)),
        ("1 February 2026 10:05 GMT+1", DOHA, utc(2026, 2, 1, 9, 5)),
        # ISO 8601: an explicit offset wins over the outlet timezone
        ("2026-02-01T10:05:00+03:00", CASA, utc(2026, 2, 1, 7, 5)),
        ("2026-02-01T10:05:00Z", CASA, utc(2026, 2, 1, 10, 5)),
        ("2026-02-01 10:05", CASA, utc(2026, 2, 1, 9, 5)),
        ("2026-02-01 10:05:00 +03:00", CASA, utc(2026, 2, 1, 7, 5)),
        ("2026-02-01T10:05:00.000+0300", CASA, utc(2026, 2, 1, 7, 5)),
        # RSS pubDate (RFC 822)
        ("Sun, 01 Feb 2026 10:05:00 +0300", CASA, utc(2026, 2, 1, 7, 5)),
        ("Sun, 01 Feb 2026 10:05:00 GMT", DOHA, utc(2026, 2, 1, 10, 5)),
        # a Hijri date next to the Gregorian one
        ("1 ربيع الأول 1447 هـ الموافق 24 أغسطس 2025", DOHA, utc(2025, 8, 23, 21, 0)),
        # dateparser fallback
        ("Tuesday 3rd of March 2026", CASA, utc(2026, 3, 3, 0, 0)),
    ],
)
def test_parse_date(text: str, tz: str, expected: datetime) -> None:
    assert parse_date(text, tz) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", "il y a 3 heures", "منذ ساعتين", "hier", "n/a", "Web Summit Qatar 2026", "31/02/2025"]
)
def test_no_absolute_date_gives_none(text: str) -> None:
    assert parse_date(text, CASA) is None


def test_results_are_aware_utc() -> None:
    value = parse_date("الأحد 24 غشت 2025", CASA)
    assert value is not None and value.tzinfo is UTC


def test_unknown_timezone_falls_back_to_utc() -> None:
    assert parse_date("2025-08-24 14:30", "Mars/Olympus") == utc(2025, 8, 24, 14, 30)


NOW = utc(2026, 2, 3, 12, 0)


def test_precedence_jsonld_first() -> None:
    value, source = pick_published(
        tz=CASA, jsonld="2026-02-01T10:05:00+01:00", meta="2026-01-01", visible=["2 février 2026"], now=NOW
    )
    assert (value, source) == (utc(2026, 2, 1, 9, 5), "jsonld")


def test_falls_through_unparseable_sources_to_visible_text() -> None:
    value, source = pick_published(
        tz=CASA, jsonld="garbage", meta=None, visible=["", "Le 07/04/2025 à 12h18"], now=NOW
    )
    assert (value, source) == (utc(2025, 4, 7, 11, 18), "visible")


def test_htmldate_is_lazy_and_before_listing() -> None:
    calls: list[str] = []

    def htmldate() -> str:
        calls.append("x")
        return "2026-01-30"

    value, source = pick_published(tz=CASA, jsonld="2026-02-01", htmldate_value=htmldate, now=NOW)
    assert source == "jsonld" and not calls
    value, source = pick_published(tz=CASA, htmldate_value=htmldate, listing="2026-02-01", now=NOW)
    assert (value, source) == (utc(2026, 1, 29, 23, 0), "htmldate")


def test_visible_dates_are_searched_only_when_jsonld_and_meta_have_none() -> None:
    searched: list[str] = []

    def visible() -> list[str]:
        searched.append("x")
        return ["الإثنين 9 يونيو 2025 - 07:05", "منذ ساعتين"]

    assert pick_published(tz=CASA, meta="2026-02-01", visible=visible, now=NOW)[1] == "meta"
    assert not searched
    value, source = pick_published(tz=CASA, visible=visible, now=NOW)
    assert (value, source) == (utc(2025, 6, 9, 6, 5), "visible") and searched == ["x"]
    # the relative date is only used when no absolute one is found, from the same single search
    value, source = pick_published(tz=CASA, visible=lambda: ["منذ ساعتين"], now=NOW)
    assert (value, source) == (NOW - timedelta(hours=2), "visible_relative")


def test_listing_before_htmldate_text_guess() -> None:
    value, source = pick_published(
        tz=CASA, listing="Sun, 01 Feb 2026 10:05:00 +0100", guessed="2026-01-01", now=NOW
    )
    assert (value, source) == (utc(2026, 2, 1, 9, 5), "listing")


def test_future_dates_are_skipped_and_now_is_never_guessed() -> None:
    assert pick_published(tz=CASA, jsonld="2030-01-01T00:00:00Z", now=NOW) == (None, None)
    assert pick_published(tz=CASA, jsonld="2030-01-01T00:00:00Z", meta="2026-02-01", now=NOW)[1] == "meta"
    assert pick_published(tz=CASA, now=NOW) == (None, None)


# -- relative dates, resolved against the fetch time ------------------------------------------------

FETCHED = utc(2026, 2, 2, 11, 30)  # 12:30 in Casablanca, 14:30 in Doha


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("منذ ساعتين", CASA, utc(2026, 2, 2, 9, 30)),
        ("منذ 3 ساعات", DOHA, utc(2026, 2, 2, 8, 30)),
        ("منذ ساعة", CASA, utc(2026, 2, 2, 10, 30)),
        ("منذ ٥ دقائق", CASA, utc(2026, 2, 2, 11, 25)),
        ("منذ يومين", CASA, utc(2026, 1, 31, 11, 30)),
        ("نشر منذ 4 أيام", CASA, utc(2026, 1, 29, 11, 30)),
        ("il y a 3 heures", CASA, utc(2026, 2, 2, 8, 30)),
        ("Il y a une heure", CASA, utc(2026, 2, 2, 10, 30)),
        ("il y a 20 min", CASA, utc(2026, 2, 2, 11, 10)),
        ("Publié il y a 2 jours", CASA, utc(2026, 1, 31, 11, 30)),
        ("2 hours ago", DOHA, utc(2026, 2, 2, 9, 30)),
        ("an hour ago", DOHA, utc(2026, 2, 2, 10, 30)),
        ("3 days ago", DOHA, utc(2026, 1, 30, 11, 30)),
        # yesterday / today: in the outlet's timezone, midnight when no time is given
        ("أمس", CASA, utc(2026, 1, 31, 23, 0)),
        ("أمس على الساعة 14:30", CASA, utc(2026, 2, 1, 13, 30)),
        ("hier à 18h40", CASA, utc(2026, 2, 1, 17, 40)),
        ("Yesterday 10:05 PM", DOHA, utc(2026, 2, 1, 19, 5)),
        ("aujourd'hui à 09h15", CASA, utc(2026, 2, 2, 8, 15)),
        ("Today at 9:15 AM", DOHA, utc(2026, 2, 2, 6, 15)),
    ],
)
def test_parse_relative(text: str, tz: str, expected: datetime) -> None:
    from transforms.dates import parse_relative

    value = parse_relative(text, tz, FETCHED)
    assert value == expected
    assert value.tzinfo is UTC


@pytest.mark.parametrize("text", ["aujourd'hui", "today", "Web Summit Qatar 2026", "منذ البداية", ""])
def test_no_relative_date_gives_none(text: str) -> None:
    from transforms.dates import parse_relative

    assert parse_relative(text, CASA, FETCHED) is None


def test_yesterday_is_the_outlets_yesterday_not_utcs() -> None:
    from transforms.dates import parse_relative

    # 00:30 in Doha on Feb 2 is still Feb 1 in UTC: "أمس" there is Feb 1 (Doha), i.e. Jan 31 21:00 UTC.
    assert parse_relative("أمس", DOHA, utc(2026, 2, 1, 21, 30)) == utc(2026, 1, 31, 21, 0)


def test_relative_dates_come_after_every_absolute_source() -> None:
    value, source = pick_published(
        tz=CASA, visible=["منذ ساعتين"], listing="2026-02-02T08:00:00+00:00", now=NOW, fetched_at=FETCHED
    )
    assert (value, source) == (utc(2026, 2, 2, 8, 0), "listing")
    value, source = pick_published(tz=CASA, visible=["منذ ساعتين"], now=NOW, fetched_at=FETCHED)
    assert (value, source) == (utc(2026, 2, 2, 9, 30), "visible_relative")
    assert pick_published(tz=CASA, visible=["منذ ساعتين"]) == (None, None)  # no clock, no guess


def test_is_dateline_tells_a_date_line_from_a_sentence() -> None:
    from transforms.dates import is_dateline

    assert is_dateline("Le 07/04/2025 à 12h18")
    assert is_dateline("الخميس 12 غشت 2025")
    assert not is_dateline("12 morts le 3 mars 2025")
    assert not is_dateline("Dimanche à Doha, la ministre a reçu son homologue le 1 février 2026")
