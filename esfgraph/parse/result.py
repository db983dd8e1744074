"""The two small types a parse returns: the outcome for one file and the problems found in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from esfgraph.record import Record


@dataclass
class Issue:
    """A problem found while parsing one file; "error" means the file was rejected."""

    source: str
    severity: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line is not None else self.source
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class ParseResult:
    """The record parsed from one file (None when rejected) with every issue found."""

    source: str
    record: Record | None
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the file was accepted (it may still carry warnings)."""
        return self.record is not None

    @property
    def errors(self) -> list[Issue]:
        """The issues that rejected the file."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        """The issues that kept the record but deserve a look."""
        return [i for i in self.issues if i.severity == "warning"]
