"""The article texts of the evaluation set, by language.

Real published text: the two seed articles (French and Arabic, ``devkit/fixture_web/seeds``) and
five Wikinews articles (three English, two French) read by key from ``tests/eval/dedup/wikinews.yaml``,
which keeps each one's URL or source file, licence and attribution (the text is not copied here).
Written for this project (fictional events, news style): the two Arabic fixture-web texts, since no
openly licensed Arabic news text was found. README.md in this folder says which is which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from devkit.fixture_web import texts as fixture_texts
from devkit.fixture_web.seeds import load_seeds

WIKINEWS_YAML = Path(__file__).resolve().parent.parent / "dedup" / "wikinews.yaml"

# Wikinews articles used here (keys of wikinews.yaml): Gulf and Middle East news, several paragraphs.
WIKINEWS_KEYS = ("saudi_oil_en", "qaboos_en", "warholm_doha_en", "iraq_paris_fr", "liban_demission_fr")


@dataclass(frozen=True)
class EvalText:
    key: str
    language: str
    title: str
    paragraphs: tuple[str, ...]
    origin: str  # "seed (published)", "Wikinews (<licence>)" or "written for this project"
    bylined: bool = True  # False: the source names no author, so the pages carry no byline


def wikinews_texts(keys: tuple[str, ...] = WIKINEWS_KEYS) -> list[EvalText]:
    entries = yaml.safe_load(WIKINEWS_YAML.read_text(encoding="utf-8"))
    out = []
    for key in keys:
        entry = entries[key]
        licence = entry["licence"].split(" (")[0]
        out.append(
            EvalText(
                f"wikinews_{key}",
                entry["language"],
                entry["title"],
                tuple(entry["paragraphs"]),
                f"Wikinews ({licence}, {entry['attribution']})",
                bylined=False,  # Wikinews articles carry no byline
            )
        )
    return out


def all_texts() -> list[EvalText]:
    seeds = load_seeds()
    out = [
        EvalText(f"seed_{s.language}", s.language, s.title, tuple(s.paragraphs), "seed (published)")
        for s in seeds.values()
    ]
    fixture = {
        "fixture_hespress_heatwave": ("ar", fixture_texts.HESPRESS_HEATWAVE),
        "fixture_aljazeera_winds": ("ar", fixture_texts.ALJAZEERA_WINDS),
    }
    for key, (lang, (title, paragraphs)) in fixture.items():
        out.append(EvalText(key, lang, title, tuple(paragraphs), "written for this project"))
    out += wikinews_texts()
    return sorted(out, key=lambda t: (t.language, t.key))
