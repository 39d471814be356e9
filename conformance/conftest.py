"""The conformance suite's own hooks: it runs only with an export, and it finds its plugin.

Run without an export (``pytest --pyargs pakkeforlop.conformance`` alone), the suite would
verify nothing and pass: that is a usage error instead, so that a misconfigured CI job fails.

An installed pakkeforlop registers its pytest plugin through the ``pytest11`` entry point, and
:func:`pytest_addoption` then does nothing. Without an installation (``PYTHONPATH=src``) it
registers the plugin itself, unless the plugin is already loaded
(``-p pakkeforlop.pytest_plugin``) or blocked (``-p no:pakkeforlop``). It only helps when
pytest is pointed at this folder, which makes this conftest load before the command line is
parsed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).resolve().parent


def pytest_addoption(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the plugin once, so that its options and hooks exist for this run."""
    from pakkeforlop import pytest_plugin  # noqa: PLC0415  (only when pytest loads this conftest)

    registered = pluginmanager.is_registered(pytest_plugin)
    if not registered and not pluginmanager.is_blocked("pakkeforlop"):
        pluginmanager.register(pytest_plugin, "pakkeforlop")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop a run of the suite that has no export to check (exit status 4, a usage error)."""
    suite = [item for item in items if item.path.parent == _HERE]
    if suite and not config.getoption("pakkeforlop_export", default=None):
        from pakkeforlop.pytest_plugin import missing_export  # noqa: PLC0415

        raise pytest.UsageError(missing_export(config))
