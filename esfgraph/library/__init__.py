"""The rooms behind esfgraph's public Python API (`esfgraph.read`, `build`, `open`, ...).

Nothing here is imported by name by users: `esfgraph/__init__.py` re-exports the public
names, and only those are a promise. The modules are named so that no public name
collides with a module of the package (`esfgraph.read` is a function, never a module).
"""
