"""infra/docker-compose.yml checked without a Docker engine.

Parses the file with PyYAML (anchors and `<<` merges resolved as compose does) and checks what can
be known statically: services, depends_on, published ports, image versions against the project's
pins, volumes and the environment the Airflow services give nashra. If a Docker Compose v2 CLI is
available (`docker compose`, a `docker-compose` v2 binary on PATH, or one named by
NASHRA_COMPOSE_BIN), `config -q` validates the file against the Compose specification too; it needs
no engine. Otherwise that one test is skipped and says why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "infra" / "docker-compose.yml"
GUIDE = REPO / "infra" / "docker-compose.md"
CONSTRAINTS = REPO / "constraints.txt"
CONFIG_PY = REPO / "nashra" / "core" / "config.py"

# The only host ports the stack publishes (documented in infra/docker-compose.md).
DOCUMENTED_PORTS = {8080, 9000, 9001, 9200, 5601}
EXPECTED_SERVICES = {
    "postgres",
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "minio",
    "minio-init",
    "elasticsearch",
    "kibana",
    "kibana-setup",
}
AIRFLOW_SERVICES = {name for name in EXPECTED_SERVICES if name.startswith("airflow-")}
ONE_SHOT = {"airflow-init", "minio-init", "kibana-setup"}
# What the stack must give nashra/core/config.py; all three have local defaults that would be wrong here.
REQUIRED_PROJECT_ENV = {"NASHRA_LAKE_URI", "ES_URL", "AWS_ENDPOINT_URL_S3"}
# Test/demo switches that must never reach a real deployment, and the registry override.
FORBIDDEN_PROJECT_ENV = {"NASHRA_FIXTURE_PROXY", "NASHRA_ALLOW_LOOPBACK", "NASHRA_REGISTRY"}
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}


@pytest.fixture(scope="module")
def compose() -> dict:
    doc = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), "compose file is not a mapping"
    assert isinstance(doc.get("services"), dict) and doc["services"], "no services"
    return doc


@pytest.fixture(scope="module")
def services(compose: dict) -> dict[str, dict]:
    return compose["services"]


def environment(service: dict) -> dict[str, str | None]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # ["KEY=value", "KEY"]
        pairs = (item.split("=", 1) for item in env)
        return {p[0]: (p[1] if len(p) == 2 else None) for p in pairs}
    return {str(k): (None if v is None else str(v)) for k, v in env.items()}


def depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return deps


def published_ports(service: dict) -> list[tuple[str | None, int]]:
    """(host_ip, host_port) for every published port, short and long syntax."""
    found: list[tuple[str | None, int]] = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            published = entry.get("published")
            assert published is not None, f"port {entry} publishes a random host port"
            found += [(entry.get("host_ip"), p) for p in _port_range(str(published))]
            continue
        parts = str(entry).split("/", 1)[0].split(":")
        assert len(parts) in (2, 3), f"port {entry!r} publishes a random host port"
        host_ip = parts[0] if len(parts) == 3 else None
        found += [(host_ip, p) for p in _port_range(parts[-2])]
    return found


def _port_range(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def image_tag(image: str) -> tuple[str, str]:
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag, f"image {image!r} has no tag"
    return name, tag


def airflow_base_image(services: dict[str, dict]) -> str:
    builds = {repr(services[name].get("build")) for name in AIRFLOW_SERVICES}
    assert len(builds) == 1, "the Airflow services do not share one build"
    build = services["airflow-apiserver"]["build"]
    context = (COMPOSE.parent / build["context"]).resolve()
    dockerfile = context / build.get("dockerfile", "Dockerfile")
    assert dockerfile.is_file(), f"{dockerfile} is missing"
    froms = re.findall(r"^FROM\s+(\S+)", dockerfile.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(froms) == 1, f"{dockerfile}: expected one FROM, found {froms}"
    return froms[0]


def project_env_names() -> set[str]:
    """Every environment variable name the project's code reads."""
    pattern = re.compile(r"""(?:_env\(|environ\.get\(|environ\[|getenv\()\s*["']([A-Z][A-Z0-9_]*)["']""")
    names: set[str] = set()
    for package in ("nashra", "spiders", "transforms", "dags"):
        for path in (REPO / package).rglob("*.py"):
            names |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return names


def test_services_are_the_documented_stack(services: dict[str, dict]) -> None:
    assert set(services) == EXPECTED_SERVICES


def test_every_service_has_an_image_or_a_build(services: dict[str, dict]) -> None:
    for name, service in services.items():
        assert service.get("image") or service.get("build"), f"{name}: neither image nor build"
        if "build" not in service:
            _, tag = image_tag(service["image"])
            assert tag != "latest", f"{name}: pin the image, not :latest"


def test_depends_on_targets_exist_with_sound_conditions(services: dict[str, dict]) -> None:
    for name, service in services.items():
        for target, spec in depends_on(service).items():
            assert target in services, f"{name} depends on unknown service {target!r}"
            assert target != name, f"{name} depends on itself"
            condition = (spec or {}).get("condition", "service_started")
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {target}: bad condition {condition!r}"
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits for {target}: no healthcheck"
            if condition == "service_completed_successfully":
                assert target in ONE_SHOT, f"{name} waits for long-running {target} to complete"


def test_long_running_services_have_healthchecks(services: dict[str, dict]) -> None:
    for name, service in services.items():
        if name in ONE_SHOT:
            assert str(service.get("restart", "no")) == "no", f"one-shot {name} must not restart"
            continue
        check = service.get("healthcheck") or {}
        assert check.get("test") and not check.get("disable"), f"{name}: no healthcheck"


def test_airflow_services_wait_for_init_and_tasks_wait_for_storage(services: dict[str, dict]) -> None:
    for name in AIRFLOW_SERVICES - {"airflow-init"}:
        deps = depends_on(services[name])
        assert deps.get("airflow-init", {}).get("condition") == "service_completed_successfully", name
        assert deps.get("postgres", {}).get("condition") == "service_healthy", name
    assert depends_on(services["airflow-init"])["postgres"]["condition"] == "service_healthy"
    # LocalExecutor: tasks run in the scheduler, which needs the lake bucket and Elasticsearch.
    scheduler = depends_on(services["airflow-scheduler"])
    assert scheduler["minio-init"]["condition"] == "service_completed_successfully"
    assert scheduler["elasticsearch"]["condition"] == "service_healthy"
    assert depends_on(services["kibana"])["elasticsearch"]["condition"] == "service_healthy"


def test_kibana_setup_imports_the_saved_objects_once_kibana_is_up(services: dict[str, dict]) -> None:
    setup = services["kibana-setup"]
    assert depends_on(setup) == {"kibana": {"condition": "service_healthy"}}
    assert str(setup.get("restart")) == "no" and not setup.get("ports")
    # The Airflow image has nashra installed (editable, over the mounted working tree).
    assert setup["image"] == services["airflow-apiserver"]["image"]
    assert setup.get("build") == services["airflow-apiserver"]["build"]
    mounts = [str(v) for v in setup.get("volumes") or []]
    assert [m for m in mounts if (COMPOSE.parent / m.split(":", 1)[0]).resolve() == REPO] == [
        "..:/opt/nashra:ro"
    ]
    entrypoint = setup["entrypoint"] if isinstance(setup["entrypoint"], list) else [setup["entrypoint"]]
    argv = [*entrypoint, *setup["command"]]
    assert argv[:3] == ["nashra", "kibana", "import"], argv
    url = argv[argv.index("--url") + 1]
    assert urlsplit(url).hostname == "kibana" and urlsplit(url).port == 5601
    assert (REPO / "schemas" / "kibana" / "nashra.ndjson").is_file()
    guide = GUIDE.read_text(encoding="utf-8")
    assert "kibana-setup" in guide and "nashra kibana import" in guide


def test_published_ports_are_exactly_the_documented_set(services: dict[str, dict]) -> None:
    ports = [(name, ip, port) for name, s in services.items() for ip, port in published_ports(s)]
    numbers = [port for _, _, port in ports]
    assert len(numbers) == len(set(numbers)), f"a host port is published twice: {ports}"
    assert set(numbers) == DOCUMENTED_PORTS
    for name, ip, port in ports:  # security is off: nothing is reachable from the network
        assert ip == "127.0.0.1", f"{name} publishes {port} on {ip or 'all interfaces'}"
    assert {p for _, p in published_ports(services["airflow-apiserver"])} == {8080}
    assert {p for _, p in published_ports(services["minio"])} == {9000, 9001}
    assert {p for _, p in published_ports(services["elasticsearch"])} == {9200}
    assert {p for _, p in published_ports(services["kibana"])} == {5601}


def test_guide_documents_every_published_port() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    for port in DOCUMENTED_PORTS:
        assert f"localhost:{port}" in guide, f"{GUIDE.name} does not mention localhost:{port}"


def test_elasticsearch_and_kibana_versions_match(services: dict[str, dict]) -> None:
    es_name, es_tag = image_tag(services["elasticsearch"]["image"])
    kb_name, kb_tag = image_tag(services["kibana"]["image"])
    assert es_name == "docker.elastic.co/elasticsearch/elasticsearch"
    assert kb_name == "docker.elastic.co/kibana/kibana"
    assert re.fullmatch(r"8\.\d+\.\d+", es_tag), f"expected an exact 8.x.y tag, got {es_tag!r}"
    assert kb_tag == es_tag, f"Kibana {kb_tag} != Elasticsearch {es_tag}"
    # Same minor as the node the tests and `make demo` run, so one index template fits both.
    from devkit.es_node import ES_VERSION

    assert es_tag.split(".")[:2] == ES_VERSION.split(".")[:2], f"{es_tag} vs test node {ES_VERSION}"
    kibana_env = environment(services["kibana"])
    assert "http://elasticsearch:9200" in (kibana_env.get("ELASTICSEARCH_HOSTS") or "")


def test_elasticsearch_is_single_node_with_1g_heap(services: dict[str, dict]) -> None:
    env = environment(services["elasticsearch"])
    assert env.get("discovery.type") == "single-node"
    assert env.get("xpack.security.enabled") == "false"
    assert "-Xms1g" in (env.get("ES_JAVA_OPTS") or "") and "-Xmx1g" in (env.get("ES_JAVA_OPTS") or "")


def test_airflow_image_matches_the_constraints_pin(services: dict[str, dict]) -> None:
    pins = re.findall(r"^apache-airflow==(\S+)\s*$", CONSTRAINTS.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(pins) == 1, f"constraints.txt: expected one apache-airflow== pin, found {pins}"
    base = airflow_base_image(services)
    match = re.fullmatch(r"apache/airflow:(\d+\.\d+\.\d+)-python(\d+\.\d+)", base)
    assert match, f"base image {base!r} is not apache/airflow:<version>-python<X.Y>"
    assert match.group(1) == pins[0], f"image Airflow {match.group(1)} != constraints {pins[0]}"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    requires_python = SpecifierSet(pyproject["project"]["requires-python"])
    assert requires_python.contains(match.group(2)), f"python{match.group(2)} vs {requires_python}"


def test_airflow_dockerfile_copies_what_the_editable_install_needs(services: dict[str, dict]) -> None:
    build = services["airflow-apiserver"]["build"]
    dockerfile = (COMPOSE.parent / build["context"]).resolve() / build["dockerfile"]
    copied: set[str] = set()
    for line in re.findall(r"^COPY\s+(.+)$", dockerfile.read_text(encoding="utf-8"), re.MULTILINE):
        sources = [part for part in line.split() if not part.startswith("--")][:-1]
        copied |= {source.rstrip("/") for source in sources}
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in include}
    needed = packages | {"pyproject.toml", "constraints.txt", pyproject["project"]["readme"]}
    assert needed <= copied, f"{dockerfile.name} does not copy {sorted(needed - copied)}"
    assert re.search(r"pip install .*-e /opt/nashra", dockerfile.read_text(encoding="utf-8"))


def test_named_volumes_are_declared_and_used(compose: dict, services: dict[str, dict]) -> None:
    declared = set(compose.get("volumes") or {})
    used: set[str] = set()
    for name, service in services.items():
        for entry in service.get("volumes") or []:
            if isinstance(entry, dict):
                if entry.get("type") == "volume" and entry.get("source"):
                    used.add(entry["source"])
                continue
            source = str(entry).split(":", 1)[0]
            if ":" in str(entry) and not source.startswith((".", "/", "~", "$")):
                used.add(source)
                assert source in declared, f"{name} uses undeclared volume {source!r}"
    assert used == declared, f"declared but unused: {declared - used}"


def test_project_is_mounted_with_dags_as_the_dags_folder(services: dict[str, dict]) -> None:
    for name in AIRFLOW_SERVICES:
        mounts = [str(v) for v in services[name].get("volumes") or [] if isinstance(v, str)]
        repo_mounts = [m for m in mounts if (COMPOSE.parent / m.split(":", 1)[0]).resolve() == REPO]
        assert [m.split(":")[1] for m in repo_mounts] == ["/opt/nashra"], f"{name}: {mounts}"
        env = environment(services[name])
        assert env.get("AIRFLOW__CORE__DAGS_FOLDER") == "/opt/nashra/dags", name
        assert env.get("AIRFLOW__CORE__EXECUTOR") == "LocalExecutor", name
    assert (REPO / "dags" / "nashra_pipeline.py").is_file()


def test_airflow_services_get_the_project_environment(services: dict[str, dict]) -> None:
    read_by_config = set(re.findall(r'_env\(\s*"([A-Z][A-Z0-9_]*)"', CONFIG_PY.read_text(encoding="utf-8")))
    assert read_by_config >= REQUIRED_PROJECT_ENV, f"{CONFIG_PY} no longer reads {REQUIRED_PROJECT_ENV}"
    read_by_project = project_env_names()
    for name in AIRFLOW_SERVICES:
        env = environment(services[name])
        missing = (REQUIRED_PROJECT_ENV | {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) - env.keys()
        assert not missing, f"{name} lacks {sorted(missing)}"
        assert not FORBIDDEN_PROJECT_ENV & env.keys(), f"{name} sets {FORBIDDEN_PROJECT_ENV & env.keys()}"
        # A misspelt project variable would be silently ignored: every one set must be read somewhere.
        ours = {k for k in env if k.startswith(("NASHRA_", "ES_"))}
        assert ours <= read_by_project, f"{name} sets variables nashra never reads: {ours - read_by_project}"
        assert env["NASHRA_LAKE_URI"] == "s3://nashra-lake/lake"
        for var in ("ES_URL", "AWS_ENDPOINT_URL_S3"):  # URLs must point at services of this stack
            host = urlsplit(env[var]).hostname
            assert host in services, f"{name}: {var}={env[var]} names no service"


def test_lake_bucket_and_credentials_agree_with_minio(services: dict[str, dict]) -> None:
    bucket = urlsplit(environment(services["airflow-scheduler"])["NASHRA_LAKE_URI"]).netloc
    init_script = "\n".join(map(str, services["minio-init"].get("command") or []))
    created = re.search(rf"\bmc mb\b.*/{re.escape(bucket)}\b", init_script)
    assert created, f"minio-init does not create the lake bucket {bucket}"
    minio = environment(services["minio"])
    airflow = environment(services["airflow-scheduler"])
    # Same raw value (one YAML anchor), so the tasks always hold MinIO's credentials.
    assert minio["MINIO_ROOT_USER"] == airflow["AWS_ACCESS_KEY_ID"]
    assert minio["MINIO_ROOT_PASSWORD"] == airflow["AWS_SECRET_ACCESS_KEY"]
    for key in ("MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"):  # overridable from .env or the shell
        assert re.fullmatch(r"\$\{AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY):-[^}]+\}", minio[key]), minio[key]


def _compose_cli() -> tuple[list[str] | None, str]:
    """A Compose v2 command line, or None and why there is none."""
    candidates: list[list[str]] = []
    if os.environ.get("NASHRA_COMPOSE_BIN"):
        candidates.append([os.environ["NASHRA_COMPOSE_BIN"]])
    if shutil.which("docker"):
        candidates.append(["docker", "compose"])
    if shutil.which("docker-compose"):
        candidates.append(["docker-compose"])
    reasons = []
    for cli in candidates:
        try:
            out = subprocess.run([*cli, "version"], capture_output=True, text=True, timeout=60)
        except OSError as exc:
            reasons.append(f"`{' '.join(cli)}`: {exc}")
            continue
        text = (out.stdout + out.stderr).strip()
        if out.returncode == 0 and re.search(r"\bv?2\.\d+", text):
            return cli, text
        reasons.append(f"`{' '.join(cli)} version` -> {text.splitlines()[0] if text else out.returncode}")
    return None, "; ".join(reasons) or "neither docker nor docker-compose is on PATH"


def test_compose_cli_validates_the_file() -> None:
    cli, detail = _compose_cli()
    if cli is None:
        pytest.skip(f"no Docker Compose v2 CLI to run `config -q` ({detail})")
    # Only interpolation defaults: ignore an infra/.env and the caller's AWS_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AIRFLOW_", "COMPOSE_"))}
    out = subprocess.run(
        [*cli, "--env-file", os.devnull, "-f", str(COMPOSE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
        env=env,
    )
    assert out.returncode == 0, f"{' '.join(cli)} config -q failed:\n{out.stderr}"
