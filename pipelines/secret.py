"""The key behind the warehouse's identifier hashes.

Mobile and photo ID numbers are stored as keyed hashes so that equality can be tested
without keeping the number. The key comes from JAANCH_SECRET, or from a key file beside
the warehouse, created once (readable by its owner only) so hashes stay comparable
across nights.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def warehouse_secret(db: Path) -> str:
    env = os.environ.get("JAANCH_SECRET")
    if env:
        return env
    key_file = db.parent / (db.name + ".key")
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()
