"""Sources: every way a project record gets in, below the pipeline.

Each reader turns one kind of input into the same `ParseResult`s and says where each record came
from (`Record.provenance`): saved text pages (`esfgraph.parse`), HTML pages as fetched or saved
from a browser, the folder a harvest of esf.se writes, and the official project lists (the ESF
Council's list, Kohesio's list of operations). Nothing above this room knows which reader ran.
The harvester is the only part of esfgraph that opens network connections; it lives here and
never in `serve`.
"""
