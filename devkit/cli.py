"""`python -m devkit`: the commands for developers, not shipped in the wheel.

demo       the whole pipeline on the offline fixture web, with embedded services (`make demo`)
services   status/stop of the services the demo left running (`make services-stop`)
eval       extraction, dedup and dialect scores on the labelled sets (tests/eval)
relevance  recall@10, MRR, nDCG@10 per language, tuning | held-out (tests/eval/relevance)
bench      side-by-side benchmarks (`make bench`)
load       the 50,000-page load run (`make load`)
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from bench import load as load_bench
from bench import run as bench_run
from nashra.cli.common import console, print_summary, run_with_progress
from nashra.cli.main import quiet_logs
from tests.eval.dedup import score as eval_dedup
from tests.eval.dialect import score as eval_dialect
from tests.eval.extraction import score as eval_extraction
from tests.eval.relevance import score as relevance


def cmd_demo(args: argparse.Namespace) -> int:
    """Whole pipeline on the offline fixture web with the embedded services."""
    from devkit.fixture_web import start_fixture_web
    from devkit.fixture_web.truth import REFERENCE_NOW, REGISTRY_PATH
    from devkit.services import ensure_services, remember
    from nashra.core.registry import load_registry

    console.print("Starting the embedded services (SeaweedFS S3, Elasticsearch node) ...")
    try:
        os.environ.update(ensure_services())
    except Exception as exc:  # noqa: BLE001 - turn a missing JDK/Maven into advice, not a trace
        console.print(f"[red]Could not start the embedded services:[/red] {exc}")
        return 2
    lake_uri = os.environ.setdefault("NASHRA_LAKE_URI", "s3://nashra-demo/lake")
    remember(lake_uri=lake_uri, registry=str(REGISTRY_PATH))
    with start_fixture_web() as web:
        os.environ.update(
            {
                "NASHRA_FIXTURE_PROXY": web.proxy_url,
                "NASHRA_ALLOW_LOOPBACK": "1",
                "NASHRA_REGISTRY": str(REGISTRY_PATH),
            }
        )
        ids = [o.id for o in load_registry(REGISTRY_PATH).enabled()]
        # The fixture web is a frozen news day; crawl it as of that day so its dated sitemaps apply.
        summary = run_with_progress(ids, REFERENCE_NOW, args.max_articles)
    print_summary(summary)
    console.print('\nTry:  .venv/bin/nashra search "السغروشني"   |   .venv/bin/nashra search Seghrouchni')
    console.print("      .venv/bin/nashra lake show        |   make services-stop")
    return 1 if summary.failed else 0


def cmd_services(args: argparse.Namespace) -> int:
    from devkit.services import read_state, stop_services

    if args.action == "stop":
        console.print(f"stopped: {', '.join(stop_services()) or 'nothing was running'}")
        return 0
    if args.action == "env":  # eval "$(python -m devkit services env)": the demo's lake for any reader
        import shlex

        state = read_state()
        env = dict(state.get("s3", {}).get("env", {}))
        if state.get("lake_uri"):
            env["NASHRA_LAKE_URI"] = state["lake_uri"]
        if state.get("es"):
            env["ES_URL"] = state["es"]["url"]
        if not env:
            print("# no demo services recorded: run `make demo` first", file=sys.stderr)
            return 1
        print("\n".join(f"export {k}={shlex.quote(str(v))}" for k, v in sorted(env.items())))
        return 0
    state = read_state()
    shown = {
        k: {kk: vv for kk, vv in v.items() if kk != "env"} if isinstance(v, dict) else v
        for k, v in state.items()
    }
    console.print_json(json.dumps(shown))
    return 0


def cmd_airflow(args: argparse.Namespace) -> int:
    from devkit import airflow_local

    if args.action == "down":
        console.print(f"stopped: {', '.join(airflow_local.down()) or 'nothing was running'}")
        return 0
    if args.action == "reset":
        airflow_local.reset()
        console.print(f"removed {airflow_local.HOME}")
        return 0
    if args.action == "status":
        console.print_json(json.dumps(airflow_local.status()))
        return 0
    console.print(
        "Starting Airflow (standalone) over the fixture web, SeaweedFS, Elasticsearch, ElasticMQ ..."
    )
    try:
        state = airflow_local.up()
    except Exception as exc:  # noqa: BLE001 - one line and the log's path, not a trace
        console.print(f"[red]Airflow did not start:[/red] {exc}")
        return 2
    credentials = airflow_local.login()
    console.print(
        f"Airflow UI: {state['url']}  login: {credentials[0] if credentials else 'see the log'}"
        + (f" / {credentials[1]}" if credentials else "")
    )
    console.print(f"Triggered: {', '.join(state.get('triggered', [])) or 'none'}; log: {state['log']}")
    console.print("Stop: make airflow-down (or python -m devkit airflow down)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devkit", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="the whole pipeline on the offline fixture web")
    p.add_argument("--max-articles", type=int, default=200)
    p.set_defaults(fn=cmd_demo)
    p = sub.add_parser("services", help="the embedded services started by the demo")
    p.add_argument("action", choices=["status", "stop", "env"])
    p.set_defaults(fn=cmd_services)
    p = sub.add_parser("airflow", help="a local Airflow 3 (standalone) over the fixture web")
    p.add_argument("action", choices=["up", "down", "status", "reset"])
    p.set_defaults(fn=cmd_airflow)
    evaluate = sub.add_parser("eval", help="evaluate pipeline quality on the labelled sets")
    eval_sub = evaluate.add_subparsers(dest="what", required=True)
    eval_dedup.register(eval_sub)
    eval_dialect.register(eval_sub)
    eval_extraction.register(eval_sub)
    relevance.register(sub)
    bench_run.register(sub)
    load_bench.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    quiet_logs()
    args = build_parser().parse_args(argv)
    return int(args.fn(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
