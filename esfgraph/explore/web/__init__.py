"""The explorer's web pages: server-rendered HTML for people who do not write SPARQL.

Landing page, search (/projects), map (/map), project cards and organisation/place pages, and
the query page at /query. Pages are Jinja2 templates over data from the search index
(esfgraph.explore.search) and from SPARQL run through the app's backend, so the SPARQL pages
also work in front of a remote store (serve --endpoint).
"""
