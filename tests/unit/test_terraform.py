"""Provider-free checks of infra/terraform (`terraform init` needs the provider registry, which
this build environment cannot reach): the files parse as HCL2, every reference resolves, and the
security properties the deployment relies on are present."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest

TF_DIR = Path(__file__).resolve().parents[2] / "infra" / "terraform"
REF = re.compile(r"\b(?:(data)\.)?(aws_[a-z0-9_]+)\.([a-z0-9_]+)\b|\bvar\.([a-z0-9_]+)\b")


def _clean(node: Any) -> Any:
    """python-hcl2 keeps quotes and bookkeeping keys; strip both."""
    if isinstance(node, dict):
        return {_unquote(k): _clean(v) for k, v in node.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return _unquote(node) if isinstance(node, str) else node


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


@pytest.fixture(scope="module")
def tf() -> dict[str, Any]:
    merged: dict[str, Any] = {"resource": {}, "data": {}, "variable": {}, "output": {}}
    for path in sorted(TF_DIR.glob("*.tf")):
        with path.open() as handle:
            doc = _clean(hcl2.load(handle))
        for kind in ("resource", "data"):
            for block in doc.get(kind, []):
                for rtype, named in block.items():
                    for name, body in named.items():
                        assert (rtype, name) not in merged[kind].get(rtype, {}), (
                            f"{rtype}.{name} declared twice"
                        )
                        merged[kind].setdefault(rtype, {})[name] = body
        for kind in ("variable", "output"):
            for block in doc.get(kind, []):
                merged[kind].update(block)
    return merged


def _one(tf: dict[str, Any], rtype: str, name: str = "lake") -> dict[str, Any]:
    return tf["resource"][rtype][name]


def test_every_reference_resolves(tf: dict[str, Any]) -> None:
    text = json.dumps(tf)
    for data, rtype, name, var in REF.findall(text):
        if var:
            assert var in tf["variable"], f"undeclared variable {var}"
        elif data:
            assert name in tf["data"].get(rtype, {}), f"undeclared data.{rtype}.{name}"
        else:
            assert name in tf["resource"].get(rtype, {}), f"undeclared {rtype}.{name}"


def test_bucket_is_private_encrypted_and_tls_only(tf: dict[str, Any]) -> None:
    block = _one(tf, "aws_s3_bucket_public_access_block")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    sse = _one(tf, "aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] in ("aws:kms", "AES256")
    tls = tf["data"]["aws_iam_policy_document"]["lake_tls_only"]["statement"][0]
    assert tls["effect"] == "Deny" and tls["condition"][0]["variable"] == "aws:SecureTransport"


def test_raw_archive_has_a_lifecycle(tf: dict[str, Any]) -> None:
    rules = _one(tf, "aws_s3_bucket_lifecycle_configuration")["rule"]
    raw = next(r for r in rules if r["id"] == "raw-archive")
    assert raw["filter"][0]["prefix"].endswith("/raw/")
    assert raw["transition"][0]["storage_class"] == "GLACIER_IR"
    assert any("abort_incomplete_multipart_upload" in r for r in rules)


def test_raw_batches_notify_the_queue_and_only_the_bucket_may_send(tf: dict[str, Any]) -> None:
    notification = _one(tf, "aws_s3_bucket_notification", "raw_batches")["queue"][0]
    assert notification["queue_arn"] == "${aws_sqs_queue.raw_events.arn}"
    assert notification["filter_prefix"].endswith("/raw/") and notification["filter_suffix"] == ".warc.gz"
    statement = tf["data"]["aws_iam_policy_document"]["raw_events_from_s3"]["statement"][0]
    assert statement["condition"][0]["values"] == ["${aws_s3_bucket.lake.arn}"]
    assert "redrive_policy" in _one(tf, "aws_sqs_queue", "raw_events")


def test_pipeline_policy_is_least_privilege(tf: dict[str, Any]) -> None:
    statements = tf["data"]["aws_iam_policy_document"]["pipeline"]["statement"]
    for st in statements:
        assert st["effect"] == "Allow"
        for action in st["actions"]:
            assert "*" not in action, f"wildcard action {action}"
        for resource in st["resources"]:
            assert resource != "*", f"{st['sid']} is not scoped"
    objects = next(st for st in statements if st["sid"] == "ReadWriteLakeObjects")
    assert objects["resources"] == ["${aws_s3_bucket.lake.arn}/${var.lake_prefix}/*"]
    assert "s3:DeleteBucket" not in {a for st in statements for a in st["actions"]}


def test_outputs_give_the_pipeline_its_settings(tf: dict[str, Any]) -> None:
    assert {"lake_uri", "raw_events_queue_url", "pipeline_role_arn"} <= set(tf["output"])
