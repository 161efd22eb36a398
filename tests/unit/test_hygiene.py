"""Import hygiene: the core never imports the UI; importing the CLI loads no plugin and no textual."""

import subprocess
import sys

CORE_MODULES = [
    "xiaoqi.core.cli", "xiaoqi.core.services", "xiaoqi.core.kinds", "xiaoqi.core.models", "xiaoqi.core.db",
    "xiaoqi.core.migrate", "xiaoqi.core.demo", "xiaoqi.core.dashboard", "xiaoqi.core.plugins",
]


def test_core_never_imports_textual():
    code = (
        "import sys\n"
        f"for m in {CORE_MODULES!r}: __import__(m)\n"
        "from xiaoqi.core.plugins import get_plugin_manager\n"
        "get_plugin_manager()\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_importing_the_cli_has_no_side_effects():
    code = (
        "import sys\n"
        "import xiaoqi.core.cli\n"
        "import xiaoqi.core.plugins as p\n"
        "assert p._pm is None, 'plugin manager created at import time'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_never_imports_the_tui_by_name():
    """The core reaches the TUI through the xiaoqi.tui entry point (``xiaoqi tui``), never an import."""
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parents[2] / "core"
    found = []
    for path in core.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):  # a relative import resolved: ``from ..tui`` in core/x.py
                package = ["xiaoqi", "core", *path.relative_to(core).parent.parts]
                base = package[:len(package) - node.level + 1] if node.level else []
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                continue
            found += [f"{path.relative_to(core)}: {n}" for n in names if n == "xiaoqi.tui" or n.startswith("xiaoqi.tui.")]
    assert found == []
