"""Personal data on every surface: how each kind of personal column is masked, and the functions
every surface calls to show records, keys, findings and messages to an actor.

``present(session, actor, kind, records, reveal=...)`` is the one door for records: it masks the
kind's personal columns (``RecordKind.rights.personal``) unless the caller asks to reveal them, the
actor's type may reveal them (``Access.reveal``) and each record lies in its reveal scope; every
revealed record is written to the audit log (action ``reveal``: who saw whose data, when).
``mask_text`` masks what a text may carry of a person (ID numbers and the birth dates inside them),
for text built from keys and values: findings, error messages, reports.

One form of a masked ID number is shown to users: 110101********1234. A login on PostgreSQL reads
the database's masked views, which give a pseudonym instead (110101ghkpmjon1234, ``core.logins``):
there the masked number stays a key — one person, the same in every table, so that joins,
look-ups and unique keys between a login's rows still work, which 110101********1234 (shared by
everyone of a county with the same last four digits) would break. Every surface here shows a
pseudonym as 110101********1234 (``mask_text``, ``mask_id``), and a pseudonym written back
unchanged keeps the stored number (``is_pseudonym``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Iterable

from .access import HIDE, IDCARD, IDS, NAME, PHONE
from .errors import PermissionDenied
from .i18n import catalogue, t

catalogue(
    {
        "privacy.reveal_denied": ("{actor} 不能查看{kind}的完整个人信息（身份证号、电话等）。", "{actor} may not see the full personal data (ID numbers, phones) of {kind}."),
    }
)

#: an 18-character ID number standing alone in a text
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_HIDDEN_DATE = "****-**-**"
#: an ID number as the database gives it to a login outside its reveal scope (``core.logins``:
#: the birth date replaced by letters), shown masked like any other
_PSEUDONYM = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}[a-p]{8}\d{3}[\dX](?![0-9A-Za-z])")


def is_pseudonym(value: Any) -> bool:
    """Whether ``value`` is an ID number as the database gives it to a login outside its reveal
    scope (``core.logins``): not the number, and not to be checked or written back as one."""
    return isinstance(value, str) and len(value) == 18 and _PSEUDONYM.fullmatch(value) is not None


def mask_id(value: str) -> str:
    """110101********1234: region and last four kept, birth date hidden."""
    return value[:6] + "*" * 8 + value[14:] if value and len(value) == 18 else "*" * len(value or "")


def mask_phone(value: str) -> str:
    """138****5678: the first three and last four digits of a long number; the last two otherwise."""
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_name(value: str) -> str:
    """张**: the first character kept."""
    return value[:1] + "*" * (len(value) - 1) if len(value) > 1 else "*"


_MASKERS = {IDCARD: mask_id, PHONE: mask_phone, NAME: mask_name, HIDE: lambda value: "***", IDS: lambda value: mask_text(value)}


def mask_value(mask: str, value: Any) -> Any:
    """``value`` as the mask shows it (None and empty values stay as they are)."""
    if value is None or value == "":
        return value
    return _MASKERS[mask](str(value))


def _valid_id(text: str) -> bool:
    from .fields import parse_idcard

    try:
        parse_idcard(text)
    except ValueError:
        return False
    return True


def ids_in(text: str) -> list[str]:
    """The valid ID numbers in ``text``."""
    return [m.group(0).upper() for m in _ID_IN_TEXT.finditer(text or "") if _valid_id(m.group(0))]


def mask_text(text: Any, ids: Iterable[str] = ()) -> Any:
    """``text`` with every valid ID number masked, and the birth dates inside those numbers (and
    in ``ids``) hidden wherever they appear (a masked number and its birth date would make the
    number whole again)."""
    if not isinstance(text, str) or not text:
        return text
    text = _PSEUDONYM.sub(lambda m: mask_id(m.group(0)), text)
    found = set(ids_in(text)) | {i for i in ids if i}
    if not found:
        return text
    out = _ID_IN_TEXT.sub(lambda m: mask_id(m.group(0)) if m.group(0).upper() in found else m.group(0), text)
    for number in found:
        out = out.replace(f"{number[6:10]}-{number[10:12]}-{number[12:14]}", _HIDDEN_DATE)
    return out


def mask_key(kind, key: str) -> str:
    """A record's key text ("a/b/c") with its personal parts masked."""
    personal = kind.rights.personal
    parts = str(key).split("/")
    if len(parts) != len(kind.key):
        return mask_text(key)
    return "/".join(mask_value(personal[name], part) if name in personal else part for name, part in zip(kind.key, parts))


def may_reveal(kind, actor) -> bool:
    """Whether ``actor``'s type may reveal any personal data of ``kind``."""
    return kind.rights.allows("reveal", actor.role)


def mask_cell(kind, header: Any, value: Any) -> Any:
    """A file's cell echoed back (an import's problem) under ``header`` as the file wrote it: by
    its mask if the header names one of ``kind``'s personal columns, its ID numbers masked in any case."""
    name = kind.column_for_header(header) if isinstance(header, str) and header.strip() else None
    mask = kind.rights.personal.get(name) if name else None
    return mask_value(mask, value) if mask else mask_text(value)


#: the shortest cell a message is searched for when it is masked (a one-character cell, 是 or 张,
#: stands in too many words)
MIN_ECHO = 2


def mask_echoes(text: Any, cells: Iterable[tuple[Any, Any]]) -> Any:
    """``text`` (a reason, a refusal) with each cell it quotes (``cells``: the value as written and
    as shown) quoted as shown, the longest first, and its ID numbers masked (``mask_text``)."""
    if not isinstance(text, str) or not text:
        return text
    for raw, shown in sorted(((r, s) for r, s in cells if isinstance(r, (str, int, float)) and not isinstance(r, bool)),
                             key=lambda c: -len(str(c[0]))):
        raw = str(raw)
        if len(raw) >= MIN_ECHO and shown != raw:
            text = text.replace(raw, "***" if shown in (None, "") else str(shown))
    return mask_text(text)


def mask_problem(kind, problem: dict) -> dict:
    """A kept problem of an import of ``kind`` (row, column, value, reason) as the importer shows
    it to a non-admin: the cell of a personal column by its mask, in the reason that quotes it
    too, ID numbers masked everywhere (``kind`` None: only those). ``xiaoqi_sec.mask_problems``
    (core.logins) is the same on PostgreSQL."""
    value = problem.get("value")
    shown = mask_cell(kind, problem.get("column"), value) if kind is not None else mask_text(value)
    return {name: shown if name == "value" else mask_echoes(v, [(value, shown)]) if name == "reason" else mask_deep(v)
            for name, v in problem.items()}


def mask_deep(value: Any) -> Any:
    """``value`` (JSON: text, lists, objects) with the ID numbers in every text masked."""
    if isinstance(value, dict):
        return {name: mask_deep(v) for name, v in value.items()}
    if isinstance(value, list):
        return [mask_deep(v) for v in value]
    return mask_text(value)


def mask_note(kind, note: Any) -> Any:
    """An audit entry's note (of an entry of ``kind``: None if no longer loaded) as every reader
    but the admin reads it: a refused import's first problem (``first``, of the kind named
    ``kind``) as ``mask_problem`` shows it; a refused write's values (``values``) with ``kind``'s
    personal columns masked, in the reason that quotes them too; ID numbers masked everywhere.
    ``xiaoqi_sec.mask_note`` (core.logins) is the same on PostgreSQL."""
    if not isinstance(note, dict):
        return mask_deep(note)
    out = mask_deep(note)
    if isinstance(note.get("first"), dict):
        out["first"] = mask_refused_first(note)
    if isinstance(note.get("values"), dict) and kind is not None:
        shown = mask_values(kind, note["values"])
        out["values"] = mask_deep(shown)
        if "reason" in note:
            out["reason"] = mask_echoes(note["reason"], [(note["values"][c], shown[c]) for c in shown])
    return out


def mask_refused_first(note: dict) -> dict:
    """A refused import's audit note keeps its first problem (``first``, of the kind named ``kind``):
    that problem as ``mask_problem`` shows it to a non-admin."""
    from .kinds import get_kinds

    kind = get_kinds().get(note.get("kind")) if isinstance(note.get("kind"), str) else None
    return mask_problem(kind, note["first"])


#: a personal value that is not text (a flag, a date, a number), masked
HIDDEN_VALUE = "***"


def _not_text(kind, name: str) -> bool:
    """Whether ``kind``'s column ``name`` holds no text in the database (a flag, a date, a number;
    a plugin's type stored as one of them)."""
    column = kind.by_name.get(name)
    if column is None:
        return False
    if not column.is_text:
        return True
    from .kinds import column_types

    known = column_types().get(column.type)
    return known is not None and known.stored_as is not None


def mask_values(kind, values: dict) -> dict:
    """``values`` (column name -> value) with the kind's personal columns masked. A personal column
    that holds no text (a student's hardship flag) is masked as *** whatever it holds, no value
    too: a login's masked view on PostgreSQL keeps the column's type and gives it NULL outside
    the login's reveal scope (``logins._masked_column``), so a value and no value look alike
    there, and every surface shows the two databases alike."""
    personal = kind.rights.personal
    if not personal:
        return dict(values)
    return {name: (HIDDEN_VALUE if _not_text(kind, name) else mask_value(personal[name], v)) if name in personal else v
            for name, v in values.items()}


def _values(kind, record) -> tuple[int | None, dict]:
    if isinstance(record, dict):
        return record.get("id"), {c.name: record.get(c.name) for c in kind.columns}
    return getattr(record, "id", None), kind.export_values(record)


def present(session, actor, kind, records: Iterable, *, reveal: bool = False) -> list[dict]:
    """The records (model objects, or dicts of column values with their ``id``) as ``actor`` may
    see them: dicts of the kind's columns, personal columns masked.

    With ``reveal`` the personal columns of the records in the actor's reveal scope are shown in
    full and each such record is audited (``session`` must then be able to write); an actor whose
    type may not reveal this kind is refused."""
    rows = [_values(kind, r) for r in records]
    personal = kind.rights.personal
    if not personal:
        return [values for _id, values in rows]
    shown: set = set()
    if reveal:
        if not may_reveal(kind, actor):
            raise PermissionDenied(t("privacy.reveal_denied", actor=actor.label(), kind=kind.label()))
        from .access import stored_allowed

        shown = stored_allowed(session, kind, actor, "reveal", [i for i, _v in rows if i is not None])
    out, revealed = [], []
    for record_id, values in rows:
        if record_id in shown:
            if any(values.get(c) not in (None, "") for c in personal):
                revealed.append(kind.key_of(values))
            # a number the database gives a login as a pseudonym is not the login's to see
            values = {c: mask_value(personal[c], v) if c in personal and is_pseudonym(v) else v for c, v in values.items()}
        else:
            values = mask_values(kind, values)
        out.append(values)
    if revealed:
        audit_reveal(session, actor, kind, revealed)
    return out


def audit_reveal(session, actor, kind, keys: list[str]) -> None:
    """One audit entry per record whose personal data ``actor`` saw in full."""
    audit_reveal_keys(session, actor, [(kind.name, key) for key in keys], columns=sorted(kind.rights.personal))


def audit_reveal_keys(session, actor, subjects: list[tuple[str, str]], *, columns: list[str] | None = None,
                      surface: str | None = None) -> None:
    """One audit entry (action ``reveal``) per (kind name, key) whose personal data ``actor`` saw
    in full: who saw whose data, when, and where (``surface``)."""
    from . import audit

    note = {k: v for k, v in (("columns", columns), ("surface", surface)) if v}
    for kind_name, key in subjects:
        audit.record(session, actor=actor, kind=kind_name, action="reveal", key=key, note=note or None)


def _masked_finding_parts(key, message, numbers: dict) -> tuple:
    """A finding's key, message and numbers with the ID numbers in its key (and any valid one
    elsewhere) masked, and their birth dates hidden."""
    ids = ids_in(str(key or ""))
    births = {f"{i[6:10]}-{i[10:12]}-{i[12:14]}" for i in ids}
    shown = {}
    for name, value in (numbers or {}).items():
        text = value.isoformat() if isinstance(value, dt.date) else value
        if isinstance(text, str) and text in births:
            shown[name] = _HIDDEN_DATE
        elif isinstance(value, (list, tuple)):
            shown[name] = type(value)(mask_text(v, ids) for v in value)
        else:
            shown[name] = mask_text(value, ids)
    return mask_text(key, ids), mask_text(message, ids), shown


def mask_finding(finding):
    """A ``Finding`` as every surface shows it (see ``present_finding``); the caller that must open
    the record keeps the original."""
    import dataclasses

    key, message, numbers = _masked_finding_parts(finding.subject_key, finding.message, finding.numbers)
    return dataclasses.replace(finding, subject_key=key, message=message, numbers=numbers)


def present_finding(finding: dict) -> dict:
    """A finding (``Finding.as_dict()``) with the ID numbers in its key, message and numbers
    masked, and their birth dates hidden."""
    out = dict(finding)
    out["subject_key"], out["message"], out["numbers"] = _masked_finding_parts(
        finding.get("subject_key"), finding.get("message"), finding.get("numbers"))
    return out
