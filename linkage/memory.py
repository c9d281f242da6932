"""Hand freed heap back to the operating system between stages.

A stage that builds large Python objects (validation's frames, the comparator's string
arrays) frees them on return, but glibc keeps the freed pages, so the next stage's peak
stacks on top of the last one's. Trimming after such a stage keeps the run's peak at
the largest single stage.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def release() -> bool:
    """Collect garbage and trim the heap; False where the C library cannot trim."""
    gc.collect()
    libc = _libc()
    if libc is None or not hasattr(libc, "malloc_trim"):
        return False
    return bool(libc.malloc_trim(0))
