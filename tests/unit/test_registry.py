"""The outlet registry: the production file loads, URL scoping is strict, bad files fail loudly."""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from nashra.core.registry import (
    Discovery,
    Outlet,
    RegistryError,
    default_registry_path,
    load_registry,
)

# A minimal valid outlet in the fixture-web style (.test host, plain http) that each bad case mutates.
GOOD_OUTLET = """\
  - id: hespress_ar
    name: Hespress (fixture)
    country: MA
    languages: [ar]
    timezone: Africa/Casablanca
    homepage: http://hespress.test/
    allowed_domains: [hespress.test]
    cms: wordpress
    discovery:
      - {method: news_sitemap, url: "http://www.hespress.test/sitemap-news.xml", status: verified}
      - {method: feed, url: "http://hespress.test/feed", status: failing}
"""


def write_registry(tmp_path: Path, outlets: str, name: str = "outlets.yaml") -> Path:
    path = tmp_path / name
    body = "version: 1\ndefaults:\n  schedule: '@hourly'\n  politeness: {download_delay: 2.0}\n"
    path.write_text(body + "outlets:\n" + outlets)
    return path


def load_error(path: Path) -> str:
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    return str(info.value)


# --- the production registry ---------------------------------------------------------------------


def test_production_registry_loads_with_enough_outlets() -> None:
    registry = load_registry()
    countries = Counter(o.country for o in registry.outlets)
    assert countries["MA"] >= 17
    assert countries["QA"] >= 11
    ids = [o.id for o in registry.outlets]
    assert len(ids) == len(set(ids))


def test_every_production_outlet_is_crawlable() -> None:
    for outlet in load_registry().outlets:
        assert outlet.discovery, outlet.id
        assert outlet.families(), f"{outlet.id}: every discovery method is failing"
        assert all(outlet.allows_url(d.url) for d in outlet.discovery if d.url), outlet.id
        assert outlet.tz.key == outlet.timezone


def test_production_language_editions_are_separate_outlets() -> None:
    registry = load_registry()
    for oid in (
        "le360_fr",
        "le360_ar",
        "le360_en",
        "hespress_ar",
        "hespress_fr",
        "hespress_en",
        "map_ar",
        "map_fr",
        "map_en",
        "qna_ar",
        "qna_en",
        "aljazeera_ar",
        "aljazeera_en",
    ):
        assert registry.get(oid).languages == (oid.rsplit("_", 1)[1],)


def test_default_path_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NASHRA_REGISTRY", raising=False)
    assert default_registry_path() == Path(__file__).resolve().parents[2] / "spiders" / "outlets.yaml"
    path = write_registry(tmp_path, GOOD_OUTLET)
    monkeypatch.setenv("NASHRA_REGISTRY", str(path))
    assert load_registry().get("hespress_ar").homepage == "http://hespress.test/"


# --- Outlet behaviour ----------------------------------------------------------------------------


@pytest.fixture
def hespress(tmp_path: Path) -> Outlet:
    return load_registry(write_registry(tmp_path, GOOD_OUTLET)).get("hespress_ar")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://hespress.test/a", True),
        ("https://hespress.test/a", True),
        ("http://www.hespress.test/2025/a.html", True),  # subdomain
        ("http://fr.www.hespress.test/", True),  # deeper subdomain
        ("HTTP://WWW.Hespress.TEST/a", True),  # case-insensitive
        ("http://hespress.test:8080/a", True),  # port ignored
        ("http://evilhespress.test/a", False),  # lookalike, no dot boundary
        ("http://hespress.test.evil.test/a", False),  # suffix trick
        ("ftp://hespress.test/a", False),  # other scheme
        ("javascript:alert(1)", False),
        ("//hespress.test/a", False),  # scheme-relative
        ("http://user@evil.test/?x=hespress.test", False),
        ("not a url", False),
        ("http://[::1/", False),  # malformed netloc must not raise
    ],
)
def test_allows_url(hespress: Outlet, url: str, allowed: bool) -> None:
    assert hespress.allows_url(url) is allowed


def test_allows_url_lookalike_on_production_hespress() -> None:
    outlet = load_registry().get("hespress_ar")
    assert outlet.allows_url("https://www.hespress.com/x-123.html")
    assert not outlet.allows_url("https://evilhespress.com/x")
    assert not outlet.allows_url("ftp://www.hespress.com/x")


def test_failing_methods_are_listed_but_skipped(hespress: Outlet) -> None:
    assert hespress.families() == ["sitemap"]
    assert hespress.discovery_for("feed") == []
    assert [d.url for d in hespress.discovery_for("feed", include_failing=True)] == [
        "http://hespress.test/feed"
    ]
    with pytest.raises(ValueError, match="unknown discovery family"):
        hespress.discovery_for("rss")


def test_defaults_are_merged_and_overridable(tmp_path: Path) -> None:
    outlet = GOOD_OUTLET + "    politeness: {download_delay: 5}\n    schedule: '*/30 * * * *'\n"
    got = load_registry(write_registry(tmp_path, outlet)).get("hespress_ar")
    assert (got.politeness.download_delay, got.politeness.concurrency) == (5.0, 2)
    assert got.schedule == "*/30 * * * *"
    assert got.enabled is True


def test_monthly_template_expands_across_year_boundary() -> None:
    d = Discovery(
        method="monthly_sitemap",
        url_template="https://thepeninsulaqatar.com/sitemap_articles-{year}-{month}.xml",
        status="plausible",
        months_back=2,
    )
    assert d.family == "sitemap"
    assert d.urls(date(2026, 2, 3)) == [
        "https://thepeninsulaqatar.com/sitemap_articles-2026-2.xml",
        "https://thepeninsulaqatar.com/sitemap_articles-2026-1.xml",
        "https://thepeninsulaqatar.com/sitemap_articles-2025-12.xml",
    ]
    padded = Discovery(
        method="monthly_sitemap",
        url_template="http://x.test/{year}-{month:02d}.xml",
        status="verified",
        months_back=1,
    )
    assert padded.urls(date(2025, 1, 31)) == ["http://x.test/2025-01.xml", "http://x.test/2024-12.xml"]


def test_discovery_urls_from_production_peninsula() -> None:
    outlet = load_registry().get("thepeninsula")
    assert outlet.discovery_urls("sitemap", date(2025, 1, 1)) == [
        "https://thepeninsulaqatar.com/sitemap_articles-2025-1.xml",
        "https://thepeninsulaqatar.com/sitemap_articles-2024-12.xml",
    ]
    assert outlet.discovery_urls("feed", date(2025, 1, 1)) == []  # /feed is failing


def test_get_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(KeyError, match="hespress_ar"):
        load_registry().get("hespres_ar")


def test_registry_is_cached_until_the_file_changes(tmp_path: Path) -> None:
    path = write_registry(tmp_path, GOOD_OUTLET)
    first = load_registry(path)
    assert load_registry(path) is first
    path.write_text(path.read_text().replace("Hespress (fixture)", "Hespress (edited)"))
    later = time.time() + 5  # make sure the mtime moves even on coarse-grained filesystems
    os.utime(path, (later, later))
    assert load_registry(path).get("hespress_ar").name == "Hespress (edited)"


def test_hints_are_read_only(tmp_path: Path) -> None:
    outlet = GOOD_OUTLET + "    hints: {body_selector: div.article-content, extra: [a, b]}\n"
    got = load_registry(write_registry(tmp_path, outlet)).get("hespress_ar")
    assert got.hints["extra"] == ("a", "b")
    with pytest.raises(TypeError):
        got.hints["body_selector"] = "x"  # type: ignore[index]


# --- bad inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    cms: wordpress",
            "    cms: wordpress\n    timezon: Asia/Qatar",
            "outlets[0].timezon: unknown key; did you mean 'timezone'?",
        ),
        (
            "Africa/Casablanca",
            "Africa/Casa",
            "outlets[0].timezone: 'Africa/Casa' is not a known IANA timezone",
        ),
        ("country: MA", "country: TN", "outlets[0].country: 'TN' is not one of"),
        ("languages: [ar]", "languages: [de]", "outlets[0].languages[0]: 'de' is not one of"),
        (
            "http://www.hespress.test/sitemap-news.xml",
            "http://evil.test/sitemap-news.xml",
            "outlets[0].discovery[0].url: 'http://evil.test/sitemap-news.xml' is outside allowed_domains",
        ),
        (
            "homepage: http://hespress.test/",
            "homepage: http://evilhespress.test/",
            "outlets[0].homepage: 'http://evilhespress.test/' is outside allowed_domains",
        ),
        ("status: verified", "status: maybe", "outlets[0].discovery[0].status: 'maybe' is not one of"),
        ("    cms: wordpress\n", "", "outlets[0].cms: required key is missing"),
        (
            "cms: wordpress",
            "cms: wordpress\n    article_url_pattern: '(('",
            "outlets[0].article_url_pattern: regex does not compile",
        ),
        (
            "method: news_sitemap, url:",
            "method: monthly_sitemap, url_template:",
            "outlets[0].discovery[0].url_template: template 'http://www.hespress.test/sitemap-news.xml'",
        ),
        (
            "method: news_sitemap",
            "method: monthly_sitemap",
            "outlets[0].discovery[0].url: not allowed for this discovery method",
        ),
    ],
)
def test_bad_outlet_names_the_key(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD_OUTLET
    path = write_registry(tmp_path, GOOD_OUTLET.replace(old, new, 1))
    message = load_error(path)
    assert f"{path}: outlet hespress_ar, {expected}" in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("id: hespress_ar", "id: Hespress-AR", "expected lower-case letters, digits and underscores"),
        ("cms: wordpress", "cms: wordpress\n    schedule: every hour", "expected an Airflow preset (@hourly"),
        ("homepage: http://hespress.test/", "homepage: hespress.test", "expected an http(s) URL without"),
    ],
)
def test_a_value_of_the_wrong_form_is_explained_not_shown_as_a_regex(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD_OUTLET
    message = load_error(write_registry(tmp_path, GOOD_OUTLET.replace(old, new, 1)))
    assert expected in message
    assert "does not match" not in message and "^" not in message and "\\S" not in message


def test_duplicate_id(tmp_path: Path) -> None:
    second = GOOD_OUTLET.replace("http://", "https://").replace("Hespress (fixture)", "Copy")
    message = load_error(write_registry(tmp_path, GOOD_OUTLET + second))
    assert "outlets[1].id: duplicate id 'hespress_ar' (also outlets[0].id)" in message


def test_same_endpoint_in_two_outlets(tmp_path: Path) -> None:
    second = GOOD_OUTLET.replace("id: hespress_ar", "id: hespress_copy")
    message = load_error(write_registry(tmp_path, GOOD_OUTLET + second))
    expected = "outlets[1].discovery[0].url: 'http://www.hespress.test/sitemap-news.xml' is already listed"
    assert expected in message


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    bad = GOOD_OUTLET.replace("Africa/Casablanca", "Mars/Olympus").replace("country: MA", "country: XX")
    message = load_error(write_registry(tmp_path, bad))
    assert "outlets[0].timezone" in message
    assert "outlets[0].country" in message


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("version: 1\noutlets:\n  - id: a\n    languages: [ar\n    name: x\n")
    message = load_error(path)
    assert message.startswith(f"{path}: line ")
    assert "YAML syntax error" in message


def test_duplicated_yaml_key_is_an_error(tmp_path: Path) -> None:
    outlet = GOOD_OUTLET.replace("    cms: wordpress", "    cms: wordpress\n    cms: unknown")
    path = write_registry(tmp_path, outlet)
    assert "duplicated key 'cms'" in load_error(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot read registry" in load_error(tmp_path / "nope.yaml")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert "(top level): None is not of type 'object'" in load_error(path)


def test_partial_load_keeps_the_valid_outlets_and_names_the_bad_one(tmp_path) -> None:
    import yaml

    from nashra.core.registry import RegistryError, load_registry_partial

    doc = yaml.safe_load(default_registry_path().read_text(encoding="utf-8"))
    doc["outlets"][1]["timezone"] = "Africa/Casa"
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    registry, problems = load_registry_partial(path)
    assert [o.id for o in registry.outlets] == [o["id"] for i, o in enumerate(doc["outlets"]) if i != 1]
    oid = doc["outlets"][1]["id"]
    expected = f"{path}: outlet {oid}, outlets[1].timezone: 'Africa/Casa' is not a known IANA timezone"
    assert problems == [expected]
    doc["defaults"]["timezone"] = "Nowhere/Land"  # not confined to one outlet: the whole file fails
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegistryError, match=r"defaults\.timezone"):
        load_registry_partial(path)
