"""The pakkeforlop conformance suite: one pytest item per rule of the catalogue.

From a checkout: ``pytest conformance/ --export PATH``. From an installed package, which
carries this folder as ``pakkeforlop.conformance``: ``pytest --pyargs pakkeforlop.conformance
--export PATH``. The options are those of the ``pakkeforlop`` pytest plugin
(``src/pakkeforlop/pytest_plugin.py``); see ``pytest --help``.
"""
