"""Scoring of the judged sets (tests/data/judged/): precision and recall of found items."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

JUDGED = Path(__file__).parent / "data" / "judged"


def load(name: str) -> list[dict]:
    """The items of a judged set."""
    return yaml.safe_load((JUDGED / name).read_text(encoding="utf-8"))["items"]


@dataclass
class Score:
    """Counts over a judged set; precision and recall as usual (1.0 when nothing to count)."""

    true_pos: int = 0
    false_pos: int = 0
    false_neg: int = 0

    def add(self, found: set, expected: set) -> None:
        self.true_pos += len(found & expected)
        self.false_pos += len(found - expected)
        self.false_neg += len(expected - found)

    @property
    def precision(self) -> float:
        n = self.true_pos + self.false_pos
        return self.true_pos / n if n else 1.0

    @property
    def recall(self) -> float:
        n = self.true_pos + self.false_neg
        return self.true_pos / n if n else 1.0

    def __str__(self) -> str:
        return (f"precision {self.precision:.3f} recall {self.recall:.3f} "
                f"(tp {self.true_pos}, fp {self.false_pos}, fn {self.false_neg})")
