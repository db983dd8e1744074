"""What the web app's parts share: rendering, formatting, words, statements, security headers.

The web app (esfgraph.serve.app) is the one composer on top: it mounts the SPARQL protocol
(esfgraph.serve), the explorer (esfgraph.explore) and the change pages (esfgraph.changes.web).
What those need in common lives here, below all of them, so none of them imports another or the
app. This room imports none of them (tests/test_house.py checks the direction).
"""
