"""The stages of the pipeline: crawl (spiders), process, index, and what they keep in the lake.

`nashra.stages.tasks` holds the per-outlet entry points that the Airflow tasks and the CLI call.
"""
