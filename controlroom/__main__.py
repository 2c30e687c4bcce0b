"""``python -m controlroom``: the command line (controlroom.cli)."""

from controlroom.cli import main

main()
