"""The hook reference is complete and every hook is tested (datasette's ``test_plugin_hooks_have_tests``
and ``test_docs.py`` are the model).

Conventions, also stated in docs/plugins.md ("Contributing a hook"):
- docs/plugins.md has one section per hookspec, headed ``### xiaoqi_name(arg, ...)`` with the
  hookspec's arguments in order, and an ``**Arguments**`` list naming each argument once
  (``**Arguments**: none`` for a hook without any);
- some test function under tests/ has the hook's full name in its own name, e.g.
  ``test_hook_xiaoqi_register_rules_adds_a_rule_to_check`` (tests/plugins/test_hooks.py holds most).

The hookspecs are those of a plugin manager with the built-in plugins, so a hook that a built-in
plugin publishes through ``xiaoqi_addhooks`` needs its section and its test too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from xiaoqi.core.plugins import make_plugin_manager

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "plugins.md"
HEADING = re.compile(r"^### (xiaoqi_\w+)\((.*)\)\s*$")
ARGUMENT = re.compile(r"^- `(\w+)`")


def hookspecs() -> dict[str, tuple[str, ...]]:
    pm = make_plugin_manager(entry_points=False)
    return {name: caller.spec.argnames for name, caller in sorted(vars(pm.hook).items())
            if name.startswith("xiaoqi_") and caller.spec is not None}


HOOKS = hookspecs()


def doc_sections() -> dict[str, dict]:
    """Each ``### xiaoqi_...(...)`` section: the heading's arguments and the **Arguments** list."""
    sections: dict[str, dict] = {}
    current = None
    in_arguments = False
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            match = HEADING.match(line)
            current = None
            in_arguments = False
            if match:
                name, args = match.groups()
                current = sections.setdefault(name, {"heading": tuple(a.strip() for a in args.split(",") if a.strip()),
                                                     "listed": [], "has_list": False, "count": 0})
                current["count"] += 1
            continue
        if current is None:
            continue
        if line.startswith("**Arguments**"):
            current["has_list"] = True
            in_arguments = not line.rstrip().endswith("none")
            continue
        if in_arguments:
            match = ARGUMENT.match(line)
            if match:
                current["listed"].append(match.group(1))
            elif line.strip() and not line.startswith(" "):
                in_arguments = False
    return sections


SECTIONS = doc_sections() if DOCS.exists() else {}


def test_docs_exist():
    assert DOCS.exists(), "docs/plugins.md is the hook reference"


@pytest.mark.parametrize("hook", list(HOOKS))
def test_plugin_hooks_are_documented(hook):
    assert hook in SECTIONS, f"docs/plugins.md has no section '### {hook}({', '.join(HOOKS[hook])})'"
    assert SECTIONS[hook]["count"] == 1, f"docs/plugins.md documents {hook} more than once"


@pytest.mark.parametrize("hook", list(HOOKS))
def test_plugin_hook_docs_have_the_hookspecs_arguments(hook):
    section = SECTIONS.get(hook)
    if section is None:
        pytest.fail(f"{hook} is not documented")
    assert section["heading"] == HOOKS[hook], f"the heading of {hook} shows {section['heading']}, the hookspec has {HOOKS[hook]}"
    assert section["has_list"], f"the section of {hook} has no **Arguments** list"
    extra = [a for a in section["listed"] if a not in HOOKS[hook]]
    assert not extra, f"the section of {hook} documents arguments the hookspec does not have: {extra}"
    assert sorted(section["listed"]) == sorted(HOOKS[hook]), f"the **Arguments** list of {hook} should name each of {HOOKS[hook]} once"


def test_no_section_documents_a_hook_that_does_not_exist():
    stale = sorted(set(SECTIONS) - set(HOOKS))
    assert not stale, f"docs/plugins.md documents hooks that do not exist: {stale}"


def _test_function_names() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
                names.add(node.name)
    return names


TEST_NAMES = _test_function_names()


@pytest.mark.parametrize("hook", list(HOOKS))
def test_plugin_hooks_have_tests(hook):
    assert any(hook in name for name in TEST_NAMES), (
        f"no test of {hook}: add a test whose name contains '{hook}' (see tests/plugins/test_hooks.py)")


def test_xiaoqi_plugins_hooks_lists_every_hookspec_with_a_summary(xiaoqi_cli):
    result = xiaoqi_cli("plugins", "--hooks", "--format", "json")
    assert result.exit_code == 0, result.stderr
    listed = {h["name"]: h for h in result.json}
    assert set(listed) == set(HOOKS)
    for name, spec in listed.items():
        assert tuple(spec["arguments"]) == HOOKS[name] and spec["summary"], name
    text = xiaoqi_cli("plugins", "--hooks")
    assert f"{len(HOOKS)} 个插件钩子" in text.output and "xiaoqi_register_rules()" in text.output
