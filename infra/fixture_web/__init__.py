"""Offline fixture web: every fixture outlet (``http://<name>.test/``) served by one local HTTP server
that crawlers use as their proxy. Ground truth for tests lives in ``infra.fixture_web.truth``."""

from infra.fixture_web.server import FixtureWeb, start_fixture_web

__all__ = ["FixtureWeb", "start_fixture_web"]
