"""A real SQS-compatible queue on loopback for tests: ElasticMQ, resolved from Maven Central.

`infra/elasticmq/pom.xml` names the server artifact; Maven resolves it and its dependencies into
~/.m2 once and writes the classpath, so later starts are offline. Stopped by PID.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devkit.es_node import java_home
from devkit.ports import free_port
from devkit.seaweed import stop_pid

POM = Path(__file__).resolve().parents[1] / "infra" / "elasticmq" / "pom.xml"
CACHE = Path.home() / ".cache" / "nashra" / "elasticmq"


class ElasticMqError(RuntimeError):
    pass


@dataclass
class ElasticMq:
    endpoint: str
    pid: int
    queues: dict[str, str]  # name -> queue URL

    def stop(self) -> None:
        stop_pid(self.pid, grace=10.0)

    def __enter__(self) -> ElasticMq:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def classpath() -> str:
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:12]
    out = CACHE / f"classpath-{digest}.txt"
    if not out.exists():
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ElasticMqError("Maven is needed to fetch ElasticMQ: apt-get install maven")
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        proc = subprocess.run(
            [mvn, "-q", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if proc.returncode != 0 or not tmp.exists():
            raise ElasticMqError(
                f"mvn could not resolve ElasticMQ:\n{proc.stdout[-2000:]}{proc.stderr[-2000:]}"
            )
        tmp.replace(out)
    return out.read_text().strip()


def start_elasticmq(
    base_dir: Path, queues: tuple[str, ...] = ("nashra-raw-events",), timeout: float = 60
) -> ElasticMq:
    base_dir = Path(base_dir)
    base_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    queue_conf = " ".join(f'"{q}" {{ defaultVisibilityTimeout = 30 seconds }}' for q in queues)
    conf = base_dir / "elasticmq.conf"
    conf.write_text(
        'include classpath("application.conf")\n'
        f'node-address {{ protocol = http, host = 127.0.0.1, port = {port}, context-path = "" }}\n'
        f"rest-sqs {{ enabled = true, bind-port = {port}, "
        'bind-hostname = "127.0.0.1", sqs-limits = strict }\n'
        "rest-stats { enabled = false }\n"
        f"queues {{ {queue_conf} }}\n"
    )
    java = java_home() / "bin" / "java"
    log = base_dir / "elasticmq.log"
    with log.open("ab") as sink:
        proc = subprocess.Popen(
            [str(java), "-Xmx256m", f"-Dconfig.file={conf}", "-cp", classpath(), "org.elasticmq.server.Main"],
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ElasticMqError(f"ElasticMQ exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{endpoint}/?Action=ListQueues", timeout=1)  # noqa: S310 - our loopback server
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.3)
    else:
        stop_pid(proc.pid)
        raise ElasticMqError(f"ElasticMQ did not answer on {endpoint} in {timeout:.0f}s")
    return ElasticMq(endpoint, proc.pid, {q: f"{endpoint}/000000000000/{q}" for q in queues})
