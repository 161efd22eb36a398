"""The record-kinds reference (docs/kinds.md), written from the kinds themselves: every kind's key,
references and columns — Chinese and English header, type, required, choices.

``python -m xiaoqi.core.kinds_doc docs/kinds.md`` rewrites the file from the core's kinds and the
built-in plugins' (tests/unit/test_kinds_doc.py fails when it is stale). A plugin author may
document their own kinds the same way: ``reference(kinds)`` with the kinds of their plugin.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

from .kinds import Column, RecordKind, type_doc

HEADER = """# Record kinds

Every kind of record xiaoqi imports, exports, checks and shows: the core's and those of the
built-in plugins. A file's header row may use the Chinese or the English header of a column (the
English one in any case); a choice may be written in Chinese or, where the table gives one, in
English. The key names one record; a reference names a record of another kind, which must exist
and be one the writer may read.

This file is generated from the kinds (`python -m xiaoqi.core.kinds_doc docs/kinds.md`); a test
fails when it is stale.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _choices(col: Column) -> str:
    if not col.choices:
        return ""
    english = dict(zip(col.choices, col.choices_en))
    return "<br>".join(f"{c} ({english[c]})" if c in english else c for c in col.choices)


def kind_section(kind: RecordKind) -> str:
    """One kind: its names, owner, key, references and a table of its columns."""
    lines = [f"## {kind.zh} — {kind.en} (`{kind.name}`)", ""]
    lines.append(f"- Defined by: {'the core' if kind.plugin is None else f'the plugin `{kind.plugin}`'}")
    lines.append(f"- Key: {', '.join(f'`{k}`' for k in kind.key)}")
    for ref in kind.references:
        target = ", ".join(f"`{c}`" for c in ref.target_columns)
        agree = f" (same {', '.join(f'`{c}`' for c in ref.agree)})" if ref.agree else ""
        lines.append(f"- Reference: {', '.join(f'`{c}`' for c in ref.columns)} → `{ref.kind}` {target}{agree}")
    for named in kind.named_references:
        lines.append(f"- By name: `{named.name_column}` fills `{named.column}` from a `{named.kind}` record's `{named.target_name}`")
    if not kind.writable:
        lines.append("- Written through its own commands only (not by import)")
    personal = kind.rights.personal
    lines += ["", "| Column | 中文表头 | Type | 类型 | Required | Choices | Notes |", "|---|---|---|---|---|---|---|"]
    for col in kind.columns:
        required = "key" if col.key or col.name in kind.key else ("yes" if col.required else "")
        notes = [col.doc[1]] if col.doc[1] else []
        if col.name in personal:
            notes.append(f"personal data, shown masked ({personal[col.name]})")
        lines.append("| " + " | ".join(_cell(x) for x in (
            f"`{col.name}`", col.zh, type_doc(col.type, "en"), type_doc(col.type, "zh"), required, _choices(col),
            "; ".join(notes))) + " |")
    return "\n".join(lines) + "\n"


def reference(kinds: Iterable[RecordKind], header: str = HEADER) -> str:
    """The Markdown reference of ``kinds``, in the order given."""
    return "\n".join([header, *(kind_section(kind) for kind in kinds)])


def builtin_reference() -> str:
    """docs/kinds.md: the core's kinds and the built-in plugins', whatever else is installed."""
    from .core_kinds import CORE_KINDS
    from .kinds import get_kinds
    from .plugins import DEFAULT_PLUGINS, contributions

    builtin = {id(kind) for kind in CORE_KINDS}
    builtin |= {id(kind) for plugin, kind in contributions("xiaoqi_register_record_kinds") if plugin in DEFAULT_PLUGINS}
    return reference(kind for kind in get_kinds().values() if id(kind) in builtin)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = builtin_reference()
    if argv:
        Path(argv[0]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
