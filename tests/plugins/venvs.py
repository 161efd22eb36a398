"""Temporary virtual environments that see the editable xiaoqi and its dependencies.

Building a venv and installing xiaoqi's dependencies into it would take minutes; instead the new
venv gets .pth files naming this environment's site directory and xiaoqi's editable-install hook,
and only the package under test is pip-installed into it (no network, no build isolation), so its
entry points and metadata are real. The same trick as tests/plugins/test_discovery.py."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path


def make_venv(path: Path) -> Path:
    """A venv at ``path`` that imports xiaoqi and its dependencies; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    py = path / "bin" / "python"
    site = Path(subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    here = Path(sysconfig.get_paths()["purelib"])
    (site / "00deps.pth").write_text(str(here) + "\n")
    for pth in here.glob("__editable__*xiaoqi*.pth"):
        (site / pth.name).write_text(pth.read_text())
    return py


def pip_install(py: Path, package: Path) -> None:
    """Install ``package`` (a source directory) into the venv of ``py``, offline."""
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--quiet", "--no-deps",
                             "--no-build-isolation", "--no-index", str(package)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the test suite's XIAOQI_* and PYTEST_* switches, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XIAOQI_", "PYTEST_"))}
    env.update(extra)
    return env


def run(py: Path, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(py), *args], capture_output=True, text=True, cwd=cwd, env=clean_env(**env))


def xiaoqi(py: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """The ``xiaoqi`` CLI of that venv."""
    return run(py, "-m", "xiaoqi.core.cli", *args, **env)
