"""Offline fixture web: every fixture outlet (``http://<name>.test/``) served by one local HTTP server
that crawlers use as their proxy. Ground truth for tests lives in ``devkit.fixture_web.truth``."""

from devkit.fixture_web.server import FixtureWeb, start_fixture_web

__all__ = ["FixtureWeb", "start_fixture_web"]
