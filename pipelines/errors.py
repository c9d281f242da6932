"""The one error a bad export folder raises: nothing is published from it."""
from __future__ import annotations


class ExportError(Exception):
    """An export file that cannot be read as a whole (as opposed to a bad row, which is
    quarantined). `str()` is one line naming the file and the problem."""

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")
