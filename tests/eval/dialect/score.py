"""`python -m devkit eval dialect`: precision and recall of Darija (`ary`) detection, per paragraph.

Runs transforms.dialect.paragraph_evidence (the decision detect_dialect sums per article) over the
labelled splits in tests/eval/dialect/: the tuning split set.yaml, on which the lexicon and the
thresholds were chosen, and the frozen held-out split heldout/set.yaml, side by side, with the
article-level rule (detect_dialect) run on articles built from each split's paragraphs. `--set PATH` scores
one other set in the same format."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from tests.eval.dedup.score import _pr  # the same precision/recall rule as the dedup gates
from transforms.dialect import detect_dialect, paragraph_evidence

EVAL_DIR = Path(__file__).resolve().parent
SPLITS = {"tuning": EVAL_DIR / "set.yaml", "heldout": EVAL_DIR / "heldout" / "set.yaml"}
FROZEN = EVAL_DIR / "heldout" / "frozen.sha256"
# (precision, recall) on Darija paragraphs. Issue 19's targets; the gates are the levels measured on
# 2026-12-06 (tuning 35/35 with no false alarm; held-out, scored once after tuning: 29/30, no false
# alarm). A later change may raise them, never lower them.
TARGETS = (0.95, 0.9)
GATES = {"tuning": (1.0, 1.0), "heldout": (1.0, 0.966)}


def _seed_text(ref: str) -> str:
    from devkit.fixture_web.seeds import load_seeds

    language, _, part = ref.removeprefix("seed:").partition("#")
    seed = load_seeds()[language]
    return seed.title if part == "title" else seed.paragraphs[int(part)]


def load_set(path: Path) -> list[dict[str, Any]]:
    """The labelled paragraphs: id, dialect (ary or None), register, text (seed references resolved)."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))["paragraphs"]
    return [{**item, "text": item.get("text") or _seed_text(item["from"])} for item in items]


def frozen_digest() -> str:
    return hashlib.sha256(SPLITS["heldout"].read_bytes()).hexdigest()


def _articles(items: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    """Articles made of the split's paragraphs (title, body, is Darija): a Darija headline over a Darija
    paragraph and an MSA one (a street interview printed with its news frame), and MSA articles of
    four paragraphs (an MSA paragraph that quotes a Darija word among them)."""
    darija = [i["text"] for i in items if i["dialect"] == "ary"]
    msa = [i["text"] for i in items if i["dialect"] != "ary"]
    docs = [
        (text, "\n\n".join([darija[(n + 1) % len(darija)], msa[n % len(msa)]]), True)
        for n, text in enumerate(darija)
    ]
    docs += [(msa[n], "\n\n".join(msa[n + 1 : n + 4]), False) for n in range(0, len(msa) - 3, 4)]
    return docs


def evaluate(items: list[dict[str, Any]]) -> dict[str, Any]:
    evidence = [paragraph_evidence(i["text"]) for i in items]
    truth = [i["dialect"] == "ary" for i in items]
    predicted = [e.darija for e in evidence]
    by_register: Counter[str] = Counter()
    errors = []
    for item, t, p, e in zip(items, truth, predicted, evidence, strict=True):
        if t != p:
            by_register[item["register"]] += 1
            what = "missed" if t else "false alarm"
            errors.append(f"{item['id']} ({item['register']}) {what}: score {e.score} {list(e.markers)}")
    docs = _articles(items)
    article_pred = [detect_dialect(title, body) == "ary" for title, body, _ in docs]
    return {
        "paragraphs": len(items),
        "darija": sum(truth),
        "paragraph": _pr(truth, predicted),
        "article": _pr([t for *_, t in docs], article_pred),
        "errors_by_register": dict(by_register),
        "errors": errors,
    }


def missed(result: dict[str, Any], gate: tuple[float, float]) -> list[str]:
    m = result["paragraph"]
    return [
        f"{name} {m[name]:.3f} < {floor}"
        for name, floor in zip(("precision", "recall"), gate, strict=True)
        if m[name] < floor
    ]


def _line(name: str, m: dict[str, Any]) -> str:
    return (
        f"{name:>9}: precision {m['precision']:.3f} recall {m['recall']:.3f} "
        f"(tp {m['tp']}, fp {m['fp']}, fn {m['fn']})"
    )


def cmd_eval_dialect(args: argparse.Namespace) -> int:
    paths = {"set": Path(args.set)} if args.set else dict(SPLITS)
    try:
        results = {name: evaluate(load_set(path)) for name, path in paths.items()}
    except (OSError, KeyError, TypeError, yaml.YAMLError) as exc:
        print(f"eval dialect: cannot read the labelled set: {exc}")
        return 2
    if args.json:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return 0
    ok = True
    for name, r in results.items():
        counts = f"{r['paragraphs']} paragraphs, {r['darija']} Darija"
        print(f"dialect evaluation, {name}: {paths[name]} ({counts})")
        print(_line("paragraph", r["paragraph"]))
        print(_line("article", r["article"]))
        for error in r["errors"]:
            print(f"  {error}")
        below = missed(r, GATES.get(name, TARGETS))
        ok = ok and not below
        print(f"{name}: targets {'met' if not below else 'MISSED: ' + '; '.join(below)}")
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


def register(eval_subparsers: Any) -> None:
    """`python -m devkit eval dialect` (the `eval` parent is made in devkit.cli)."""
    p = eval_subparsers.add_parser("dialect", help="Darija (ary) detection P/R on tests/eval/dialect")
    p.add_argument("--json", action="store_true")
    p.add_argument("--set", help="score only this labelled set, same format (default: both splits)")
    p.set_defaults(fn=cmd_eval_dialect)
