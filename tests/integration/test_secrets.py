"""Secrets come only from the environment or Airflow connections, and never show in a repr, a log
line or a child process's output; no shell command line is ever built (from registry values or
anything else)."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import certifi
import pytest

from devkit.fixture_web import hostile
from nashra.core.config import settings, split_credentials
from nashra.stages.index import es_client

REPO = Path(__file__).resolve().parents[2]
API_KEY = "bmFzaHJhLXRlc3Q6c2VjcmV0LWFwaS1rZXktOTcxMg=="
PASSWORD = "pw-Zq7!never-logged"
AWS_SECRET = "aws-secret-Kx93jd0never-logged"
AWS_TOKEN = "aws-session-token-Qm2never-logged"
SECRETS = (API_KEY, PASSWORD, AWS_SECRET, AWS_TOKEN)
_ENV_NAMES = (
    "ES_URL",
    "ES_API_KEY",
    "ES_CA_CERTS",
    "ES_USERNAME",
    "ES_PASSWORD",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AIRFLOW_CTX_DAG_ID",
    "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT",
    "AIRFLOW_CONN_AWS_DEFAULT",
    "NASHRA_AIRFLOW_CONNECTIONS",
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# -- redaction -------------------------------------------------------------------------------------


def test_settings_repr_redacts_every_secret(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ES_URL", f"https://elastic:{PASSWORD}@es.internal:9243")
    clean_env.setenv("ES_API_KEY", API_KEY)
    clean_env.setenv("ES_CA_CERTS", "/etc/ssl/es-ca.pem")
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", AWS_SECRET)
    clean_env.setenv("AWS_SESSION_TOKEN", AWS_TOKEN)
    cfg = settings()
    for text in (repr(cfg), str(cfg), f"{cfg}", f"{cfg!r}"):
        _assert_no_secret(text)
        assert "es_api_key='***'" in text and "es_password='***'" in text
    # Credentials written into ES_URL are moved out of it: es_url is safe to print.
    assert cfg.es_url == "https://es.internal:9243"
    assert (cfg.es_username, cfg.es_password) == ("elastic", PASSWORD)
    assert cfg.es_api_key == API_KEY and cfg.es_ca_certs == "/etc/ssl/es-ca.pem"


def test_split_credentials() -> None:
    assert split_credentials("http://127.0.0.1:9200") == ("http://127.0.0.1:9200", None, None)
    assert split_credentials("https://u:p@h:1/x") == ("https://h:1/x", "u", "p")
    assert split_credentials("https://u:p@[::1]:9200") == ("https://[::1]:9200", "u", "p")


# -- Airflow connections ---------------------------------------------------------------------------


def test_outside_airflow_no_connection_is_read(clean_env: pytest.MonkeyPatch) -> None:
    cfg = settings()
    assert cfg.es_url == "http://127.0.0.1:9200" and cfg.es_api_key is None
    assert cfg.aws_access_key_id is None and cfg.aws_secret_access_key is None


def test_elasticsearch_default_connection_with_api_key_and_tls(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(
        "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT",
        json.dumps(
            {
                "conn_type": "elasticsearch",
                "host": "es.internal",
                "port": 9243,
                "extra": {"api_key": API_KEY, "ca_certs": "/etc/ssl/es-ca.pem"},
            }
        ),
    )
    cfg = settings()
    assert cfg.es_url == "https://es.internal:9243"
    assert cfg.es_api_key == API_KEY and cfg.es_ca_certs == "/etc/ssl/es-ca.pem"
    _assert_no_secret(repr(cfg))


def test_elasticsearch_default_uri_with_login_and_env_override(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(
        "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT",
        f"http://elastic:{PASSWORD.replace('!', '%21')}@es.internal:9200",
    )
    cfg = settings()
    assert cfg.es_url == "http://es.internal:9200"
    assert (cfg.es_username, cfg.es_password) == ("elastic", PASSWORD)
    clean_env.setenv("ES_URL", "https://other:9200")  # the environment wins over the connection
    assert settings().es_url == "https://other:9200" and settings().es_password is None


def test_aws_default_connection(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv(
        "AIRFLOW_CONN_AWS_DEFAULT",
        json.dumps(
            {
                "conn_type": "aws",
                "login": "AKIAFROMCONN",
                "password": AWS_SECRET,
                "extra": {
                    "endpoint_url": "http://127.0.0.1:8333",
                    "region_name": "eu-west-3",
                    "aws_session_token": AWS_TOKEN,
                },
            }
        ),
    )
    cfg = settings()
    assert (cfg.aws_access_key_id, cfg.aws_secret_access_key, cfg.aws_session_token) == (
        "AKIAFROMCONN",
        AWS_SECRET,
        AWS_TOKEN,
    )
    assert cfg.s3_endpoint == "http://127.0.0.1:8333" and cfg.s3_region == "eu-west-3"
    _assert_no_secret(repr(cfg))
    # The crawl child gets them in its environment (never argv) and does not look connections up.
    env = cfg.lake_env()
    assert env["AWS_SECRET_ACCESS_KEY"] == AWS_SECRET and env["NASHRA_AIRFLOW_CONNECTIONS"] == "0"
    # An access key pair in the environment wins, whole.
    clean_env.setenv("AWS_ACCESS_KEY_ID", "AKIAFROMENV")
    cfg = settings()
    assert cfg.aws_access_key_id is None and cfg.aws_secret_access_key is None  # boto3's own chain
    assert cfg.s3_endpoint == "http://127.0.0.1:8333"


def test_the_pyarrow_lake_takes_connection_credentials(clean_env: pytest.MonkeyPatch) -> None:
    from nashra.core.lake import open_lake

    clean_env.setenv(
        "AIRFLOW_CONN_AWS_DEFAULT", json.dumps({"conn_type": "aws", "login": "AKIAX", "password": AWS_SECRET})
    )
    lake = open_lake("s3://nashra-secrets-test/lake", settings())  # no request is made
    assert lake.root == "nashra-secrets-test/lake"
    _assert_no_secret(repr(lake.fs))


# -- the Elasticsearch client ----------------------------------------------------------------------


def _node_config(es: Any) -> Any:
    (node,) = es.transport.node_pool.all()
    return node.config


def test_es_client_with_api_key_and_ca_certs(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ES_URL", "https://es.internal:9243")
    clean_env.setenv("ES_API_KEY", API_KEY)
    clean_env.setenv("ES_CA_CERTS", certifi.where())
    es = es_client()  # builds the client; nothing is sent
    config_ = _node_config(es)
    assert config_.scheme == "https" and config_.host == "es.internal" and config_.port == 9243
    assert config_.ca_certs == certifi.where() and config_.verify_certs is True
    assert es._headers["authorization"] == f"ApiKey {API_KEY}"
    _assert_no_secret(repr(es))


def test_es_client_with_basic_auth(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("ES_URL", f"https://elastic:{PASSWORD}@es.internal:9243")
    es = es_client()
    assert es._headers["authorization"].startswith("Basic ")
    assert _node_config(es).host == "es.internal"


def test_failed_es_request_logs_no_secret(
    clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A request that fails (a closed port on 127.0.0.1) is logged and raised without its key."""
    from elasticsearch import ConnectionError as EsConnectionError

    clean_env.setenv("ES_URL", f"http://elastic:{PASSWORD}@127.0.0.1:9")
    clean_env.setenv("ES_API_KEY", API_KEY)
    caplog.set_level(logging.DEBUG)
    es = es_client().options(max_retries=0, request_timeout=2)
    with pytest.raises(EsConnectionError) as caught:
        es.info()
    _assert_no_secret(caplog.text)
    _assert_no_secret(str(caught.value) + repr(caught.value))


# -- a crawl and a process run with secrets in the environment ------------------------------------


def test_crawl_and_process_never_log_secrets(
    fixture_web: Any, tmp_path: Path, clean_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from nashra.stages import tasks
    from spiders.crawl import crawl_outlet

    env = {
        "NASHRA_FIXTURE_PROXY": fixture_web.proxy_url,
        "NASHRA_ALLOW_LOOPBACK": "1",
        "NASHRA_REGISTRY": str(hostile.REGISTRY_PATH),
        "NASHRA_LAKE_URI": str(tmp_path / "lake"),
        "ES_URL": f"http://elastic:{PASSWORD}@127.0.0.1:9",
        "ES_API_KEY": API_KEY,
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
        "AWS_SESSION_TOKEN": AWS_TOKEN,
        "NASHRA_SCRAPY_LOG_LEVEL": "DEBUG",  # Scrapy's most talkative level, settings dump included
        "NASHRA_DOWNLOAD_TIMEOUT": "3",
    }
    for name, value in env.items():
        clean_env.setenv(name, value)
    caplog.set_level(logging.DEBUG)
    # The crawl child, run directly so that its whole output can be read (on the small SSRF
    # sitemap of the hostile host: redirects, blocked addresses, one article).
    report = tmp_path / "report.json"
    registry = tmp_path / "outlets.yaml"
    registry.write_text(
        hostile.REGISTRY_PATH.read_text().replace(
            "http://hostile.test/sitemap.xml", "http://hostile.test/ssrf/sitemap.xml"
        )
    )
    # Test mode installs no root log handler (quiet test output); this one logs everything.
    run_logged = (
        "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
        "from spiders.crawl import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = [
        sys.executable,
        "-c",
        run_logged,
        "--outlet",
        hostile.OUTLET_ID,
        "--batch",
        "hostile_test-20260202T120000Z",
        "--today",
        "2026-02-02",
        "--registry",
        str(registry),
        "--report",
        str(report),
    ]
    proc = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "DEBUG:scrapy" in proc.stderr and "hostile.test/ssrf/ok.html" in proc.stderr  # it did talk
    _assert_no_secret(proc.stdout + proc.stderr)
    # The same through crawl_outlet (its error path quotes the child's stderr) and the process stage.
    crawl_outlet(
        hostile.OUTLET_ID, "hostile_test-20260202T130000Z", registry_path=str(registry), today="2026-02-02"
    )
    clean_env.setenv("NASHRA_REGISTRY", str(registry))
    results = tasks.process(hostile.OUTLET_ID)
    assert results and all(r["pages"] for r in results)
    _assert_no_secret(caplog.text)
    _assert_no_secret(json.dumps(results, default=str))


# -- no shell ------------------------------------------------------------------------------------

_SHELL_PATTERNS = [
    re.compile(p)
    for p in (
        r"shell\s*=\s*True",
        r"\bos\.system\s*\(",
        r"\bos\.popen\s*\(",
        r"\bos\.exec\w*\s*\(",
        r"subprocess\.getoutput|subprocess\.getstatusoutput",
        r"create_subprocess_shell",
        # a command given as one string (f-string or literal) instead of an argv list
        r"subprocess\.(?:run|Popen|call|check_call|check_output)\(\s*[fbr]?[\"']",
    )
]


def test_no_shell_command_strings_anywhere() -> None:
    offenders = []
    for folder in ("nashra", "spiders", "transforms", "devkit", "bench", "infra", "dags", "schemas", "tests"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if path.name == Path(__file__).name:
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(REPO)}: {p.pattern}" for p in _SHELL_PATTERNS if p.search(text)]
    assert offenders == []
