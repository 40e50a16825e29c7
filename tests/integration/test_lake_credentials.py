"""The lake takes its AWS credentials from the Amazon provider's hook, like the SQS trigger: a
connection with a role_arn (what infra/terraform outputs) reaches the lake with the assumed role's
credentials. STS is a stub on loopback that answers AssumeRole with SeaweedFS's keys (and an empty
session token: SeaweedFS would look a token up in its own STS); the base credentials of the
connection alone are refused by SeaweedFS, so only the assumed role gets in."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest

from nashra.core import config
from nashra.core.config import settings
from nashra.core.lake import ensure_bucket, open_lake

ROLE = "arn:aws:iam::123456789012:role/nashra-pipeline"
ENV_NAMES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AIRFLOW_CTX_DAG_ID",
    "NASHRA_AIRFLOW_CONNECTIONS",
)


class StubSts:
    """AssumeRole answered with fixed credentials; every request body is kept."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.requests: list[dict[str, list[str]]] = []
        body = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
            f"<Credentials><AccessKeyId>{access_key}</AccessKeyId><SecretAccessKey>{secret_key}"
            "</SecretAccessKey><SessionToken></SessionToken>"
            "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser>"
            "<AssumedRoleId>AROASTUB:nashra</AssumedRoleId>"
            "<Arn>arn:aws:sts::123456789012:assumed-role/nashra-pipeline/nashra</Arn></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>"
            "</AssumeRoleResponse>"
        ).encode()
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                requests.append(parse_qs(self.rfile.read(length).decode()))
                self.send_response(200)
                self.send_header("content-type", "text/xml")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def sts(s3) -> Iterator[StubSts]:
    stub = StubSts(s3.access_key, s3.secret_key)
    yield stub
    stub.server.shutdown()


def _connection(s3, sts: StubSts | None) -> str:
    extra: dict[str, object] = {"endpoint_url": s3.endpoint, "region_name": "us-east-1"}
    if sts is not None:
        extra |= {"role_arn": ROLE, "service_config": {"sts": {"endpoint_url": sts.url}}}
    # Base credentials SeaweedFS does not know: the lake works only through the assumed role.
    return json.dumps(
        {"conn_type": "aws", "login": "AKIABASEONLY", "password": "base-secret", "extra": extra}
    )


@pytest.fixture
def bucket(s3, monkeypatch: pytest.MonkeyPatch) -> str:
    uri = f"s3://nashra-role-{uuid.uuid4().hex[:8]}/lake"
    with monkeypatch.context() as mp:
        for key, value in s3.env().items():
            mp.setenv(key, value)
        ensure_bucket(uri)
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    config._cached_aws.cache_clear()
    return uri


def test_a_role_arn_connection_reaches_the_lake(s3, sts: StubSts, bucket: str, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", _connection(s3, sts))
    cfg = settings()
    assert cfg.aws_access_key_id == s3.access_key and cfg.aws_secret_access_key == s3.secret_key
    assert cfg.s3_endpoint == s3.endpoint
    lake = open_lake(bucket, cfg)
    lake.write_json("probe/hello.json", {"via": "assumed role"})
    assert lake.read_json("probe/hello.json") == {"via": "assumed role"}
    (request,) = sts.requests  # assumed once, then cached
    assert request["Action"] == ["AssumeRole"] and request["RoleArn"] == [ROLE]
    # The crawl child gets the assumed credentials, not the connection.
    env = cfg.lake_env()
    assert env["AWS_ACCESS_KEY_ID"] == s3.access_key and env["AWS_SECRET_ACCESS_KEY"] == s3.secret_key


def test_without_the_role_the_base_credentials_are_refused(s3, bucket: str, monkeypatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", _connection(s3, None))
    cfg = settings()
    assert cfg.aws_access_key_id == "AKIABASEONLY"
    with pytest.raises(OSError):
        open_lake(bucket, cfg).write_json("probe/hello.json", {"via": "base"})
