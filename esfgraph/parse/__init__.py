"""Parse saved Projektbanken pages (three layouts) into typed `Record`s; pure Python, no rdflib.

    >>> from esfgraph.parse import parse_file
    >>> result = parse_file("seeds/003_58e54e8db85e930c.txt")
    >>> result.record.project_number, result.record.esf_grant_sek
    ('2018/00460', 11159401)
"""

from __future__ import annotations

from esfgraph.parse.api import iter_sources, parse_bytes, parse_file, parse_paths, parse_text
from esfgraph.parse.result import Issue, ParseResult

__all__ = ["Issue", "ParseResult", "iter_sources", "parse_bytes", "parse_file", "parse_paths",
           "parse_text"]
