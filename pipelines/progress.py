"""Stage progress for people watching a run: one line per step, with elapsed time."""
from __future__ import annotations

import resource
import sys
import time


class Progress:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        self.start = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}
        self.peak_mb: dict[str, int] = {}  # the process's peak memory when each stage ended

    def say(self, stage: str, message: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = round(self.timings.get(stage, 0.0) + now - self.last, 3)
        self.last = now
        self.peak_mb[stage] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"[{now - self.start:7.1f}s] {stage:<9} {message}", file=self.stream, flush=True)
