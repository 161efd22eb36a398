"""Import hygiene: the core never imports the UI; importing the CLI loads no plugin and no textual."""

import subprocess
import sys

CORE_MODULES = [
    "xiaoqi.core.cli", "xiaoqi.core.services", "xiaoqi.core.kinds", "xiaoqi.core.models", "xiaoqi.core.db",
    "xiaoqi.core.migrate", "xiaoqi.core.demo", "xiaoqi.core.dashboard", "xiaoqi.core.plugins",
]


def run_python(code: str) -> None:
    """Run ``code`` in a fresh interpreter; its assertions are the test's."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_core_never_imports_textual():
    code = (
        "import sys\n"
        f"for m in {CORE_MODULES!r}: __import__(m)\n"
        "from xiaoqi.core.plugins import get_plugin_manager\n"
        "get_plugin_manager()\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "assert not bad, bad\n"
    )
    run_python(code)


def test_importing_the_cli_has_no_side_effects():
    code = (
        "import sys\n"
        "import xiaoqi.core.cli\n"
        "import xiaoqi.core.plugins as p\n"
        "assert p._pm is None, 'plugin manager created at import time'\n"
    )
    run_python(code)


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


def test_importing_xiaoqi_changes_no_warnings_filter_and_money_reads_back_without_one():
    """Every xiaoqi module imported: the process's warnings filters are as before (no filter for
    other libraries' warnings), another library's SQLAlchemy engine has no listener of xiaoqi's
    (the audit's commit hook is on xiaoqi's engines only), and reading money back from SQLite warns about nothing, even when
    every warning is an error."""
    code = (
        "import importlib, pkgutil, warnings, decimal\n"
        "before = list(warnings.filters)\n"
        "import xiaoqi\n"
        "for info in pkgutil.walk_packages(xiaoqi.__path__, 'xiaoqi.'):\n"
        "    importlib.import_module(info.name)\n"
        "assert warnings.filters == before, [f for f in warnings.filters if f not in before]\n"
        "import sqlalchemy as sa\n"
        "other = sa.create_engine('sqlite://')  # somebody else's engine: no listener of xiaoqi's\n"
        "assert [len(getattr(other.dispatch, e)) for e in ('begin', 'commit', 'rollback')] == [0, 0, 0]\n"
        "import sqlalchemy as sa\n"
        "from xiaoqi.core.models import Money, Hours\n"
        "warnings.simplefilter('error')\n"
        "md = sa.MetaData()\n"
        "t = sa.Table('t', md, sa.Column('m', Money()), sa.Column('h', Hours()))\n"
        "e = sa.create_engine('sqlite://')\n"
        "md.create_all(e)\n"
        "with e.begin() as c:\n"
        "    c.execute(t.insert(), [{'m': decimal.Decimal('12345678901.23'), 'h': decimal.Decimal('7.5')}, {'m': 0.1, 'h': 8}])\n"
        "    rows = c.execute(sa.select(t.c.m, t.c.h)).all()\n"
        "assert rows == [(decimal.Decimal('12345678901.23'), decimal.Decimal('7.5')), (decimal.Decimal('0.10'), decimal.Decimal('8.0'))], rows\n"
        "assert all(type(v) is decimal.Decimal for r in rows for v in r)\n"
    )
    run_python(code)


def test_the_repository_refers_to_no_file_outside_it():
    """README, docs, code and tests name only files of the repository (no ``../shared``, no
    design notes kept elsewhere)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    outside = ("../shared", "RECORDS.md", "DOMAIN.md", "DESIGN.md", "STYLE.md", "/work/")
    found = []
    for name in files:
        path = root / name
        if path.suffix not in (".py", ".md", ".toml", ".sh", ".cfg", ".txt", ".mako", ".tcss", ".yml", ".yaml") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {word}" for word in outside if word in text and name != "tests/unit/test_hygiene.py"]
    assert found == []


def test_plugins_use_only_the_public_tui_and_no_other_plugin():
    """A built-in plugin's screens import ``xiaoqi.tui`` (the public module), never its insides,
    and no plugin imports another plugin (they meet through hooks)."""
    import ast
    from pathlib import Path

    plugins = Path(__file__).resolve().parents[2] / "plugins"
    found = []
    for path in plugins.rglob("*.py"):
        parts = path.relative_to(plugins).parts
        mine = parts[1].removesuffix(".py") if parts[0] == "regions" else parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                if name.startswith("xiaoqi.tui."):
                    found.append(f"{path.relative_to(plugins)}: {name}")
                bits = name.split(".")
                if bits[:2] == ["xiaoqi", "plugins"] and len(bits) > 2:
                    other = bits[3] if bits[2] == "regions" and len(bits) > 3 else bits[2]
                    if other != mine:
                        found.append(f"{path.relative_to(plugins)}: {name}")
    assert found == []
