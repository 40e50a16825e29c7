"""A real single-node Elasticsearch for tests and ``make demo``, without Docker.

Elastic publishes no full 8.x distribution on Maven Central, only the minimal ``integ-test-zip``.
That build lacks ``analysis-common``, so the ``nashra-analysis`` stable plugin (built from
``infra/es-analysis-plugin``) supplies the Arabic/French/English components under the same names.
Elasticsearch refuses to run as root, which is how CI and the dev containers run, so as root the
node is started as a dedicated system user.

Library use::

    node = start_node(tmp_dir)
    ...  # node.url
    node.stop()

CLI: ``python -m devkit.es_node start|stop|status``. Set ``ES_URL`` to use an existing cluster
instead (see :func:`connect_or_start`).
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import pwd
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ES_VERSION = "8.19.21"
ES_ARTIFACT = f"org.elasticsearch.distribution.integ-test-zip:elasticsearch:{ES_VERSION}:zip"
ES_USER = "nashra-es"
PLUGIN_NAME = "nashra-analysis"
REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGIN_SRC_DIR = REPO_ROOT / "infra" / "es-analysis-plugin"
DEFAULT_CACHE_DIR = Path(os.environ.get("NASHRA_ES_CACHE", str(Path.home() / ".cache" / "nashra" / "es")))
DEFAULT_BASE_DIR = REPO_ROOT / ".cache" / "es-node"
# Used when the ES user cannot reach the cache or base dir (e.g. under /root or pytest's 0700 tmp).
# A fixed shared path on purpose; _fallback_dir() refuses it unless root owns it and it is no symlink.
FALLBACK_ROOT = Path("/var/tmp/nashra-es")  # noqa: S108
CLUSTER_NAME = "nashra-test"
STATE_FILE_NAME = "es-node.json"
INSTALL_HINT = (
    "Install a JDK 17 and Maven (`apt-get install openjdk-17-jdk-headless maven`), "
    "or set ES_URL to an existing Elasticsearch cluster to skip the local test node."
)


class EsNodeError(RuntimeError):
    """The local node could not be prepared, started or stopped; the message says why."""


@dataclass
class EsNode:
    """A running node. ``pid`` is the Elasticsearch server JVM itself (not a wrapper process).

    ``pid`` is None for a cluster reached through ``ES_URL``: it is not ours to stop.
    """

    url: str
    pid: int | None
    run_dir: Path | None = None
    log_file: Path | None = None
    # Set when the run lived in the fallback area: on stop its logs are copied here and the rest
    # (data, config) is deleted, so nothing piles up in /var/tmp and the logs stay where asked.
    keep_logs_in: Path | None = None
    _stopped: bool = field(default=False, repr=False)

    @property
    def owned(self) -> bool:
        return self.pid is not None

    def health(self, wait_for_status: str | None = None, timeout_s: float = 1.0) -> dict[str, Any]:
        return cluster_health(self.url, wait_for_status=wait_for_status, timeout_s=timeout_s)

    def is_running(self) -> bool:
        return self.pid is not None and _is_es_process(self.pid)

    def stop(self, timeout_s: float = 30.0, *, keep_data: bool = False) -> None:
        """SIGTERM the server JVM, wait, then SIGKILL. Idempotent; a no-op for external clusters.
        ``keep_data`` leaves the run directory in place for ``start_node(restart=node)``."""
        if self._stopped or self.pid is None:
            return
        _terminate(self.pid, timeout_s)
        self._stopped = True
        if self.keep_logs_in is not None and self.run_dir is not None and not keep_data:
            kept = self.keep_logs_in / self.run_dir.name / "logs"
            shutil.copytree(self.run_dir / "logs", kept, dirs_exist_ok=True)
            if self.log_file is not None:
                self.log_file = kept / self.log_file.name
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> EsNode:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------------------------
# Tools and Java


def _require_tools(*names: str) -> None:
    missing = [n for n in names if shutil.which(n) is None]
    if missing:
        raise EsNodeError(f"{', '.join(missing)} not found on PATH. {INSTALL_HINT}")


def java_home() -> Path:
    """The JDK to run Elasticsearch with (the integ-test distribution bundles none)."""
    candidates: list[Path] = []
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            candidates.append(Path(os.environ[var]))
    for tool in ("javac", "java"):
        found = shutil.which(tool)
        if found:
            candidates.append(Path(found).resolve().parent.parent)
    for home in candidates:
        java = home / "bin" / "java"
        if java.is_file() and _java_major(java) >= 17:
            return home
    raise EsNodeError(f"no Java 17+ found (checked {[str(c) for c in candidates]}). {INSTALL_HINT}")


def _java_major(java: Path) -> int:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return 0
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else 0


# --------------------------------------------------------------------------------------------
# Distribution and plugin


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    # Parallel pytest workers or a concurrent `make demo` must not unpack/build into the same tree.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def m2_repository() -> Path:
    return Path.home() / ".m2" / "repository"


def m2_zip_path() -> Path:
    group = "org/elasticsearch/distribution/integ-test-zip/elasticsearch"
    return m2_repository() / group / ES_VERSION / f"elasticsearch-{ES_VERSION}.zip"


def _fetch_zip() -> Path:
    zip_path = m2_zip_path()
    if zip_path.is_file():
        return zip_path
    _require_tools("mvn")
    proc = subprocess.run(
        [
            "mvn",
            "-q",
            "-B",
            "dependency:get",
            f"-Dartifact={ES_ARTIFACT}",
            "-Dtransitive=false",
            # Maven takes its home from the passwd entry, not $HOME; naming the repository makes
            # the zip land exactly where m2_zip_path() looks.
            f"-Dmaven.repo.local={m2_repository()}",
        ],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not zip_path.is_file():
        raise EsNodeError(
            f"mvn could not fetch {ES_ARTIFACT} (rc={proc.returncode}):\n{_tail(proc.stdout + proc.stderr)}"
        )
    return zip_path


def _unzip(zip_path: Path, dest: Path) -> None:
    # zipfile drops Unix modes, and bin/* must stay executable.
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = archive.extract(info, dest)
            mode = (info.external_attr >> 16) & 0o7777
            if mode:
                os.chmod(target, mode)


def ensure_distribution(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """Unpack the distribution under ``cache_dir`` once and install the plugin; returns ES_HOME."""
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    home = cache_dir / f"elasticsearch-{ES_VERSION}"
    with _file_lock(cache_dir / ".lock"):
        if not (home / "bin" / "elasticsearch").is_file():
            zip_path = _fetch_zip()
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache_dir))
            try:
                _unzip(zip_path, staging)
                unpacked = staging / f"elasticsearch-{ES_VERSION}"
                if not (unpacked / "bin" / "elasticsearch").is_file():
                    raise EsNodeError(f"{zip_path} does not contain elasticsearch-{ES_VERSION}/bin")
                shutil.rmtree(home, ignore_errors=True)
                unpacked.rename(home)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        ensure_plugin(home)
    return home


def _plugin_source_digest() -> str:
    # A content hash rather than mtimes: a git checkout or a copy can make stale sources look new
    # (or new sources look old).
    digest = hashlib.sha256()
    files = [PLUGIN_SRC_DIR / "build.sh", *sorted((PLUGIN_SRC_DIR / "src").rglob("*.java"))]
    for path in files:
        digest.update(str(path.relative_to(PLUGIN_SRC_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_plugin(es_home: Path) -> Path:
    """(Re)build the plugin into ``ES_HOME/plugins/nashra-analysis`` if missing or out of date."""
    target = es_home / "plugins" / PLUGIN_NAME
    # The stamp lives outside plugins/: Elasticsearch treats every entry there as a plugin, and
    # rejects unknown keys in the descriptor.
    stamp = es_home / f".{PLUGIN_NAME}.sha256"
    digest = _plugin_source_digest()
    if target.is_dir() and stamp.is_file() and stamp.read_text().strip() == digest:
        return target
    _require_tools("javac", "jar")
    staging = es_home / f".{PLUGIN_NAME}-build-{os.getpid()}"
    proc = subprocess.run(
        ["bash", str(PLUGIN_SRC_DIR / "build.sh"), str(es_home), str(staging)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise EsNodeError(f"building the {PLUGIN_NAME} plugin failed:\n{_tail(proc.stdout + proc.stderr)}")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    stamp.write_text(digest + "\n")
    return target


# --------------------------------------------------------------------------------------------
# Running as root


def _running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_es_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(ES_USER)
    except KeyError:
        pass
    _require_tools("useradd")
    proc = subprocess.run(
        ["useradd", "-r", "-M", "-s", "/usr/sbin/nologin", ES_USER], capture_output=True, text=True
    )
    # 9 = the name exists: another process created it between our check and useradd.
    if proc.returncode not in (0, 9):
        raise EsNodeError(f"useradd {ES_USER} failed (rc={proc.returncode}): {proc.stderr.strip()}")
    if proc.returncode == 0:  # a change to the machine is never silent
        sys.stderr.write(
            f"nashra: created the system user {ES_USER} (no login, no home) to run Elasticsearch, "
            f"which refuses to run as root; `userdel {ES_USER}` removes it\n"
        )
    return pwd.getpwnam(ES_USER)


def _can_traverse(path: Path, user: pwd.struct_passwd) -> bool:
    """Whether ``user`` can reach ``path``: every directory on the way must grant it execute."""
    groups = {user.pw_gid}
    for current in [path, *path.parents]:
        try:
            st = current.stat()
        except OSError:
            return False
        if st.st_uid == user.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _fallback_dir(*parts: str) -> Path:
    """A root-owned directory under FALLBACK_ROOT, readable by the ES user."""
    directories = [FALLBACK_ROOT]
    for part in parts:
        directories.append(directories[-1] / part)
    for directory in directories:
        directory.mkdir(exist_ok=True)
        st = os.lstat(directory)
        # /var/tmp is world-writable: a directory planted there by another user must not be used.
        if stat.S_ISLNK(st.st_mode) or st.st_uid != 0:
            raise EsNodeError(f"{directory} is a symlink or not owned by root; remove it and retry")
        directory.chmod(0o755)
    return directories[-1]


def _runtime_home(home: Path, user: pwd.struct_passwd) -> Path:
    if _can_traverse(home, user):
        return home
    fallback = _fallback_dir()
    mirror = fallback / home.name
    with _file_lock(fallback / ".lock"):
        if not (mirror / "bin" / "elasticsearch").is_file():
            staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=FALLBACK_ROOT))
            try:
                shutil.copytree(home, staging / "es", symlinks=True)
                shutil.rmtree(mirror, ignore_errors=True)
                (staging / "es").rename(mirror)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            mirror.chmod(0o755)
        ensure_plugin(mirror)
    return mirror


def _chown_tree(root: Path, user: pwd.struct_passwd) -> None:
    os.chown(root, user.pw_uid, user.pw_gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), user.pw_uid, user.pw_gid, follow_symlinks=False)


# --------------------------------------------------------------------------------------------
# Start / stop


PORT_RANGE = 64


def _port_range() -> str:
    """A range for Elasticsearch to bind the first free port of (it holds what it binds; a port
    checked free here and bound later could be taken in between). The bound port is read back from
    the node's ports file (`node.portsfile`)."""
    base = _PORTS.randrange(20000, 32000 - PORT_RANGE)
    return f"{base}-{base + PORT_RANGE - 1}"


_PORTS = random.SystemRandom()


def _bound_port(run_dir: Path, timeout_s: float = 30.0) -> int:
    """The HTTP port the node bound, from the ports file it writes once listening."""
    ports_file = run_dir / "logs" / "http.ports"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            first = ports_file.read_text().split()[0]
            return int(first.rsplit(":", 1)[1])
        except (OSError, IndexError, ValueError):
            time.sleep(0.1)
    raise EsNodeError(f"Elasticsearch wrote no {ports_file} in {timeout_s:.0f}s")


def _write_config(es_home: Path, run_dir: Path, http_port: int | str, transport_port: int | str) -> Path:
    config = run_dir / "config"
    # jvm.options and log4j2.properties come from the distribution; only elasticsearch.yml is ours.
    shutil.copytree(es_home / "config", config)
    settings: dict[str, Any] = {
        "cluster.name": CLUSTER_NAME,
        "node.name": f"{CLUSTER_NAME}-{run_dir.name}",
        "node.portsfile": True,  # logs/http.ports: the port bound within the range
        "path.data": str(run_dir / "data"),
        "path.logs": str(run_dir / "logs"),
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": http_port,
        "transport.port": transport_port,
        "xpack.security.enabled": False,
        # A nearly full CI disk would otherwise make new indices unassignable (red, not yellow).
        "cluster.routing.allocation.disk.threshold_enabled": False,
    }
    # Every value is a scalar, and JSON scalars are valid YAML.
    lines = [f"{key}: {json.dumps(value)}" for key, value in settings.items()]
    (config / "elasticsearch.yml").write_text("\n".join(lines) + "\n")
    return config


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def _file_tail(path: Path | None, lines: int = 60) -> str:
    if path is None or not path.is_file():
        return f"(no log at {path})"
    return _tail(path.read_text(errors="replace"), lines)


def start_node(
    base_dir: Path,
    http_port: int | None = None,
    heap: str = "512m",
    *,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    timeout_s: float = 120.0,
    detach: bool = False,
    restart: EsNode | None = None,
) -> EsNode:
    """Start a fresh single node with its data, logs and config in a new directory under ``base_dir``.

    ``detach`` puts the node in its own session so it outlives the calling terminal (CLI use);
    tests leave it attached so an interrupted run takes the node down with it. ``restart``, a
    node of ours stopped with ``keep_data=True``, starts again on its run directory and HTTP port:
    the same data, as after a crash or a maintenance restart.
    """
    jdk = java_home()
    home = ensure_distribution(cache_dir)
    base_dir = Path(base_dir).resolve()
    base_dir.mkdir(parents=True, exist_ok=True)

    user: pwd.struct_passwd | None = None
    run_parent = base_dir
    keep_logs_in: Path | None = None
    if _running_as_root():
        user = ensure_es_user()
        home = _runtime_home(home, user)
        if not _can_traverse(base_dir, user):
            run_parent = _fallback_dir("runs")
            keep_logs_in = base_dir

    if restart is not None:
        if restart.run_dir is None or restart.is_running():
            raise EsNodeError("restart needs a stopped node of ours (stopped with keep_data=True)")
        http_port = int(restart.url.rsplit(":", 1)[1])
        keep_logs_in = restart.keep_logs_in
    http_ports: int | str = http_port or _port_range()
    if restart is not None and restart.run_dir is not None:
        run_dir = restart.run_dir
        shutil.rmtree(run_dir / "config")
        (run_dir / "logs" / "http.ports").unlink(missing_ok=True)
    else:
        run_dir = Path(tempfile.mkdtemp(prefix="es-", dir=run_parent))
    config = _write_config(home, run_dir, http_ports, _port_range())
    for sub in ("data", "logs", "tmp"):
        (run_dir / sub).mkdir(exist_ok=True)
    pid_file = run_dir / "es.pid"
    launcher_log = run_dir / "logs" / "launcher.out"
    log_file = run_dir / "logs" / f"{CLUSTER_NAME}.log"
    if user is not None:
        _chown_tree(run_dir, user)

    es_env = {
        "ES_JAVA_HOME": str(jdk),
        "ES_PATH_CONF": str(config),
        "ES_JAVA_OPTS": f"-Xms{heap} -Xmx{heap}",
        "ES_TMPDIR": str(run_dir / "tmp"),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
    }
    # -d makes the CLI launcher return once the server JVM is up (or has failed) and -p has that
    # JVM write its own PID, so the PID we keep is the process that handles SIGTERM, not a
    # launcher or a runuser wrapper.
    es_argv = [str(home / "bin" / "elasticsearch"), "-d", "-p", str(pid_file)]
    if user is not None:
        # `env -i` rather than relying on runuser's own environment handling.
        argv = ["runuser", "-u", user.pw_name, "--", "env", "-i"]
        argv += [f"{k}={v}" for k, v in es_env.items()] + es_argv
    else:
        argv = es_argv

    started = time.monotonic()
    # Output goes to a file, not a pipe: the daemonised JVM may keep inherited descriptors open,
    # and reading a pipe until EOF would then block for the node's whole life.
    with open(launcher_log, "wb") as out:
        try:
            proc = subprocess.run(
                argv,
                cwd=run_dir,
                env={**os.environ, **es_env},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout_s,
                start_new_session=detach,
            )
        except subprocess.TimeoutExpired as exc:
            _kill_from_pid_file(pid_file)
            raise EsNodeError(
                f"Elasticsearch did not start within {timeout_s:.0f}s.\n"
                f"{_file_tail(launcher_log)}\n--- {log_file} ---\n{_file_tail(log_file)}"
            ) from exc
    if proc.returncode != 0:
        _kill_from_pid_file(pid_file)
        raise EsNodeError(
            f"Elasticsearch exited with rc={proc.returncode} during start-up.\n"
            f"{_file_tail(launcher_log)}\n--- {log_file} ---\n{_file_tail(log_file)}"
        )
    pid = _read_pid(pid_file)
    if pid is None:
        raise EsNodeError(f"Elasticsearch started but wrote no PID to {pid_file}.\n{_file_tail(log_file)}")

    try:
        bound = _bound_port(run_dir)
    except EsNodeError:
        _kill_from_pid_file(pid_file)
        raise
    node = EsNode(
        url=f"http://127.0.0.1:{bound}",
        pid=pid,
        run_dir=run_dir,
        log_file=log_file,
        keep_logs_in=keep_logs_in,
    )
    remaining = max(5.0, timeout_s - (time.monotonic() - started))
    try:
        wait_for_health(node.url, remaining)
    except EsNodeError as exc:
        node.stop()
        raise EsNodeError(f"{exc}\n--- {log_file} ---\n{_file_tail(log_file)}") from exc
    return node


def connect_or_start(base_dir: Path, **kwargs: Any) -> EsNode:
    """Use the cluster at ``ES_URL`` when set (never stopped by us), else start a local node."""
    url = os.environ.get("ES_URL")
    if url:
        node = EsNode(url=url.rstrip("/"), pid=None)
        wait_for_health(node.url, float(kwargs.get("timeout_s", 120.0)))
        return node
    return start_node(base_dir, **kwargs)


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _kill_from_pid_file(pid_file: Path) -> None:
    pid = _read_pid(pid_file)
    if pid is not None:
        _terminate(pid, 10.0)


def _proc_state(pid: int) -> str | None:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is parenthesised and may contain spaces; the state follows the last ')'.
    return stat_line.rsplit(")", 1)[1].split()[0]


def _is_es_process(pid: int) -> bool:
    """Alive (zombies count as gone) and still an Elasticsearch JVM, so a recycled PID is never hit."""
    state = _proc_state(pid)
    if state is None or state in ("Z", "X"):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"org.elasticsearch" in cmdline


def _terminate(pid: int, timeout_s: float) -> None:
    if not _is_es_process(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _is_es_process(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10.0
    while time.monotonic() < deadline and _is_es_process(pid):
        time.sleep(0.1)
    if _is_es_process(pid):
        raise EsNodeError(f"Elasticsearch pid {pid} survived SIGKILL")


# --------------------------------------------------------------------------------------------
# Health


def cluster_health(url: str, wait_for_status: str | None = None, timeout_s: float = 1.0) -> dict[str, Any]:
    """``GET /_cluster/health``; ``GET /`` is no use here (the rest-root module is absent: 405)."""
    if not url.startswith(("http://", "https://")):
        raise EsNodeError(f"not an http(s) URL: {url!r}")
    query = f"?wait_for_status={wait_for_status}&timeout={max(1, int(timeout_s))}s" if wait_for_status else ""
    request = urllib.request.Request(f"{url}/_cluster/health{query}")  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s + 5) as response:  # noqa: S310
            return dict(json.load(response))
    except urllib.error.HTTPError as exc:
        # 408: wait_for_status timed out; the body is still the health document.
        if exc.code == 408:
            return dict(json.load(exc))
        raise


def wait_for_health(url: str, timeout_s: float = 120.0, status: str = "yellow") -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    last_error = "no answer"
    while time.monotonic() < deadline:
        try:
            health = cluster_health(url, wait_for_status=status, timeout_s=2.0)
            if not health.get("timed_out") and health.get("status") in ("yellow", "green"):
                return health
            last_error = f"status {health.get('status')}"
        except (OSError, ValueError) as exc:
            last_error = str(exc)
        time.sleep(0.5)
    raise EsNodeError(f"{url} did not reach cluster health {status} within {timeout_s:.0f}s ({last_error})")


# --------------------------------------------------------------------------------------------
# CLI


def _state_path(base_dir: Path) -> Path:
    return Path(base_dir) / STATE_FILE_NAME


def _load_state(base_dir: Path) -> EsNode | None:
    path = _state_path(base_dir)
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    run_dir = Path(data["run_dir"]) if data.get("run_dir") else None
    log_file = Path(data["log_file"]) if data.get("log_file") else None
    keep_logs_in = Path(data["keep_logs_in"]) if data.get("keep_logs_in") else None
    return EsNode(
        url=data["url"], pid=data["pid"], run_dir=run_dir, log_file=log_file, keep_logs_in=keep_logs_in
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devkit.es_node", description="Start, stop or check the local Elasticsearch test node."
    )
    parser.add_argument("command", choices=["start", "stop", "status"])
    parser.add_argument("--base-dir", type=Path, default=DEFAULT_BASE_DIR, help="where runs and state live")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="unpacked distribution")
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default: a free one)")
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args(argv)
    state = _load_state(args.base_dir)

    try:
        if args.command == "start":
            if state is not None and state.is_running():
                print(f"already running: {state.url} (pid {state.pid})")
                return 0
            t0 = time.monotonic()
            node = start_node(args.base_dir, args.port, args.heap, cache_dir=args.cache_dir, detach=True)
            state_data = {
                "url": node.url,
                "pid": node.pid,
                "run_dir": str(node.run_dir),
                "log_file": str(node.log_file),
                "keep_logs_in": str(node.keep_logs_in) if node.keep_logs_in else None,
            }
            _state_path(args.base_dir).write_text(json.dumps(state_data, indent=2) + "\n")
            elapsed = time.monotonic() - t0
            print(f"started {node.url} (pid {node.pid}) in {elapsed:.1f}s; logs: {node.log_file}")
            return 0
        if args.command == "stop":
            if state is None:
                print("not running (no state file)")
                return 0
            state.stop()
            _state_path(args.base_dir).unlink(missing_ok=True)
            print(f"stopped pid {state.pid}")
            return 0
        # status
        if state is None or not state.is_running():
            print("not running")
            return 1
        print(json.dumps(state.health(), indent=2))
        return 0
    except EsNodeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
