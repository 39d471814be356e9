"""Make ``pytest conformance/ --export PATH`` work in a checkout where pakkeforlop is not installed.

An installed pakkeforlop registers its pytest plugin through the ``pytest11`` entry point, and
this hook then does nothing. Without an installation (``PYTHONPATH=src``) it registers the
plugin itself, unless the plugin is already loaded (``-p pakkeforlop.pytest_plugin``) or
blocked (``-p no:pakkeforlop``). It only helps when pytest is pointed at this folder, which
makes this conftest load before the command line is parsed.
"""

from __future__ import annotations

import pytest


def pytest_addoption(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the plugin once, so that its options and hooks exist for this run."""
    from pakkeforlop import pytest_plugin  # noqa: PLC0415  (only when pytest loads this conftest)

    registered = pluginmanager.is_registered(pytest_plugin)
    if not registered and not pluginmanager.is_blocked("pakkeforlop"):
        pluginmanager.register(pytest_plugin, "pakkeforlop")
