"""`make airflow`'s environment: what made the first real runs fail, pinned.

Measured with the real `airflow standalone` here: with the api-server on another port than 8080,
task processes could not reach the execution API (every task SIGKILLed after "Pre Execute"); with a
global `endpoint_url` in `aws_default`, the SQS AssetWatcher polled SeaweedFS (403 on every poll).
"""

from __future__ import annotations

import json

from devkit import airflow_local

SERVICES = {
    "AWS_ACCESS_KEY_ID": "k",
    "AWS_SECRET_ACCESS_KEY": "s",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:8333",
    "ES_URL": "http://127.0.0.1:9200",
}


def test_tasks_reach_the_api_server_on_its_port() -> None:
    env = airflow_local.airflow_env(SERVICES, "http://127.0.0.1:8899", None, None, api_port=18080)
    assert env["AIRFLOW__API__PORT"] == "18080"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18080/execution/"
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"
    assert env["PATH"].split(":")[0].endswith("/bin")  # the venv's: standalone spawns `airflow …`


def test_each_aws_service_gets_its_own_endpoint() -> None:
    queue = "http://127.0.0.1:9324/000000000000/nashra-raw-events"
    env = airflow_local.airflow_env(SERVICES, "http://p", queue, "http://127.0.0.1:9324", api_port=1)
    extra = json.loads(env["AIRFLOW_CONN_AWS_DEFAULT"])["extra"]
    assert "endpoint_url" not in extra
    assert extra["service_config"] == {
        "s3": {"endpoint_url": "http://127.0.0.1:8333"},
        "sqs": {"endpoint_url": "http://127.0.0.1:9324"},
    }
    assert env["NASHRA_SQS_QUEUE_URL"] == queue
    assert "AWS_ACCESS_KEY_ID" not in env  # the tasks read the connection, as deployed


def test_json_after_airflow_warnings() -> None:
    out = '2026 [warning] Could not import graphviz.\nRun `pip install graphviz`\n[{"dag_id": "a"}]\n'
    assert airflow_local._json_list(out) == [{"dag_id": "a"}]
    assert airflow_local._json_list("nothing") == []
