"""`python -m devkit eval dedup`: precision and recall of near-duplicate detection and story linking.

Runs the pipeline's own functions (transforms.dedup.link_batch, fed one publication day at a
time with the state of the previous days, as the process stage does) over the labelled splits in
tests/eval/dedup/, side by side: the tuning splits (set.yaml, on which the thresholds were chosen,
and tuning2/set.yaml, the first held-out split, part of tuning since it was used to reject a change
on 2026-12-07) and the frozen held-out split heldout/set.yaml. It scores every pair of documents: a pair is
predicted "near-duplicate" when both end on the same canonical, "same story" when they get the same
story_id. `--set PATH` scores one other set in the same format."""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from nashra.core.model import Article, StoredArticle
from nashra.stages.dedup_state import WINDOW as STATE_WINDOW
from tests.eval.dedup import generate
from transforms import neardup, story
from transforms.dedup import link_batch, signature_rows, state_from_rows, stored_article

EVAL_DIR = Path(__file__).resolve().parent
SPLITS = {
    "tuning": EVAL_DIR / "set.yaml",
    "tuning2": EVAL_DIR / "tuning2" / "set.yaml",  # the first held-out split (2026-12-06), now tuning
    "heldout": EVAL_DIR / "heldout" / "set.yaml",
}
# (precision, recall) floors per metric. Tuning: the targets the thresholds were chosen to meet.
TARGETS = {"near_duplicate": (0.98, 0.95), "story": (0.95, None)}
# Issue 20's target for story linking, on every split: recall >= 0.9, across languages too.
ISSUE_TARGETS = {"story": (0.95, 0.9), "story_cross_lingual": (None, 0.9)}
# Held-out: gates fixed when the split was written, at the level measured then where that is below
# the target (tests/unit/test_story_linking.py and tests/eval/dedup/README.md give target and
# measured value). A later change may raise them, never lower them.
HELDOUT_GATES: dict[str, tuple[float | None, float | None]] = {
    # The second held-out split, written 2026-12-07 and measured with the code of that day before
    # any change judged on it: the targets where met, else the measured level.
    "near_duplicate": (0.98, 0.95),  # targets 0.98 / 0.95, measured 1.000 / 1.000 (15/0/0)
    # Raised after the cross-language threshold (4.0) and name pairs counted once: 0.555 / 0.438 before.
    "story": (0.95, 0.625),  # targets 0.95 / 0.9, measured 1.000 / 0.625 (45/45, 45/72)
    "story_cross_lingual": (None, 0.526),  # recall: target 0.9, measured 0.526 (30/57)
}
# tuning2 was the held-out split until 2026-12-07: its floors are its last held-out gates, as a
# regression net (the targets stay the issue's).
TUNING2_GATES: dict[str, tuple[float | None, float | None]] = {
    "near_duplicate": (0.98, 0.95),
    "story": (0.95, 0.85),  # measured 1.000 / 0.850 (68/68, 68/80); 0.857 / 0.75 when it was held out
    "story_cross_lingual": (None, 0.843),  # measured 0.843 (43/51)
}
GATES = {"tuning": TARGETS, "tuning2": TUNING2_GATES, "heldout": HELDOUT_GATES}
FROZEN = EVAL_DIR / "heldout" / "frozen.sha256"


@dataclass(frozen=True)
class Doc:
    id: str
    language: str
    published_at: datetime
    title: str
    body: str
    story: str
    copy: str  # the original a wire edit was derived from (itself for an original)
    real: bool = False  # published text (seed:, wikinews:), or a wire edit of one


def _source_file(directory: Path, name: str) -> Path:
    """A set's own written.yaml / wikinews.yaml (the held-out split has its own), else the tuning one's."""
    own = directory / name
    return own if own.exists() else EVAL_DIR / name


@cache  # pure-Python YAML is slow: parse each source file once, not once per document
def _texts(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _source_text(source: str, directory: Path = EVAL_DIR) -> tuple[str, str, dict[str, Any]]:
    kind, _, key = source.partition(":")
    if kind == "seed":
        from devkit.fixture_web.seeds import load_seeds

        seed = load_seeds()[key]
        return seed.title, "\n\n".join(seed.paragraphs), {}
    if kind == "fixture":
        from devkit.fixture_web import texts

        title, paragraphs = getattr(texts, key)
        return title, "\n\n".join(paragraphs), {}
    if kind == "written":
        spec = _texts(_source_file(directory, "written.yaml"))[key]
        return spec["title"], spec["body"], spec
    if kind == "wikinews":  # real published text under an open licence (wikinews.yaml)
        spec = _texts(_source_file(directory, "wikinews.yaml"))[key]
        return spec["title"], "\n\n".join(spec["paragraphs"]), spec
    raise ValueError(f"unknown source {source!r}")


_SENTENCE = re.compile(r"(?<=[.!?؟])\s+")


def apply_edit(title: str, body: str, edit: dict[str, Any]) -> tuple[str, str]:
    """One realistic wire edit: title, dateline or credit, replaced text, dropped paragraph/sentence,
    or a teaser (a portal's or a newsletter's excerpt of the article)."""
    ((op, arg),) = edit.items()
    paragraphs = body.split("\n\n")
    if op == "title":
        return arg, body
    if op == "prepend":
        return title, arg + body
    if op == "append":
        return title, f"{body}\n\n{arg}"
    if op == "replace":
        old, new = arg
        if old not in body:
            raise ValueError(f"edit {edit}: text not found")
        return title, body.replace(old, new, 1)
    if op == "drop_paragraph":
        del paragraphs[arg]
        return title, "\n\n".join(paragraphs)
    if op == "teaser":  # the lead's first sentences, an ellipsis, and a line pointing to the article
        count, line = arg
        return title, " ".join(_SENTENCE.split(paragraphs[0])[:count]) + " ...\n\n" + line
    if op == "drop_sentence":
        para, sentence = arg
        sentences = _SENTENCE.split(paragraphs[para])
        del sentences[sentence]
        paragraphs[para] = " ".join(sentences)
        return title, "\n\n".join(p for p in paragraphs if p.strip())
    raise ValueError(f"unknown edit {op!r}")


def _derive(base: Doc, item: dict[str, Any]) -> tuple[str, str]:
    """A wire copy: the tuning split's hand-listed `edits`, or the held-out split's generated `families`."""
    if "families" in item:
        families, seed, params = item["families"], item["seed"], item.get("params")
        return generate.derive(
            base.title, base.body, base.language, base.published_at, families, seed, params
        )
    title, body = base.title, base.body
    for edit in item["edits"]:
        title, body = apply_edit(title, body, edit)
    return title, body


def load_set(path: Path | None = None) -> list[Doc]:
    path = path or SPLITS["tuning"]
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    docs: dict[str, Doc] = {}
    for item in spec["documents"]:
        source = item["from"]
        if source.startswith("derived:"):
            base = docs[source.split(":", 1)[1]]
            title, body = _derive(base, item)
            when = base.published_at + timedelta(hours=item.get("hours", 1))
            docs[item["id"]] = Doc(
                item["id"], base.language, when, title, body, base.story, base.copy, base.real
            )
            continue
        title, body, extra = _source_text(source, path.parent)
        language = item.get("language") or extra["language"]
        when = datetime.fromisoformat(item.get("published_at") or extra["published_at"])
        real = source.split(":", 1)[0] in ("seed", "wikinews")
        docs[item["id"]] = Doc(item["id"], language, when, title, body, item["story"], item["id"], real)
    return list(docs.values())


def _record(doc: Doc) -> StoredArticle:
    """The document as the process stage would store it; fields the linking does not read are blank."""
    digest = hashlib.sha256(neardup.normalize_for_hash(doc.body).encode()).hexdigest()
    article = Article(
        article_id=doc.id,
        canonical_url="",
        url="",
        outlet_id="",
        country="",
        language=doc.language,
        title=doc.title,
        body=doc.body,
        authors=[],
        section=None,
        tags=[],
        image_url=None,
        published_at=doc.published_at,
        modified_at=None,
        fetched_at=doc.published_at,
        content_hash=digest,
        word_count=len(doc.body.split()),
        batch_id="",
        page_id=doc.id,
        discovery="",
    )
    return stored_article(article)


def run_pipeline(docs: list[Doc]) -> dict[str, StoredArticle]:
    """Feed the documents day by day, as batches, each against the state of the days before."""
    stored: list[dict[str, Any]] = []  # signature rows, as the lake keeps them
    out: dict[str, StoredArticle] = {}
    by_day: dict[str, list[Doc]] = {}
    for doc in sorted(docs, key=lambda d: d.published_at):
        by_day.setdefault(doc.published_at.date().isoformat(), []).append(doc)
    for day in sorted(by_day):
        batch_start = datetime.fromisoformat(day).replace(tzinfo=by_day[day][0].published_at.tzinfo)
        window = [r for r in stored if r["published_at"] >= batch_start - STATE_WINDOW]
        state = state_from_rows(window)
        records = [_record(d) for d in by_day[day]]
        seen: dict[str | None, str] = {}
        for record in records:  # exact duplicates first, as in the process stage
            owner = seen.setdefault(record.article.content_hash, record.article.article_id)
            if owner != record.article.article_id:
                record.dedup_status, record.duplicate_of = "duplicate", owner
        signatures = link_batch(records, state)
        stored += signature_rows(records, signatures)
        out.update({r.article.article_id: r for r in records})
    return out


def _root(records: dict[str, StoredArticle], ident: str) -> str:
    while owner := records[ident].duplicate_of:
        ident = owner
    return ident


def _pr(truth: list[bool], predicted: list[bool]) -> dict[str, float | int]:
    tp = sum(t and p for t, p in zip(truth, predicted, strict=True))
    fp = sum(p and not t for t, p in zip(truth, predicted, strict=True))
    fn = sum(t and not p for t, p in zip(truth, predicted, strict=True))
    return {
        # Nothing predicted while positives are labelled is a failure, not a perfect precision (issue 20);
        # with no positive and no prediction there is nothing to get wrong.
        "precision": tp / (tp + fp) if tp + fp else (0.0 if fn else 1.0),
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def evaluate(docs: list[Doc] | None = None) -> dict[str, Any]:
    docs = docs if docs is not None else load_set()
    rows = run_pipeline(docs)
    pairs = list(itertools.combinations(docs, 2))
    near_truth = [a.copy == b.copy for a, b in pairs]
    near_pred = [_root(rows, a.id) == _root(rows, b.id) for a, b in pairs]
    story_truth = [a.story == b.story for a, b in pairs]
    story_pred = [rows[a.id].story_id == rows[b.id].story_id for a, b in pairs]
    cross = [i for i, (a, b) in enumerate(pairs) if a.language != b.language]
    real = [i for i, (a, b) in enumerate(pairs) if a.real and b.real]
    errors = [
        f"{kind}: {a.id} ~ {b.id} {'missed' if t else 'wrongly linked'}"
        for kind, truth, pred in (("near-dup", near_truth, near_pred), ("story", story_truth, story_pred))
        for (a, b), t, p in zip(pairs, truth, pred, strict=True)
        if t != p
    ]
    return {
        "documents": len(docs),
        "pairs": len(pairs),
        "near_duplicate": _pr(near_truth, near_pred),
        "story": _pr(story_truth, story_pred),
        "story_cross_lingual": _pr([story_truth[i] for i in cross], [story_pred[i] for i in cross]),
        "story_real_text": _pr([story_truth[i] for i in real], [story_pred[i] for i in real]),
        "errors": errors,
    }


def sweep(docs: list[Doc]) -> dict[str, list[tuple[float, dict[str, float | int]]]]:
    """Pairwise P/R of each decision alone at several thresholds (how the thresholds were chosen)."""
    pairs = list(itertools.combinations(docs, 2))
    sigs = {d.id: neardup.minhash(d.body) for d in docs}
    sims = [neardup.similarity(sigs[a.id], sigs[b.id]) for a, b in pairs]
    truth = [a.copy == b.copy for a, b in pairs]
    near = [(t, _pr(truth, [s >= t for s in sims])) for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)]
    sdocs = {
        d.id: story.StoryDoc(d.id, d.published_at, *story.story_keys(d.title, d.body, d.language))
        for d in docs
    }
    # Story linking is judged on pairs that are not copies of each other: copies are linked by dedup.
    distinct = [(a, b) for a, b in pairs if a.copy != b.copy]
    scores = [story.score(sdocs[a.id], sdocs[b.id]) for a, b in distinct]
    struth = [a.story == b.story for a, b in distinct]
    stories = []
    for t in (3.0, 4.0, 5.0, story.THRESHOLD, 6.0, 8.0, 10.0):
        stories.append((t, _pr(struth, [s >= t for s in scores])))
    return {"near_duplicate": near, "story": stories}


def _fmt(name: str, m: dict[str, Any]) -> str:
    return (
        f"{name:<22} precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
        f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
    )


_ROWS = (
    ("near-duplicate", "near_duplicate"),
    ("story linking", "story"),
    ("  cross-lingual pairs", "story_cross_lingual"),
    ("  real-text pairs", "story_real_text"),
)


def _cell(m: dict[str, Any]) -> str:
    return f"{m['precision']:.3f} / {m['recall']:.3f} ({m['tp']}/{m['fp']}/{m['fn']})"


def side_by_side(results: dict[str, dict[str, Any]]) -> list[str]:
    """One column per split: P / R (tp/fp/fn) of each metric."""
    names = list(results)
    head = "".join(
        f"{n} ({results[n]['documents']} docs, {results[n]['pairs']} pairs)".ljust(34) for n in names
    )
    lines = [f"{'P / R (tp/fp/fn)':<22} {head}"]
    for label, key in _ROWS:
        lines.append(f"{label:<22} " + "".join(_cell(results[n][key]).ljust(34) for n in names))
    return lines


def missed(result: dict[str, Any], targets: dict[str, tuple[float | None, float | None]]) -> list[str]:
    """The floors a result is below ("story recall 0.612 < 0.9"); empty when all are met."""
    out = []
    for key, floors in targets.items():
        for name, floor in zip(("precision", "recall"), floors, strict=True):
            if floor is not None and result[key][name] < floor:
                out.append(f"{key} {name} {result[key][name]:.3f} < {floor:g}")
    return out


def meets_targets(
    result: dict[str, Any], targets: dict[str, tuple[float | None, float | None]] = TARGETS
) -> bool:
    return not missed(result, targets)


def frozen_digests(docs: list[Doc]) -> dict[str, str]:
    """A digest per document of everything scored (text, language, time, labels): the held-out freeze."""
    out = {}
    for d in docs:
        text = "\x1f".join((d.id, d.language, d.published_at.isoformat(), d.story, d.copy, d.title, d.body))
        out[d.id] = hashlib.sha256(text.encode()).hexdigest()
    return out


def write_frozen() -> None:
    """Rewrite heldout/frozen.sha256 (only when the held-out split itself is deliberately changed)."""
    digests = frozen_digests(load_set(SPLITS["heldout"]))
    FROZEN.write_text("".join(f"{h}  {i}\n" for i, h in digests.items()), encoding="utf-8")


def _print_split(
    name: str, result: dict[str, Any], gates: dict[str, tuple[float | None, float | None]]
) -> bool:
    if name == "heldout":  # which held-out pairs fail is what a tuner would look at: counts only
        print(f"  [{name}] {len(result['errors'])} pairs wrong (not listed: the split is held out)")
    else:
        for line in result["errors"]:
            print(f"  [{name}] {line}")
    below_gate, below_issue = missed(result, gates), missed(result, ISSUE_TARGETS)
    print(f"{name}: gates {'met' if not below_gate else 'MISSED: ' + '; '.join(below_gate)}")
    print(f"{name}: issue 20 targets {'met' if not below_issue else 'not met: ' + '; '.join(below_issue)}")
    return not below_gate


def cmd_eval_dedup(args: argparse.Namespace) -> int:
    # --set: one labelled set, as before, against the tuning targets; else the two splits side by side.
    paths = {"set": Path(args.set)} if args.set else dict(SPLITS)
    docs = {name: load_set(path) for name, path in paths.items()}
    results = {name: evaluate(d) for name, d in docs.items()}
    if args.json:
        print(json.dumps(results if len(results) > 1 else results["set"], indent=1))
        return 0
    for name, path in paths.items():
        print(f"dedup evaluation, {name}: {path}")
    print("\n".join(side_by_side(results)))
    ok = all(_print_split(n, r, GATES.get(n, TARGETS)) for n, r in results.items())
    if args.sweep:
        name = "tuning" if "tuning" in docs else "set"
        for metric, rows in sweep(docs[name]).items():
            print(f"sweep {metric} on {name} (pairwise, this decision alone):")
            for threshold, m in rows:
                print("  " + _fmt(f"threshold {threshold:g}", m))
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


def register(eval_subparsers: Any) -> None:
    """`python -m devkit eval dedup` (the `eval` parent is made in devkit.cli)."""
    p = eval_subparsers.add_parser("dedup", help="near-duplicate and story-linking P/R on tests/eval/dedup")
    p.add_argument("--sweep", action="store_true", help="also print P/R per threshold")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--set", help="score only this labelled set, same format (default: tuning and held-out splits)"
    )
    p.set_defaults(fn=cmd_eval_dedup)
