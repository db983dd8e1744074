"""SHACL validation of esfgraph data: fast, parallel, and equal to whole-graph pySHACL.

    >>> report = validate_graph(dataset)          # or validate_records(mapped, reference_graph)
    >>> report.conforms, print(report.to_text())
"""

from esfgraph.validate.report import Result, SourceRecord, ValidationReport
from esfgraph.validate.runner import (
    RecordValidator,
    default_jobs,
    graph_quads,
    pyshacl_graph_report,
    results_from_report_graph,
    shared_graph,
    validate_graph,
    validate_quads,
    validate_records,
    validate_with_pyshacl,
)
from esfgraph.validate.shapes import (
    UnsupportedShapesError,
    compile_shapes,
    load_shapes_graph,
)

__all__ = [
    "RecordValidator", "Result", "SourceRecord", "UnsupportedShapesError", "ValidationReport", "compile_shapes",
    "default_jobs", "graph_quads", "load_shapes_graph", "pyshacl_graph_report",
    "results_from_report_graph", "shared_graph", "validate_graph", "validate_quads", "validate_records",
    "validate_with_pyshacl",
]
