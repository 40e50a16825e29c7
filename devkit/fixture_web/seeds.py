"""Load the two seed articles (French and Arabic, same event) and split article text from debris.

The seed files are plain-text scrapes: title on the first line, paragraphs, then page debris
(comment form, share widget, cookie banner) that a naive scraper picked up. The fixture web renders
the debris back as markup so extraction tests can check it is dropped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ENV_VAR = "NASHRA_SEEDS_DIR"
# A copy ships with the repo so a fresh clone works without the shared folder.
PACKAGED_DIR = Path(__file__).with_name("seeds")

# Lines that belong to the page chrome, not the article. Matched as substrings of a whole line.
DEBRIS_MARKERS: dict[str, tuple[str, ...]] = {
    "fr": ("Laisser un commentaire", "Your email address will not be published."),
    "ar": ("يمكنكم مشاركة المقال على منصتكم المفضلة", "اترك تعليقا", "ملفات تعريف الارتباط"),
}
_ARABIC = re.compile(r"[\u0600-\u06FF]")


class SeedsNotFoundError(FileNotFoundError):
    """The seed directory is missing or does not hold one French and one Arabic seed."""


@dataclass(frozen=True)
class Seed:
    language: str
    path: Path
    title: str
    paragraphs: tuple[str, ...]
    debris: tuple[str, ...]  # the debris lines, verbatim
    title_repeated: bool  # the scrape repeated the title as the first paragraph


def seeds_dir() -> Path:
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else PACKAGED_DIR


def parse_seed(text: str, language: str, path: Path) -> Seed:
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line]
    title, rest = lines[0], lines[1:]
    title_repeated = bool(rest) and rest[0] == title
    if title_repeated:
        rest = rest[1:]
    markers = DEBRIS_MARKERS[language]
    debris = tuple(line for line in rest if any(m in line for m in markers))
    paragraphs = tuple(line for line in rest if line not in debris)
    return Seed(language, path, title, paragraphs, debris, title_repeated)


@cache
def load_seeds() -> dict[str, Seed]:
    """Return ``{"fr": Seed, "ar": Seed}``; raise SeedsNotFoundError naming the directory tried."""
    folder = seeds_dir()
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    found: dict[str, Seed] = {}
    for path in files:
        text = path.read_text(encoding="utf-8")
        first_line = text.strip().splitlines()[0] if text.strip() else ""
        language = "ar" if _ARABIC.search(first_line) else "fr"
        found.setdefault(language, parse_seed(text, language, path))
    missing = {"fr", "ar"} - found.keys()
    if missing:
        raise SeedsNotFoundError(
            f"fixture web seeds: no {'/'.join(sorted(missing))} seed article (*.txt) in {folder} "
            f"(set {ENV_VAR} or restore {PACKAGED_DIR})"
        )
    return found
