"""Great Expectations gate over a batch of articles: which rows pass, and why the others do not.

The suite is data (schemas/gx/articles.json plus the required fields of schemas/fields.yaml).
Each failed expectation names the rows it failed on (result_format COMPLETE), so a failing row
goes to the quarantine with the names of the expectations it broke, never silently away.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import schemas
from nashra.core.model import Article, Rejection
from schemas import SCHEMA_DIR

FUTURE_TOLERANCE = timedelta(minutes=10)  # clock skew between an outlet's CMS and us


@dataclass
class ValidationOutcome:
    valid: list[Article]
    rejected: list[Rejection]
    summary: dict[str, Any]  # expectation -> {success, unexpected_count}; stored next to the batch
    details: dict[str, Any] | None = None  # the suite's results as JSON (see suite_result)


@cache
def _suite_spec(name: str = "articles") -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / "gx" / f"{name}.json").read_text(encoding="utf-8"))


def allowed_url_regex(domains: tuple[str, ...] | list[str]) -> str:
    hosts = "|".join(re.escape(d.lower()) for d in domains)
    return rf"^https?://(?:[^/@:]*\.)?(?:{hosts})(?::\d+)?(?:/|\?|$)"


def _fill(value: Any, fill: dict[str, Any]) -> Any:
    return fill.get(value, value) if isinstance(value, str) else value


def _parameter(value: Any) -> Any:
    """A ``${name}`` placeholder of a suite file as a GX expectation parameter, filled per run."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return {"$PARAMETER": value[2:-1]}
    return value


def article_parameters(domains: tuple[str, ...], now: datetime) -> dict[str, Any]:
    return {
        "${now_plus_tolerance}": (now + FUTURE_TOLERANCE).isoformat(),
        "${allowed_url_regex}": allowed_url_regex(domains),
    }


def _article_templates() -> list[tuple[str, dict[str, Any]]]:
    spec = _suite_spec()
    out = [
        ("expect_column_values_to_not_be_null", {"column": name})
        for name in schemas.required_fields("articles")
        if name not in spec["not_null_skip"]
    ]
    return out + [(e["type"], dict(e["kwargs"])) for e in spec["expectations"]]


def _gx_class(type_name: str) -> Any:
    import great_expectations as gx

    return getattr(gx.expectations, "".join(p.capitalize() for p in type_name.split("_")))


@cache
def _context() -> Any:
    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    # GX pins one module's logger at INFO on import (data_context/types/base.py), so every new
    # ephemeral context printed "Created temporary directory ... for ephemeral docs site" into the
    # demo's output: let it follow the package's level like every other GX logger.
    logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.NOTSET)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = {"globally": False}
    return ctx


@cache
def _batch_definition() -> Any:
    # One in-memory datasource per process, the dataframe passed per batch: adding and deleting
    # a datasource per validation re-serialised the context's whole config to YAML each time
    # (a fifth of the process stage's time on small batches in the profile; `python -m devkit bench`).
    source = _context().data_sources.add_pandas("nashra_rows")
    return source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("batch")


@cache
def _suite(name: str) -> Any:
    """The suite ``name`` built once per process; its ``${...}`` values are GX expectation
    parameters supplied at each validation (building a suite per batch cost ~15 ms of GX's
    config objects, and more as the context kept every one; `python -m devkit bench`)."""
    import great_expectations as gx

    _batch_definition()  # makes the context current, which suites need
    templates = _article_templates() if name == "articles_batch" else _file_templates(name)
    suite = gx.ExpectationSuite(name=name)
    for type_name, kwargs in templates:
        suite.add_expectation(_gx_class(type_name)(**{k: _parameter(v) for k, v in kwargs.items()}))
    return suite


def _file_templates(name: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e["type"], dict(e["kwargs"])) for e in _suite_spec(name)["expectations"]]


def _run(frame: Any, suite: Any, fill: dict[str, Any], result_format: str) -> Any:
    parameters = {k[2:-1]: v for k, v in fill.items()}
    result = (
        _batch_definition()
        .get_batch(batch_parameters={"dataframe": frame})
        .validate(suite, result_format={"result_format": result_format}, expectation_parameters=parameters)
    )
    for res in result.results:
        if res.exception_info and res.exception_info.get("raised_exception"):
            # An expectation that could not run is a bug in the suite, not bad data: fail loudly.
            raise RuntimeError(
                f"GX expectation {res.expectation_config.type} raised: "
                f"{res.exception_info.get('exception_message')}"
            )
    return result


def _key(cfg: Any) -> str:
    kwargs = {k: v for k, v in cfg.kwargs.items() if k != "batch_id"}
    return f"{cfg.type}:{json.dumps(kwargs, sort_keys=True, default=str)}"


def _unexpected_rows(frame: Any, result: Any) -> dict[str, list[Any]]:
    """Row numbers each expectation with unexpected values failed on, by _key of its config.

    The suite runs with result_format BASIC (counts and a sample: what the docs show), ~2x
    cheaper than COMPLETE on a 1,000-row batch; only the expectations that found unexpected
    values run again, alone, with COMPLETE for their row lists (usually none or one of them).
    """
    import great_expectations as gx

    failed = [res.expectation_config for res in result.results if (res.result or {}).get("unexpected_count")]
    if not failed:
        return {}
    again = gx.ExpectationSuite(name="articles_batch_rows")  # values already filled in: no parameters
    for cfg in failed:
        again.add_expectation(_gx_class(cfg.type)(**{k: v for k, v in cfg.kwargs.items() if k != "batch_id"}))
    rows = _run(frame, again, {}, "COMPLETE").results
    return {_key(res.expectation_config): res.result.get("unexpected_index_list") or [] for res in rows}


def _json_safe(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def suite_result(name: str, result: Any) -> dict[str, Any]:
    """A GX validation result as plain JSON: what the lake keeps and the HTML docs render."""
    rows = []
    for res in result.results:
        cfg = res.expectation_config
        detail = res.result or {}
        rows.append(
            {
                "expectation": cfg.type,
                "kwargs": _json_safe({k: v for k, v in cfg.kwargs.items() if k != "batch_id"}),
                "success": bool(res.success),
                "element_count": detail.get("element_count"),
                "unexpected_count": detail.get("unexpected_count"),
                "unexpected_percent": detail.get("unexpected_percent"),
                "observed_value": _json_safe(detail.get("observed_value")),
                "sample": [str(v)[:160] for v in (detail.get("partial_unexpected_list") or [])[:5]],
            }
        )
    return {
        "suite": name,
        "success": bool(result.success),
        "statistics": _json_safe(result.statistics),
        "results": rows,
    }


def run_suite(
    name: str, rows: list[dict[str, Any]], fill: dict[str, Any], columns: list[str] | None = None
) -> dict[str, Any]:
    """Run the suite schemas/gx/<name>.json over rows; ${...} kwargs come from ``fill``."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    if "similarity" in frame:  # all-null object columns confuse range expectations
        frame["similarity"] = pd.to_numeric(frame["similarity"])
    return suite_result(name, _run(frame, _suite(name), fill, "BASIC"))


def validate_articles(articles: list[Article], domains: tuple[str, ...], now: datetime) -> ValidationOutcome:
    if not articles:
        return ValidationOutcome([], [], {})
    import pandas as pd

    frame = pd.DataFrame([a.to_row() for a in articles])
    for column in ("published_at", "modified_at", "fetched_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    fill = article_parameters(domains, now)
    result = _run(frame, _suite("articles_batch"), fill, "BASIC")
    unexpected = _unexpected_rows(frame, result)

    failures: dict[int, list[str]] = {}
    summary: dict[str, Any] = {}
    for res in result.results:
        cfg = res.expectation_config
        label = f"{cfg.type}({cfg.kwargs.get('column', '')})"
        rows = unexpected.get(_key(cfg), [])
        summary[label] = {"success": bool(res.success), "unexpected_count": len(rows)}
        for row in rows:
            failures.setdefault(int(row), []).append(label)

    valid, rejected = [], []
    for i, article in enumerate(articles):
        if i not in failures:
            valid.append(article)
            continue
        rejected.append(
            Rejection(
                page_id=article.page_id,
                outlet_id=article.outlet_id,
                url=article.url,
                batch_id=article.batch_id,
                fetched_at=article.fetched_at,
                reasons=sorted(set(failures[i])),
                detail="failed validation: " + ", ".join(sorted(set(failures[i]))),
                stage="validate",
                title=article.title,
                language=article.language,
                published_at=article.published_at,
            )
        )
    return ValidationOutcome(valid, rejected, summary, suite_result("articles_batch", result))
