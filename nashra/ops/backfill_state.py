"""How far a backfill got in one source WARC file, kept in the lake next to the other batch state.

The state is written after the raw batches it describes (nashra.ops.backfill_batches), so it never
claims more than the lake holds: `offset` is the end of the last record whose outcome is in the
published batches and in `counts`; `batches` records each outlet's batch and the size of its
WARC file at that moment (a batch published after the state, by a task killed before its next
state write, is cut back to that size when the file is resumed). `done` marks a finished file: a
later run skips it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from nashra.core.cc_news import file_name, month_key
from nashra.core.lake import Lake
from nashra.core.ledger import backfill_state_path


@dataclass
class Counts:
    """Records read, kept per outlet and skipped per reason: read == kept + skipped, always."""

    read: int = 0
    kept: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {"read": self.read, "kept": dict(self.kept), "skipped": dict(self.skipped)}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Counts:
        return cls(int(doc.get("read", 0)), Counter(doc.get("kept", {})), Counter(doc.get("skipped", {})))


@dataclass
class FileState:
    uri: str
    done: bool = False
    offset: int = 0
    size: int | None = None  # of the source file, when its server says
    anchor: str | None = None  # the batches' time (ISO), fixed on first read
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)  # outlet -> batch_id, bytes, pages
    counts: Counts = field(default_factory=Counts)
    updated: str = ""

    @property
    def name(self) -> str:
        return file_name(self.uri)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts.as_json(), "name": self.name}


def state_path(uri: str) -> str:
    return backfill_state_path(month_key(uri), file_name(uri))


def load_state(lake: Lake, uri: str) -> FileState:
    try:
        doc = lake.read_json(state_path(uri))
    except FileNotFoundError:
        return FileState(uri)
    return FileState(
        uri=uri,
        done=bool(doc.get("done")),
        offset=int(doc.get("offset", 0)),
        size=doc.get("size"),
        anchor=doc.get("anchor"),
        batches=dict(doc.get("batches") or {}),
        counts=Counts.from_json(doc.get("counts") or {}),
        updated=str(doc.get("updated", "")),
    )


def save_state(lake: Lake, state: FileState) -> None:
    state.updated = datetime.now(UTC).isoformat(timespec="seconds")
    lake.write_json(state_path(state.uri), state.as_json())
