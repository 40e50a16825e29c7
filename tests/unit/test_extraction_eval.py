"""The extraction targets, gated on the committed ar/fr/en evaluation set (tests/eval/extraction).

Tuning set, targets from the issue: no must-not snippet left, body F1 >= 0.97, every metadata field
>= 0.95 accurate, dates exact to the minute in UTC. The held-out split (tests/eval/extraction/heldout)
is gated at the level measured when it was written: see HELDOUT_* below. Speed is a benchmark,
printed by `nashra eval extraction`, not asserted here (two shared cores make timings noise).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.eval.extraction.debris import FAMILIES as TUNING_DEBRIS
from tests.eval.extraction.heldout import templates as heldout_templates
from tests.eval.extraction.heldout.pages import DEBRIS_YAML, TEXTS_YAML, fingerprint, heldout_pages
from tests.eval.extraction.pages import eval_pages
from tests.eval.extraction.score import META_FIELDS, Counts, SetScores, score_committed, score_set
from tests.eval.extraction.texts import WIKINEWS_YAML, all_texts

TRANSFORMS = Path(__file__).resolve().parents[2] / "transforms"

# Held-out gates, fixed when the split was written (2026-12-06, commit of this test) at the level
# measured then on its 84 pages: body F1 0.8956 (gate: measured - 0.01), 83 leaked must-not lines
# (gate: no more), and metadata fields correct on this many pages. Raising a gate needs extraction
# work judged on this split, in a commit that leaves tests/eval/extraction/heldout/ untouched;
# never edit the split to pass (README.md in tests/eval/extraction).
HELDOUT_MIN_F1 = 0.8856
# What the split scores (its pages' markup, outlets and truth), as written. Changing it is changing
# the split: only for a genuine labelling mistake, in a commit of its own that says so.
HELDOUT_FINGERPRINT = "f5471139d1d22d593bd900f70be68db8acf94ab12f273df4849796f7190f08df"
HELDOUT_MAX_LEAKS = 83
HELDOUT_MIN_META = {
    "title": 72,
    "authors": 76,
    "published_at": 84,
    "modified_at": 80,
    "section": 72,
    "tags": 72,
    "image_url": 72,
    "language": 84,
}


@pytest.fixture(scope="module")
def scores() -> tuple[Counts, Counts]:
    return score_committed()


@pytest.fixture(scope="module")
def heldout() -> SetScores:
    # no timing and no comparison with bare trafilatura asserted: neither a warm-up nor a bare pass
    return score_set(heldout_pages(), warm_up=False, bare=False)


def test_the_set_is_large_and_balanced() -> None:
    pages = eval_pages()
    assert len(pages) >= 60
    by_language = Counter(p.language for p in pages)
    assert set(by_language) == {"ar", "fr", "en"}
    assert min(by_language.values()) >= len(pages) // 3 - 2
    families = {p.family.split("_")[0] for p in pages}
    assert {"wordpress", "arc", "rssfeed", "jsonld"} <= families
    # pages of texts without a byline (Wikinews) expect no author; the others expect their byline
    assert any(p.expected["authors"] == [] for p in pages) and any(p.expected["authors"] for p in pages)
    for page in pages:
        assert page.must and page.must_not
        assert not any(bad in " ".join(page.must) for bad in page.must_not)


def test_no_boilerplate_is_left(scores: tuple[Counts, Counts]) -> None:
    ours, _bare = scores
    assert ours.leaks == []
    assert ours.fp == 0


def test_body_f1(scores: tuple[Counts, Counts]) -> None:
    ours, bare = scores
    assert ours.f1 >= 0.97, (ours.precision, ours.recall)
    assert ours.f1 > bare.f1  # the set would be pointless if bare trafilatura passed it


@pytest.mark.parametrize("name", META_FIELDS)
def test_metadata_accuracy(scores: tuple[Counts, Counts], name: str) -> None:
    ours, _bare = scores
    # published_at/modified_at are compared to the minute in UTC (seconds dropped)
    assert ours.accuracy(name) >= 0.95, name


# --- the held-out split ------------------------------------------------------------------------


def _heldout_strings() -> list[str]:
    """Every furniture wording of the held-out split (families, link titles, trails, bios, drafts)."""
    debris = yaml.safe_load(DEBRIS_YAML.read_text(encoding="utf-8"))
    out = [w for family in debris["families"].values() for words in family.values() for w in words]
    out += [t for key in ("related_titles", "most_read_titles") for ts in debris[key].values() for t in ts]
    out += [c[part] for c in debris["breadcrumb"].values() for part in ("home", "region")]
    for bio in debris["author_bio"].values():
        out += [bio["desk"], *(p.strip() for p in bio["person"].split("{name}") if p.strip())]
    return out + list(heldout_templates.DRAFT_NOTE.values())


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def test_heldout_debris_is_not_in_the_extraction_code() -> None:
    # What keeps the split held out: a wording copied into a cleaning pattern would score as a pass.
    code = {path.name: _fold(path.read_text(encoding="utf-8")) for path in TRANSFORMS.glob("*.py")}
    assert code
    found = [(s, name) for s in _heldout_strings() for name, text in code.items() if _fold(s) in text]
    assert found == []


def test_heldout_debris_and_texts_are_new() -> None:
    tuning = {_fold(w) for family in TUNING_DEBRIS.values() for words in family.values() for w in words}
    assert not [s for s in _heldout_strings() if _fold(s) in tuning]
    texts = yaml.safe_load(TEXTS_YAML.read_text(encoding="utf-8"))
    used = yaml.safe_load(WIKINEWS_YAML.read_text(encoding="utf-8"))  # tuning and dedup texts
    tuning_titles = {t.title for t in all_texts()} | {e["title"] for e in used.values()}
    for key, text in texts.items():
        assert key not in used and text["title"] not in tuning_titles, key
        assert text["licence"] and text["attribution"] and text["obtained_from"], key


def test_the_heldout_split_is_frozen() -> None:
    assert fingerprint(heldout_pages()) == HELDOUT_FINGERPRINT


def test_the_heldout_split_is_large_and_balanced() -> None:
    pages = heldout_pages()
    assert len(pages) >= 60
    assert len({p.name.split("-", 3)[3] for p in pages}) >= 9  # texts
    by_language = Counter(p.language for p in pages)
    assert set(by_language) == {"ar", "fr", "en"} and len(set(by_language.values())) == 1
    assert {p.family for p in pages} == set(heldout_templates.FAMILIES)
    assert not {p.family for p in pages} & {p.family for p in eval_pages()}
    for page in pages:
        assert page.must and len(page.must_not) >= 10, page.name
        assert not any(bad in " ".join(page.must) for bad in page.must_not)


def test_heldout_body(heldout: SetScores) -> None:
    assert heldout.ours.f1 >= HELDOUT_MIN_F1, (heldout.ours.precision, heldout.ours.recall)
    assert len(heldout.ours.leaks) <= HELDOUT_MAX_LEAKS, heldout.ours.leaks


@pytest.mark.parametrize("name", META_FIELDS)
def test_heldout_metadata(heldout: SetScores, name: str) -> None:
    assert heldout.ours.meta_ok.get(name, 0) >= HELDOUT_MIN_META[name], name
