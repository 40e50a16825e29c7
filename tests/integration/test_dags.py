"""DAG integrity: the production registry's DAGs import cleanly and are wired by Assets."""

from __future__ import annotations

from pathlib import Path

import pytest

from nashra.core.registry import load_registry

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bag(tmp_path_factory: pytest.TempPathFactory):
    from airflow.dag_processing.dagbag import DagBag

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("NASHRA_REGISTRY", raising=False)  # the production registry
        mp.delenv("NASHRA_TASK_RETRIES", raising=False)  # and the production retry policy
        yield DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors_and_three_dags_per_enabled_outlet(bag) -> None:
    assert bag.import_errors == {}
    outlets = load_registry(REPO / "spiders" / "outlets.yaml").enabled()
    per_outlet = [
        d for d in bag.dags if d.split("__")[0] in ("nashra_crawl", "nashra_process", "nashra_index")
    ]
    assert len(per_outlet) == 3 * len(outlets)
    assert "nashra_replay" in bag.dags and "nashra_maintenance" in bag.dags
    assert "nashra_backfill" in bag.dags
    for outlet in outlets:
        for stage in ("crawl", "process", "index"):
            assert f"nashra_{stage}__{outlet.id}" in bag.dags


def test_every_dag_has_owner_retries_tags_and_docs(bag) -> None:
    for dag_id, dag in bag.dags.items():
        assert dag.default_args.get("owner") == "nashra-data-eng", dag_id
        assert dag.default_args.get("retries", 0) >= 1, dag_id
        assert {"nashra"} <= set(dag.tags), dag_id
        assert dag.doc_md, dag_id
        assert dag.on_failure_callback or dag.default_args.get("on_failure_callback"), dag_id
        for task in dag.tasks:
            assert task.retries >= 1
        dag.topological_sort()  # raises on a cycle


def test_every_dag_retries_the_same_way(bag) -> None:
    """One policy (nashra.ops.dag_defaults): the DAG files cannot drift apart again."""
    from nashra.ops.dag_defaults import default_args

    policy = {k: v for k, v in default_args().items() if k != "on_failure_callback"}
    for dag_id, dag in bag.dags.items():
        for task in dag.tasks:
            got = {
                "owner": task.owner,
                "retries": task.retries,
                "retry_delay": task.retry_delay,
                "retry_exponential_backoff": bool(task.retry_exponential_backoff),
                "max_retry_delay": task.max_retry_delay,
            }
            assert got == policy, (dag_id, task.task_id, got)


def test_every_task_has_a_timeout_and_outlet_schedules_are_staggered(bag) -> None:
    from nashra.ops.dag_defaults import staggered

    for dag_id, dag in bag.dags.items():
        for task in dag.tasks:
            assert task.execution_timeout is not None, (dag_id, task.task_id)
    crawls = {d: dag for d, dag in bag.dags.items() if d.startswith("nashra_crawl__")}
    minutes = [str(dag.schedule).split()[0] for dag in crawls.values()]
    assert all(m.isdigit() for m in minutes), minutes  # @hourly became "<minute> * * * *"
    assert len(set(minutes)) > len(minutes) // 2  # spread over the hour, not all at minute 0
    assert staggered("hespress_ar", "@hourly") == staggered("hespress_ar", "@hourly")  # stable
    assert staggered("hespress_ar", "15 */2 * * *") == "15 */2 * * *"  # a cron in the registry stays


def test_stages_are_chained_by_assets_not_timetables(bag) -> None:
    for outlet in load_registry(REPO / "spiders" / "outlets.yaml").enabled():
        chain = [bag.dags[f"nashra_{stage}__{outlet.id}"] for stage in ("crawl", "process", "index")]
        produced = [{a.name for t in dag.tasks for a in t.outlets} for dag in chain]
        assert produced == [{f"nashra.{kind}.{outlet.id}"} for kind in ("raw", "lake", "search")]
        for upstream, downstream in zip(produced, chain[1:], strict=False):
            assert type(downstream.timetable).__name__ == "AssetTriggeredTimetable"
            (name,) = upstream
            assert f"name='{name}'" in repr(downstream.timetable.asset_condition)


def test_the_dag_file_imports_nothing_heavy_at_parse_time() -> None:
    import subprocess
    import sys

    code = (
        "import sys, runpy; runpy.run_path('dags/nashra_pipeline.py');"
        "heavy = [m for m in ('scrapy', 'pyarrow', 'great_expectations', 'trafilatura', 'elasticsearch') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_one_bad_registry_entry_takes_only_itself_down(tmp_path: Path) -> None:
    import yaml
    from airflow.dag_processing.dagbag import DagBag

    from devkit.fixture_web import truth

    registry = yaml.safe_load(truth.REGISTRY_PATH.read_text(encoding="utf-8"))
    broken = {**registry["outlets"][0], "id": "broken_ar", "timezone": "Africa/Casa"}
    registry["outlets"].append(broken)
    path = tmp_path / "outlets.yaml"
    path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    at = len(registry["outlets"]) - 1
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NASHRA_REGISTRY", str(path))
        bag = DagBag(dag_folder=str(REPO / "dags"))
    (error,) = bag.import_errors.values()
    assert list(bag.import_errors) == [str(REPO / "dags" / "nashra_registry_check.py")]
    assert f"outlets[{at}].timezone" in error and str(path) in error and "Africa/Casa" in error
    good = [o["id"] for o in registry["outlets"][:-1] if o.get("enabled", True)]
    assert all(f"nashra_crawl__{o}" in bag.dags for o in good)
    assert "nashra_crawl__broken_ar" not in bag.dags


def test_the_maintenance_dag_maps_one_task_over_every_table() -> None:
    import ast

    from nashra.core.tables import SPECS

    tree = ast.parse((REPO / "dags" / "nashra_maintenance.py").read_text(encoding="utf-8"))
    (names,) = [n.value for n in tree.body if isinstance(n, ast.Assign) and n.targets[0].id == "TABLES"]
    assert ast.literal_eval(names) == list(SPECS)


def test_the_backfill_dag_maps_one_task_per_warc_file_and_one_per_outlet_touched(bag) -> None:
    dag = bag.dags["nashra_backfill"]
    assert set(dag.params) >= {"since", "until", "source", "outlets"}
    mapped = {t.task_id for t in dag.tasks if t.is_mapped}
    assert mapped == {"backfill", "settle"}
    assert dag.get_task("backfill").upstream_task_ids == {"files"}
