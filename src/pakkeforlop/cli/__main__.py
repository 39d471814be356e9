"""``python -m pakkeforlop.cli``: the ``pakkeforlop`` command."""

from pakkeforlop.cli import command

command()
