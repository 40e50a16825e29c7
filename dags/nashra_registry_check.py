"""The outlet registry, checked where Airflow shows it: this file defines no DAG, and fails to
import, in the UI's DAG import errors (and `python -m devkit airflow status`), with the file and key
of every problem. dags/nashra_pipeline.py meanwhile builds the DAGs of the valid outlets, so one bad
entry does not take the others down.
"""

from __future__ import annotations

from nashra.core.registry import load_registry

load_registry()  # raises RegistryError: "<file>: outlets[3].timezone: 'Africa/Casa' is not ..."
