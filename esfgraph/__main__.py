"""Run the command-line interface: `python -m esfgraph`."""

from esfgraph.cli import main

main()
