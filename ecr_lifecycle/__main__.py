"""``python -m ecr_lifecycle``: the command line."""

from ecr_lifecycle.cli.main import main

main()
