"""The story window as columns: StoredStories (transforms/story.py) over the lake's signature rows.

A batch links ~30 articles against a window of tens of thousands (37 outlets over WINDOW).
Building a StoryDoc and a posting list per window article cost ~65 µs an article with real keys
(~66 keys each: 2.2 s for a 24k-article window, more than the rest of the process stage), and all
of it was thrown away after the batch. Here the window stays as Arrow columns: a batch's keys
are found with one vectorised `index_in` over the flattened key column, and only the candidate
articles become StoryDocs. Same answers as ListStories (tests/unit/test_story_linking.py).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms.story import StoryDoc


class TableStories:
    """Canonical signature rows (article_id, published_at, script, story_keys, story_id), already
    in publication order (then id): a row's position is its position in the window."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        keys = table.column("story_keys").combine_chunks()
        self._flat = pc.list_flatten(keys)
        self._owner = pc.list_parent_indices(keys).to_numpy()

    def __len__(self) -> int:
        return self._table.num_rows

    def postings(self, keys: Collection[str]) -> dict[str, list[int]]:
        if not keys or not len(self._flat):
            return {}
        wanted = pa.array(sorted(keys), type=pa.string())
        found = pc.index_in(self._flat, value_set=wanted)
        hit = found.is_valid().to_numpy(zero_copy_only=False)
        which = found.to_numpy(zero_copy_only=False)[hit].astype(np.int64)
        rows = self._owner[hit]
        order = np.lexsort((rows, which))  # by key, then position: postings come out ascending
        which, rows = which[order], rows[order]
        bounds = np.flatnonzero(np.diff(which)) + 1
        names = wanted.to_pylist()
        return {
            names[int(group[0])]: rows_of.tolist()
            for group, rows_of in zip(np.split(which, bounds), np.split(rows, bounds), strict=True)
            if len(group)
        }

    def doc(self, position: int) -> StoryDoc:
        row = self._table.slice(position, 1).to_pylist()[0]
        keys = frozenset(row["story_keys"] or ())
        return StoryDoc(row["article_id"], row["published_at"], row["script"], keys, row["story_id"])
