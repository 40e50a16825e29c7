"""Reading a CC-NEWS-shaped WARC file: warcio, FastWARC and nashra's member reader side by side.

    .venv/bin/python -m bench.warc_readers [--pages 4000] [--keep 0.02] [--backfill]
    PYTHONPATH=/tmp/fastwarc-bench .venv/bin/python -m bench.warc_readers   # FastWARC installed there
                                                                            # (pip install --target)

The file is generated (devkit.cc_news records): per page a request, a response and a metadata
record, ~60 kB of varied HTML per page (compresses ~4x, like news pages), `--keep` of the pages on
fixture outlets, the rest elsewhere. Each reader goes through every record and reads its whole
content, which is the work a filter cannot avoid on a gzip-per-record file (the member boundary is
only known once the member is inflated). Prints records/s and compressed MB/s, best of 3.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from devkit import cc_news
from devkit.fixture_web import truth

SENTENCE = (
    "the minister said on tuesday that talks with qatar on trade and ports would resume in doha next month "
    "while morocco expects growth of the digital economy and new investment in renewable energy"
)
WORDS = SENTENCE.split()


def _html(rng: random.Random, size: int) -> bytes:
    paragraphs = []
    total = 0
    while total < size:
        text = " ".join(rng.choice(WORDS) for _ in range(60)) + f" {rng.randrange(10**9)}."
        paragraphs.append(f"<p class='p{rng.randrange(99)}'>{text}</p>")
        total += len(paragraphs[-1])
    return ("<!DOCTYPE html><html><head><title>news</title></head><body>" + "".join(paragraphs)).encode()


def generate(path: Path, pages: int, keep: float, seed: int = 7) -> int:
    rng = random.Random(seed)  # noqa: S311 - reproducible filler text, nothing secret
    outlet_urls = [a.url for a in truth.ARTICLES]
    with path.open("wb") as out:
        out.write(cc_news.warcinfo())
        for i in range(pages):
            when = cc_news.FILE_TIME + timedelta(seconds=i)
            url = (
                rng.choice(outlet_urls) if rng.random() < keep else f"https://site{i % 997}.example/news/{i}"
            )
            body = _html(rng, 60_000)
            out.write(cc_news.request(url, when))
            out.write(cc_news.response(url, when, body, "text/html; charset=utf-8"))
            out.write(cc_news.metadata(url, when))
    return 1 + 3 * pages


def read_warcio(path: Path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    count = 0
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            record.content_stream().read()
            count += 1
    return count


def read_fastwarc(path: Path) -> int:
    from fastwarc import ArchiveIterator

    count = 0
    with path.open("rb") as stream:  # FastWARC 2 detects the gzip members itself
        for record in ArchiveIterator(stream, parse_http=True):
            record.reader.read()
            count += 1
    return count


def read_nashra(path: Path) -> int:
    from nashra.core.warc_stream import MemberReader

    count = 0
    with path.open("rb") as stream:
        for _ in MemberReader(stream, 0, max_record_bytes=20 << 20):
            count += 1
    return count


def filter_nashra(path: Path) -> int:
    """The backfill's reading and filtering, without publishing: records classified against the
    fixture registry and kept pages turned into RawPages."""
    from nashra.core.registry import load_registry
    from nashra.core.warc_stream import MemberReader
    from nashra.ops.backfill_batches import OutletMatcher, classify, raw_page

    matcher = OutletMatcher(load_registry(truth.REGISTRY_PATH).enabled())
    count = 0
    with path.open("rb") as stream:
        for record in MemberReader(stream, 0, max_record_bytes=20 << 20):
            outlet, _ = classify(record, matcher)
            if outlet is not None:
                raw_page(record, outlet, f"{outlet.id}-20260202T100000Z")
            count += 1
    return count


def backfill_end_to_end(path: Path, lake: Path) -> str:
    """`backfill_file` on the file into a local lake, as one line (rates and this process's peak RSS)."""
    import resource

    rates = backfill_file_timed(path, lake)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return (
        f"{'backfill_file, local lake':30s} {rates['records_per_s']:10,.0f} records/s "
        f"{rates['mb_per_s']:8.1f} MB/s  peak RSS {peak / 1024:.0f} MB"
    )


def best_of(fn: Callable[[Path], int], path: Path, rounds: int = 3) -> tuple[int, float]:
    times, count = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        count = fn(path)
        times.append(time.perf_counter() - started)
    return count, min(times)


def section(pages: int, work: Path) -> dict[str, object]:
    """`make bench`'s backfill section: the filter's records/s against bare warcio iteration over
    the same generated file (best of 3 each), and the whole backfill of the file into a local
    lake in a child process (a mapped task's work), with the child's peak RSS."""
    import json
    import subprocess
    import sys

    import psutil

    path = work / cc_news.FILE_NAME
    records = generate(path, pages, 0.02)
    _, bare_s = best_of(read_warcio, path)
    _, ours_s = best_of(filter_nashra, path)
    code = (
        "import json, sys; from pathlib import Path; "
        "from bench.warc_readers import backfill_file_timed as timed; "
        "print(json.dumps(timed(Path(sys.argv[1]), Path(sys.argv[2]))))"
    )
    child = psutil.Popen(
        [sys.executable, "-c", code, str(path), str(work / "lake")],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, child.memory_info().rss)
        except psutil.NoSuchProcess:
            break
        time.sleep(0.02)
    out = json.loads(child.stdout.read() if child.stdout else "{}")
    return {
        "records": records,
        "mb": round(path.stat().st_size / 1e6, 1),
        "warcio_records_per_s": round(records / bare_s),
        "filter_records_per_s": round(records / ours_s),
        "ratio": round(bare_s / ours_s, 3),
        "backfill_records_per_s": out.get("records_per_s"),
        "backfill_mb_per_s": out.get("mb_per_s"),
        "backfill_peak_rss_mib": round(peak / 2**20, 1),
    }


def backfill_file_timed(path: Path, lake: Path) -> dict[str, float]:
    """backfill_file on the file into a local lake (fixture registry): records/s and MB/s."""
    import os

    os.environ["NASHRA_REGISTRY"] = str(truth.REGISTRY_PATH)
    os.environ["NASHRA_LAKE_URI"] = str(lake)
    from nashra.ops.backfill import backfill_file

    started = time.perf_counter()
    report = backfill_file(str(path))
    seconds = time.perf_counter() - started
    mb = path.stat().st_size / 1e6
    return {"records_per_s": round(report.read / seconds), "mb_per_s": round(mb / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--pages", type=int, default=4000)
    parser.add_argument("--keep", type=float, default=0.02)
    parser.add_argument("--backfill", action="store_true", help="also backfill the file into a local lake")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / cc_news.FILE_NAME
        records = generate(path, args.pages, args.keep)
        mb = path.stat().st_size / 1e6
        print(f"{path.name}: {records} records, {mb:.1f} MB compressed")
        readers = {
            "warcio ArchiveIterator": read_warcio,
            "FastWARC ArchiveIterator": read_fastwarc,
            "nashra MemberReader": read_nashra,
            "nashra MemberReader + filter": filter_nashra,
        }
        for name, fn in readers.items():
            try:
                count, seconds = best_of(fn, path)
            except ImportError as exc:
                print(f"{name:30s} not installed ({exc.name})")
                continue
            assert count == records, (name, count, records)
            print(f"{name:30s} {count / seconds:10,.0f} records/s {mb / seconds:8.1f} MB/s  {seconds:6.2f} s")
        if args.backfill:
            print(backfill_end_to_end(path, Path(tmp) / "lake"))


if __name__ == "__main__":
    main()
