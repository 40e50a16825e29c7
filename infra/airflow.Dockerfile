# The Airflow image for infra/docker-compose.yml: the official image plus the nashra project.
#
# Built by compose with the repository root as context (build.context: .. in the compose file):
#     docker compose -f infra/docker-compose.yml build
#
# The project is installed EDITABLE at /opt/nashra, the same path where compose bind-mounts the
# working tree at run time. The copy made here only exists so that pip can resolve and install the
# dependencies and register the editable finder; at run time the mount hides it and the scheduler,
# DAG processor and tasks import the live source. Edits to Python files need no rebuild (restart
# the Airflow services to be sure every process re-imports them); a change to the dependencies in
# pyproject.toml or constraints.txt does need `docker compose ... build`.
#
# The Airflow version is pinned here only: keep it equal to the apache-airflow== pin in
# constraints.txt (tests/test_compose.py checks it, and so does the RUN below at build time).
FROM apache/airflow:3.3.2-python3.11

# Directories that compose mounts named volumes on. A fresh named volume takes the ownership of the
# directory it is mounted over, so creating them here, owned by the airflow user, lets every
# container run as that user with no chown step.
USER root
RUN mkdir -p /opt/nashra /opt/airflow/config /opt/airflow/auth \
    && chown airflow:0 /opt/nashra /opt/airflow/config /opt/airflow/auth
USER airflow

# Only what `pip install` needs: metadata, the pins and the packages listed in pyproject.toml.
COPY --chown=airflow:0 pyproject.toml README.md constraints.txt /opt/nashra/
COPY --chown=airflow:0 nashra /opt/nashra/nashra
COPY --chown=airflow:0 spiders /opt/nashra/spiders
COPY --chown=airflow:0 transforms /opt/nashra/transforms
COPY --chown=airflow:0 schemas /opt/nashra/schemas
COPY --chown=airflow:0 dags /opt/nashra/dags

# constraints.txt is the set resolved and tested together with this Airflow release; pinning
# apache-airflow explicitly as well stops pip from ever moving the image's own Airflow.
# (The image's other preinstalled providers are not in our constraints; pip may move a shared
# dependency under them. None of them is used by nashra.)
RUN grep -qx "apache-airflow==${AIRFLOW_VERSION}" /opt/nashra/constraints.txt \
        || { echo "constraints.txt does not pin apache-airflow==${AIRFLOW_VERSION} (the base image)"; exit 1; } \
    && pip install --no-cache-dir -e /opt/nashra "apache-airflow==${AIRFLOW_VERSION}" \
        -c /opt/nashra/constraints.txt
