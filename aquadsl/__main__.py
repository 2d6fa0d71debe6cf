"""`python -m aquadsl` runs the command line."""

from aquadsl.cli import main

main()
