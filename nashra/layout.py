"""Where each thing lives in the lake. One place, so writers and readers cannot disagree.

Date prefixes (`date=YYYY-MM-DD`) spread keys over S3 prefixes (rate limits apply per prefix) and
let readers prune partitions. File names carry the batch id, so a re-run overwrites its own files.
"""

from __future__ import annotations

from datetime import UTC, datetime

BATCH_TIME_FORMAT = "%Y%m%dT%H%M%SZ"


def new_batch_id(outlet_id: str, when: datetime) -> str:
    """`<outlet>-<UTC time>`: readable, sortable, and deterministic for an Airflow run's logical date."""
    return f"{outlet_id}-{when.astimezone(UTC).strftime(BATCH_TIME_FORMAT)}"


def batch_day(batch_id: str) -> str:
    stamp = batch_id.rsplit("-", 1)[1]
    return datetime.strptime(stamp, BATCH_TIME_FORMAT).strftime("%Y-%m-%d")


def raw_warc_path(outlet_id: str, day: str, batch_id: str, family: str) -> str:
    return f"raw/outlet={outlet_id}/date={day}/{batch_id}.{family}.warc.gz"


def raw_index_path(outlet_id: str, day: str, batch_id: str, family: str) -> str:
    return f"raw_index/outlet={outlet_id}/date={day}/{batch_id}.{family}.parquet"


def table_path(table: str, outlet_id: str, day: str, batch_id: str) -> str:
    return f"{table}/outlet={outlet_id}/date={day}/part-{batch_id}.parquet"


def manifest_path(stage: str, outlet_id: str, batch_id: str) -> str:
    return f"_manifests/{stage}/outlet={outlet_id}/{batch_id}.json"


def gx_result_path(outlet_id: str, batch_id: str) -> str:
    return f"_gx/outlet={outlet_id}/{batch_id}.json"
