"""news-please's extractor on the bench pages, run by a separate venv's Python (news-please pins
its own Scrapy/elasticsearch, so it is never installed into the project's venv).

Standard library + news-please only: this file is executed by path, without the project on sys.path
(its name must not be `newsplease.py`: the script's folder comes first on sys.path).

    <venv>/bin/python bench/newsplease_worker.py pages.json ROUNDS  ->  JSON on stdout
"""

from __future__ import annotations

import json
import sys
import time
import warnings


def main(path: str, rounds: int) -> dict[str, object]:
    warnings.filterwarnings("ignore")
    from newsplease import NewsPlease

    pages = json.loads(open(path, encoding="utf-8").read())  # noqa: SIM115 - read once, closed at exit
    for page in pages[:3]:  # warm-up: imports and lazy models
        try:
            NewsPlease.from_html(page["html"], url=page["url"], fetch_images=False)
        except Exception:  # noqa: BLE001, S112 - the timed loop counts failures
            continue
    extracted = failed = 0
    start = time.perf_counter()
    for _ in range(rounds):
        for page in pages:
            try:
                article = NewsPlease.from_html(page["html"], url=page["url"], fetch_images=False)
            except Exception:  # noqa: BLE001 - e.g. Arabic needs nltk data we cannot download: counted
                failed += 1
                continue
            extracted += bool(article and article.maintext)
    seconds = time.perf_counter() - start
    return {
        "pages": len(pages) * rounds,
        "with_text": extracted,
        "failed": failed,
        "seconds": round(seconds, 4),
        "pages_per_s": round(len(pages) * rounds / seconds, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def peak_rss_mib() -> float:
    """This process's high-water RSS. Not ru_maxrss: Linux carries it over exec() from the
    forking parent, so a child started by a big bench process would report the parent's peak."""
    with open("/proc/self/status", encoding="ascii") as status:
        kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    return kib / 1024


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
