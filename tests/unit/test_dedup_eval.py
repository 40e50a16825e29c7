"""The dedup evaluation itself: scoring rules, the held-out freeze, and the wire-copy generator."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from tests.eval.dedup import generate
from tests.eval.dedup.score import FROZEN, SPLITS, _pr, frozen_digests, load_set, meets_targets, missed

WHEN = datetime(2020, 1, 5, 12, tzinfo=UTC)
BODY = (
    'PARIS - The minister said on Monday that 1,200 people were evacuated. "It was necessary", he added.\n\n'
    "According to officials, the fire started at 3 a.m. Firefighters also rescued two dogs.\n\n"
    "The building was built in 1932. It had been renovated in 2010.\n\n"
    "An inquiry has been opened."
)


def test_nothing_predicted_with_positives_labelled_is_precision_zero_not_one() -> None:
    nothing = _pr([True, False, True], [False, False, False])
    assert nothing["precision"] == 0.0 and nothing["recall"] == 0.0
    result = {"near_duplicate": nothing, "story": nothing}
    assert not meets_targets(result)  # a scorer that links nothing fails the gate
    assert "near_duplicate precision 0.000 < 0.98" in missed(result, {"near_duplicate": (0.98, None)})


def test_nothing_labelled_and_nothing_predicted_is_not_a_failure() -> None:
    assert _pr([False, False], [False, False])["precision"] == 1.0


def test_heldout_split_is_frozen() -> None:
    """Any change to a held-out text, label or generated copy shows here: such a change needs its own
    commit, never one that also changes the code it scores (README.md)."""
    frozen = dict(reversed(line.split()) for line in FROZEN.read_text(encoding="utf-8").splitlines())
    assert frozen_digests(load_set(SPLITS["heldout"])) == frozen


def test_heldout_texts_are_not_in_the_tuning_split() -> None:
    tuning, heldout = load_set(SPLITS["tuning"]) + load_set(SPLITS["tuning2"]), load_set(SPLITS["heldout"])
    assert not {d.title for d in tuning} & {d.title for d in heldout}
    assert not {d.body for d in tuning} & {d.body for d in heldout}


def test_heldout_copies_use_none_of_the_tuning_wordings() -> None:
    """No credit line the tuning split appends (set.yaml `edits`) is a held-out paragraph, and no dateline
    it prepends starts one: thresholds tuned on those strings have not seen these."""
    spec = yaml.safe_load(SPLITS["tuning"].read_text(encoding="utf-8"))
    edits = [(op, arg) for item in spec["documents"] for e in item.get("edits", []) for op, arg in e.items()]
    appended = {arg.strip() for op, arg in edits if op == "append"}
    prepended = {arg for op, arg in edits if op == "prepend"} | {"DOHA (MAP) - "}
    paragraphs = [p for d in load_set(SPLITS["heldout"]) if d.id != d.copy for p in d.body.split("\n\n")]
    assert not appended & set(paragraphs)
    assert not [p[:40] for p in paragraphs if p.startswith(tuple(prepended))]


def test_the_generator_imports_nothing_from_the_implementation() -> None:
    tree = ast.parse(Path(generate.__file__).read_text(encoding="utf-8"))
    modules = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in modules if m.split(".")[0] in ("nashra", "transforms", "schemas", "devkit")}


@pytest.mark.parametrize("family", sorted(set(generate.FAMILIES) - {"dateline_drop", "dateline_change"}))
def test_every_family_changes_the_copy_the_same_way_each_time(family: str) -> None:
    once = generate.derive("A fire in Paris", BODY[9:], "en", WHEN, [family], 7, {"place": "Paris"})
    again = generate.derive("A fire in Paris", BODY[9:], "en", WHEN, [family], 7, {"place": "Paris"})
    assert once == again
    assert once != ("A fire in Paris", BODY[9:])


def test_datelines_are_changed_or_dropped_only_where_there_is_one() -> None:
    _, body = generate.derive("t", BODY, "en", WHEN, ["dateline_drop"], 1)
    assert body.startswith("The minister said")
    _, body = generate.derive("t", BODY, "en", WHEN, ["dateline_change"], 1, {"place": "Paris"})
    assert not body.startswith("PARIS - ") and "The minister said" in body.split("\n\n")[0]
    with pytest.raises(ValueError, match="no dateline"):
        generate.derive("t", BODY[9:], "en", WHEN, ["dateline_drop"], 1)


def test_typography_turns_quotes_apostrophes_and_digits() -> None:
    _, fr = generate.derive("t", 'Il a dit : "l\'eau" !', "fr", WHEN, ["typography"], 1)
    assert fr == "Il a dit\u202f: «\u00a0l’eau\u00a0»\u202f!"
    bodies = {generate.derive("t", "بلغ العدد 176 شخصا", "ar", WHEN, ["typography"], s)[1] for s in range(8)}
    assert "بلغ العدد ١٧٦ شخصا" in bodies  # Arabic-Indic digits for some seeds, Latin for others
