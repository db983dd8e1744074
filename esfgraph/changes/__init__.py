"""Change tracking beside the store: what each build changed, project by project.

Why a room of its own: the store keeps only the current data; journalists and auditors ask
what changed ("whose grant went up?", "which projects were granted since last month?"). Each
`build` and `remove` compares the new store version with the previous one and writes the
differences as RDF (Changeset vocabulary + PROV-O) into the change-log graphs of the new
version; `esfgraph diff` compares two stores, two folders or two logged builds, `esfgraph
history` lists one project's changes, and `esfgraph serve` shows /changes and an Atom feed.
"""

from esfgraph.changes.compare import Side, compare, open_side, open_store_side
from esfgraph.changes.log import (
    LogFilter,
    LoggedChange,
    LogSummary,
    changes_graph,
    personal_changes_graph,
    read_changes,
    record_changes,
    store_runner,
)
from esfgraph.changes.model import KINDS, FieldChange, ProjectChange

__all__ = ["KINDS", "FieldChange", "LogFilter", "LogSummary", "LoggedChange", "ProjectChange",
           "Side", "changes_graph", "compare", "open_side", "open_store_side",
           "personal_changes_graph", "read_changes", "record_changes", "store_runner"]
