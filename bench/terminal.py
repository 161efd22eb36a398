"""Time a command in a real terminal: from starting it in a fresh tmux server to the first screen
that shows what we wait for (capture-pane every 10 ms). Textual draws on the terminal, so this is
what a user sees, Python's start and every import included."""

from __future__ import annotations

import os
import re
import subprocess
import time


def time_to_screen(command: str, shows: re.Pattern, *, width: int = 160, height: int = 50, timeout: float = 30) -> float:
    """Seconds from starting ``command`` in a ``width`` x ``height`` tmux terminal to the first
    capture whose text matches ``shows``."""
    session = f"xiaoqi-bench-{os.getpid()}-{time.monotonic_ns()}"
    # PYTHONDONTWRITEBYTECODE (set in some shells and CI) would compile every module of an editable
    # install on every start, which no installed copy does: the command runs with its bytecode cached
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TMUX") and k not in ("COLUMNS", "LINES", "PYTHONDONTWRITEBYTECODE")}
    tmux = ["tmux", "-L", session]
    started = time.perf_counter()
    subprocess.run([*tmux, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height),
                    command], check=True, env=env)
    try:
        while time.perf_counter() - started < timeout:
            screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            if shows.search(screen):
                return time.perf_counter() - started
            time.sleep(0.01)
        raise TimeoutError(f"{command!r}: nothing matching {shows.pattern!r} on the terminal after {timeout:.0f} s")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
