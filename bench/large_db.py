"""The 1,000,000-internship SQLite database the benchmarks share, built with ``xiaoqi demo --size large``."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path


def build(db: Path) -> None:
    """(Re)build ``db`` with the large demo data, as of 2026-11-23 so runs are comparable."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    xiaoqi = Path(sys.executable).with_name("xiaoqi")
    started = time.perf_counter()
    subprocess.run([str(xiaoqi), "--db", str(db), "demo", "--size", "large", "--today", "2026-11-23"], check=True)
    print(f"built {db} in {time.perf_counter() - started:.1f} s")
