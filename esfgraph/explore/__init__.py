"""The explorer: a search index inside each store version and the search/map data behind the
web pages (esfgraph.explore.web). Beside esfgraph.serve so that the SPARQL protocol stays small.
"""

from esfgraph.explore.search import BadSearch, SearchIndex, SearchParams, open_index

__all__ = ["BadSearch", "SearchIndex", "SearchParams", "open_index"]
