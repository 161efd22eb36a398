"""The permission table of the documentation, generated from the record kinds' declarations
(``RecordKind.access``, see ``xiaoqi.core.access``): per kind, per action and per actor type, the
rows the actor may act on; the columns an actor type may change; the personal columns and their
masks; the kinds written only through their own service.

``python -m xiaoqi.core.permissions docs/permissions.md`` writes it (the core's and the built-in
plugins' kinds); a test keeps the file current.
"""

from __future__ import annotations

import sys

from .access import ACTIONS, ACTOR_TYPES, NONE
from .i18n import reset_lang, set_lang

HEAD = """# Who may see and change what

Generated from the record kinds' declarations (`RecordKind.access`, `xiaoqi.core.access`) by
`python -m xiaoqi.core.permissions docs/permissions.md`; a test fails when this file is not current.
The services, the importer, the TUI, the masking of personal data and the database's row-level
security all read the same declarations.

Actor types: **admin** (the database's owner: everything), **auditor** (reads everything, writes
nothing, sees personal data masked), **province** (reads the records of its schools and enterprises),
**school** and **enterprise** (their own records, as each kind says). *reveal* is seeing the personal
columns in full (`--reveal`, the TUI's `v` key): allowed only where the table says so, and every
reveal is written to the audit log. Without it every surface shows them masked:
ID numbers as 110101\\*\\*\\*\\*\\*\\*\\*\\*1234, phones as 138\\*\\*\\*\\*5678, names as 张\\*\\*.

A write must also name only records that the writer may read (another school's student reads as
missing, and the refusal does not say where it belongs), and pass the kind's guards.
"""

MASK_TEXT = {"idcard": "110101********1234", "phone": "138****5678", "name": "张**", "hide": "***", "ids": "a/110101********1234/b"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def kind_table(kind) -> str:
    rights = kind.rights
    lines = [f"## {kind.name} ({kind.zh})", ""]
    if kind.plugin:
        lines += [f"Plugin: `{kind.plugin}`.", ""]
    if rights.service:
        lines += [f"**Written only through its service**: {_cell(rights.service)} (no `records add/set/delete`, no import).", ""]
    lines.append("| action | " + " | ".join(ACTOR_TYPES) + " |")
    lines.append("|---" * (len(ACTOR_TYPES) + 1) + "|")
    for action in ACTIONS:
        if action == "reveal" and not rights.personal:
            continue
        cells = []
        for actor_type in ACTOR_TYPES:
            scope = rights.scope(action, actor_type)
            if rights.service and action in ("create", "update", "delete") and scope is not NONE:
                cells.append(_cell(scope.label(kind, actor_type)) + " (service)")
            else:
                cells.append(_cell(scope.label(kind, actor_type)))
        lines.append(f"| {action} | " + " | ".join(cells) + " |")
    lines.append("")
    for actor_type, columns in sorted(rights.columns.items()):
        lines.append(f"- {actor_type} may change only: " + ", ".join(f"`{c}`" for c in columns))
    if rights.personal:
        lines.append("- personal columns: " + ", ".join(f"`{c}` ({_cell(MASK_TEXT[m])})" for c, m in sorted(rights.personal.items())))
    if rights.guards:
        lines.append("- guards: " + "; ".join(_cell((g.__doc__ or g.__name__).strip().splitlines()[0]) for g in rights.guards))
    if lines[-1] != "":
        lines.append("")
    return "\n".join(lines)


def permission_table() -> str:
    """The whole document, in English, for the kinds loaded now."""
    from .kinds import get_kinds

    token = set_lang("en")
    try:
        return HEAD + "\n" + "\n".join(kind_table(kind) for kind in get_kinds().values())
    finally:
        reset_lang(token)


def main(argv: list[str]) -> None:
    text = permission_table()
    if not argv:
        sys.stdout.write(text)
        return
    with open(argv[0], "w", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
