"""The wheel contains every module: build it, install it into a fresh virtual environment (its
dependencies taken from the test environment), and import every module from the wheel."""

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.xdist_group("venv")
def test_wheel_installs_and_every_module_imports(tmp_path):
    out = tmp_path / "dist"
    # build from a clean copy: a stale build/ directory in the work tree must not hide anything
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.db", "bench", "tests", "docs", "examples"))
    built = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(src)],
                           check=True, capture_output=True, text=True, cwd=tmp_path)
    # setuptools warns of a data folder missing from `packages` ("Package would be ignored"): a user
    # of scripts/start.sh would see it on screen
    said = built.stdout + built.stderr
    warned = [line for line in said.splitlines() if "WARNING" in line or "Warning:" in line]
    assert not warned and "would be ignored" not in said, said
    wheel = next(out.glob("xiaoqi-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    modules = sorted(
        n[:-3].replace("/", ".").removesuffix(".__init__") for n in names if n.endswith(".py") and n.startswith("xiaoqi/")
    )
    # every .py file of the source tree is in the wheel (a sub-package missing from `packages` fails here)
    source = set()
    for top, pkg in (("core", "xiaoqi.core"), ("plugins", "xiaoqi.plugins"), ("tui", "xiaoqi.tui"), ("xiaoqi", "xiaoqi")):
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT / top).with_suffix("")
            source.add(".".join([pkg, *rel.parts]).removesuffix(".__init__"))
    assert source <= set(modules), f"missing from the wheel: {sorted(source - set(modules))}"
    assert any(n.endswith("script.py.mako") for n in names)
    assert "xiaoqi/plugins/national/data/major_categories_2021.csv" in names
    assert any(n.endswith(".dist-info/entry_points.txt") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    # dependencies from the test environment, appended after the venv's own site-packages (a path
    # line in a .pth does not run that directory's own .pth files, so the editable xiaoqi stays out)
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # Alembic's env.py modules run only inside a migration; they are checked for presence above
    importable = [m for m in modules if not m.endswith(".env")]
    check = (
        "import importlib, sys\n"
        f"mods = {importable!r}\n"
        "for m in mods:\n"
        "    mod = importlib.import_module(m)\n"
        f"    assert mod.__file__.startswith({site!r}), (m, mod.__file__)\n"
        "print(len(mods))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    result = subprocess.run([py, "-c", check], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) == len(importable)
    version = subprocess.run([py, "-m", "xiaoqi.core.cli", "--version"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert "xiaoqi, version" in version.stdout, version.stderr
