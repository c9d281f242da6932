"""The errors a bad export folder raises: nothing is published from it."""
from __future__ import annotations


class ExportError(Exception):
    """An export file that cannot be read as a whole (as opposed to a bad row, which is
    quarantined). `str()` is one line naming the file and the problem."""

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")


class GateError(ExportError):
    """An export that was read and validated but failed a publish gate (pipelines/gates.py):
    the night is not published. `str()` is the reasons, one line, '; '-separated."""

    def __init__(self, reasons: list[str]) -> None:
        self.reasons = list(reasons)
        problem = "; ".join(self.reasons)
        self.file, self.problem = "export", problem
        Exception.__init__(self, problem)

    def __reduce__(self):  # Prefect may pickle a failed run's exception
        return type(self), (self.reasons,)
