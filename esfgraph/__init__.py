"""esfgraph: turn Swedish ESF Council project pages into a linked-data knowledge graph.

Stages, data flowing one way: parse → map → link → validate → store → serve / export.
"""

from __future__ import annotations

__version__ = "0.1.0"

from esfgraph.record import RECORD_KEYS, Record  # noqa: E402

__all__ = ["RECORD_KEYS", "Record", "__version__"]
