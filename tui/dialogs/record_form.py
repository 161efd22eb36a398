"""The form to create or edit a record of any kind: one field per column of the kind, checked by the
kind's row schema (``RecordKind.parse_row``, the one import uses) as the user saves, then written
through ``create_record`` / ``update_record`` in a worker (references, scope, audit). Every problem
is shown under the field it concerns; a refusal that concerns no field is shown at the bottom."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import ValidationFailed
from xiaoqi.core.kinds import Column, RecordKind, RowProblems, get_kind, get_kinds, type_doc
from xiaoqi.core.privacy import is_pseudonym, mask_key, mask_value, may_reveal, present
from xiaoqi.core.services import create_record, get_record, snapshot, update_record

from ..bindings import key, translate_bindings
from ..i18n import both, form_text, t
from ..widgets.footer import Footer
from ..work import db_work, error_text


def may_write(screen, kind: RecordKind) -> bool:
    """Whether the screen's actor may open a form for ``kind``; tells the user why not."""
    if screen.actor.read_only:
        screen.notify(t("tui.rec.read_only", actor=screen.actor.label()), severity="warning")
        return False
    if not kind.writable:
        screen.notify(t("tui.rec.not_writable", kind=kind.label()), severity="warning")
        return False
    return True


def field_widget(col: Column, value: Any, *, wid: str, disabled: bool = False, filtering: bool = False):
    """The input for one column: a choice list for choices and yes/no, a text field otherwise."""
    text = form_text(value)
    if col.type == "choice" or col.type == "bool":
        if col.type == "bool":
            options = [(t("tui.form.yes"), "true"), (t("tui.form.no"), "false")]
            text = {"True": "true", "False": "false"}.get(text, text)
        else:
            options = [(col.choice_text(c), c) for c in col.choices]
        prompt = t("tui.filter.any") if filtering else (t("tui.form.choose") if col.required else t("tui.form.blank"))
        return Select(options, prompt=prompt, value=text if text in [v for _, v in options] else Select.NULL,
                      allow_blank=True, id=wid, disabled=disabled)
    hint = type_doc(col.type)
    if col.choices:
        hint += ": " + " / ".join(col.choice_text(c) for c in col.choices)
    if any(col.doc):
        hint += " · " + both(*col.doc)
    return Input(text, placeholder=t("tui.form.key_locked") if disabled else hint, id=wid, disabled=disabled)


def lookup_references(kind: RecordKind) -> dict:
    """The fields of ``kind`` that offer a lookup by name: the last column of each reference to a
    kind whose records have a name (a student, an enterprise, a teacher, a position), the first
    such reference of a column -> that ``Reference``."""
    from xiaoqi.core.names import name_attribute

    out = {}
    for ref in kind.references:
        target = get_kinds().get(ref.kind)
        if target is not None and name_attribute(target) and ref.columns[-1] in kind.by_name:
            out.setdefault(ref.columns[-1], ref)
    return out


def widget_value(widget) -> Any:
    value = widget.value
    if value is Select.NULL or value == "":
        return None
    return value


class RecordForm(ModalScreen[str | None]):
    """Dismissed with the record's key once saved, with None when cancelled."""

    BINDINGS = [
        key("escape", "cancel", "tui.key.cancel", id="xiaoqi.form.cancel"),
        key("ctrl+s", "save", "tui.key.save", id="xiaoqi.form.save", priority=True),
        # offered while a reference field has the focus
        key("ctrl+l", "lookup", "tui.key.lookup", id="xiaoqi.form.lookup"),
    ]

    def __init__(self, engine, actor, kind: RecordKind, *, key: str | None = None, values: dict | None = None) -> None:
        super().__init__(classes="dialog")
        self.engine, self.actor, self.kind = engine, actor, kind
        self.key = key
        self.values = dict(values or {})
        #: the edited record as stored (``values`` is what the form shows: personal data masked
        #: for an actor who may not reveal it)
        self.stored: dict = dict(self.values)
        #: the fields as the form filled them
        self._filled: dict = {}
        #: reference fields that offer a lookup by name: column -> the reference it fills
        self.lookups = lookup_references(kind)
        #: codes picked by a lookup that the field shows masked (the actor may not see them in
        #: full): column -> (what the field shows, the code)
        self.picked: dict[str, tuple[str, str]] = {}
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        kind = self.kind
        title = t("tui.form.edit", kind=kind.label(), key=mask_key(kind, self.key)) if self.key else t("tui.form.new", kind=kind.label())
        with Vertical(classes="dialog-box form-box"):
            yield Label(title, classes="dialog-title")
            yield Static(t("tui.form.required"), classes="hint")
            with VerticalScroll(id="fields"):
                for col in kind.columns:
                    locked = bool(self.key) and col.key
                    with Vertical(classes="field", id=f"field-{col.name}"):
                        label = Text(col.header() + (" *" if col.required else ""))
                        if col.name in self.lookups and not locked:
                            label.append("  " + t("tui.form.lookup_hint"), style="dim")
                        yield Label(label, classes="field-label")
                        yield field_widget(col, self.values.get(col.name), wid=f"f-{col.name}", disabled=locked)
                        yield Static("", id=f"err-{col.name}", classes="field-error")
            yield Static("", id="form-error", classes="form-error")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.form.save"), variant="primary", id="save", action="screen.save")
                yield Button(t("tui.form.cancel"), id="cancel", action="screen.cancel")
        # the form's own keys (ctrl+s 保存, esc 取消) at the bottom, as on every screen
        yield Footer()

    def on_mount(self) -> None:
        for widget in self.query(".field-error, .form-error"):
            widget.display = False
        if self.key:
            self._load()
        else:
            self._focus_first()

    def _focus_first(self) -> None:
        for col in self.kind.columns:
            widget = self.query_one(f"#f-{col.name}")
            if not widget.disabled:
                widget.focus()
                return

    @db_work(group="form-load")
    def _load(self) -> None:
        # personal data in full for an actor who may reveal it (the record in its reveal scope),
        # audited as the form opens; masked for the others
        reveal = bool(self.kind.rights.personal) and may_reveal(self.kind, self.actor)
        try:
            with (write_session if reveal else read_session)(self.engine) as session:
                obj = get_record(session, actor=self.actor, kind=self.kind, key=self.key)
                stored = self.kind.export_values(obj)
                (values,) = present(session, self.actor, self.kind, [obj], reveal=reveal)
        except Exception as exc:
            self.app.call_from_thread(self._general, error_text(exc))
            return
        self.app.call_from_thread(self._fill, values, stored)

    def _fill(self, values: dict, stored: dict | None = None) -> None:
        self.values = values
        self.stored = dict(values if stored is None else stored)
        for col in self.kind.columns:
            widget = self.query_one(f"#f-{col.name}")
            text = form_text(values.get(col.name))
            if isinstance(widget, Select):
                text = {"True": "true", "False": "false"}.get(text, text)
                widget.value = text if text else Select.NULL
            else:
                widget.value = text
        self._filled = self.raw_values()
        self._focus_first()

    def raw_values(self) -> dict:
        raw = {col.name: widget_value(self.query_one(f"#f-{col.name}")) for col in self.kind.columns}
        for name, (shown, code) in self.picked.items():
            if raw.get(name) == shown:
                raw[name] = code  # a masked pick stands for its code
        return raw

    # -- looking a reference up by name --------------------------------------------------
    def _focused_reference(self) -> str | None:
        focused = self.focused
        name = (focused.id or "").removeprefix("f-") if focused is not None else ""
        return name if name in self.lookups and not focused.disabled else None

    def action_lookup(self) -> None:
        """The record a reference field names, picked by name from those the actor may read."""
        from .lookup import LookupDialog

        name = self._focused_reference()
        if name is None:
            return
        ref = self.lookups[name]
        raw = self.raw_values()
        # what the form fixes already narrows the choice: the enterprise of a position, the school
        # a student must belong to
        fixed = {tc: raw.get(c) for c, tc in zip(ref.columns[:-1], ref.target_columns[:-1])}
        fixed.update({c: raw.get(c) for c in ref.agree})
        for named in self.kind.named_references:  # a school mentor of the internship's school
            if named.column == name:
                fixed.update({tc: raw.get(c) for c, tc in named.scope})
        typed = self.query_one(f"#f-{name}", Input).value
        if name in self.picked and typed == self.picked[name][0]:
            typed = ""
        target = get_kind(ref.kind)
        dialog = LookupDialog(self.engine, self.actor, target, typed, fixed=fixed, field=self.kind.by_name[name].header())
        self.app.push_screen(dialog, lambda match: self._fill_reference(name, match))

    def _fill_reference(self, name: str, match) -> None:
        if match is None:
            return
        ref = self.lookups[name]
        personal = self.kind.rights.personal
        masked = not may_reveal(self.kind, self.actor)
        for column, target_column in zip(ref.columns, ref.target_columns):
            widget = self.query_one(f"#f-{column}", Input)
            if widget.disabled:
                continue
            code = form_text(match.values[target_column])
            if masked and column in personal:
                shown = str(mask_value(personal[column], code))
                self.picked[column] = (shown, code)
                widget.value = shown
            else:
                self.picked.pop(column, None)
                widget.value = code
        for named in self.kind.named_references:  # the name kept beside the code (the mentor's)
            if named.column == name and named.name_column in self.kind.by_name:
                self.query_one(f"#f-{named.name_column}", Input).value = match.name
        self.query_one(f"#f-{name}", Input).focus()

    def _masked_unchanged(self, raw: dict) -> set[str]:
        """The columns shown masked (or as the database's pseudonym) that the user left as shown:
        they are not written, the stored value stays."""
        return {name for name in self.kind.rights.personal
                if name in raw and (self.values.get(name) != self.stored.get(name) or is_pseudonym(self.stored.get(name)))
                and raw[name] == self._filled.get(name)}

    # -- saving --------------------------------------------------------------------------
    def action_cancel(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        # ctrl+s, like the button, waits while a save is under way (shown greyed)
        if action == "save" and self.is_mounted and self.query_one("#save", Button).disabled:
            return None
        if action == "lookup":
            return self.is_mounted and self._focused_reference() is not None
        return True

    def action_save(self) -> None:
        raw = self.raw_values()
        self._clear_errors()
        kept = self._masked_unchanged(raw) if self.key else set()
        try:
            self.kind.parse_row({**raw, **{c: None if is_pseudonym(self.stored.get(c)) else self.stored.get(c) for c in kept}})
        except RowProblems as exc:
            self._show_problems([(name, reason) for name, _value, reason in exc.problems])
            return
        self._general(t("tui.form.saving"), error=False)
        # a mask left as shown is not written over the stored value
        self._write({name: value for name, value in raw.items() if name not in kept})

    @db_work(group="form-save")
    def _write(self, raw: dict) -> None:
        kind = self.kind
        try:
            with write_session(self.engine) as session:
                changed = True
                if self.key:
                    before = snapshot(kind, get_record(session, actor=self.actor, kind=kind, key=self.key))
                    obj = update_record(session, actor=self.actor, kind=kind, key=self.key, changes=raw)
                    changed = snapshot(kind, obj) != before
                else:
                    obj = create_record(session, actor=self.actor, kind=kind, data=raw)
                saved = kind.key_of(kind.export_values(obj))
        except ValidationFailed as exc:
            problems = [(kind.column_for_header(header) or header, reason) for header, _value, reason in exc.problems]
            self.app.call_from_thread(self._show_problems, problems)
            return
        except Exception as exc:
            self.app.call_from_thread(self._general, error_text(exc))
            return
        self.app.call_from_thread(self._saved, saved, changed)

    def _saved(self, saved: str, changed: bool = True) -> None:
        """已保存 only when something was written; a save that changes nothing says so (and the
        screen behind has nothing to reload)."""
        shown = mask_key(self.kind, saved)
        if not changed:
            self.app.notify(t("tui.rec.unchanged", kind=self.kind.label(), key=shown))
            self.dismiss(None)
            return
        message = "tui.rec.saved" if self.key else "tui.rec.created"
        self.app.notify(t(message, kind=self.kind.label(), key=shown))
        self.dismiss(saved)

    # -- problems ------------------------------------------------------------------------
    def _clear_errors(self) -> None:
        for widget in self.query(".field-error, .form-error"):
            widget.update("")
            widget.display = False
        for widget in self.query(".field.-invalid"):
            widget.remove_class("-invalid")

    def _show_problems(self, problems: list[tuple[str, str]]) -> None:
        self._clear_errors()
        general = []
        by_field: dict[str, list[str]] = {}
        for name, reason in problems:
            if name in self.kind.by_name:
                by_field.setdefault(name, []).append(reason)
            else:
                general.append(t("err.field", field=name, reason=reason))
        first = None
        for name, reasons in by_field.items():
            error = self.query_one(f"#err-{name}", Static)
            error.update(t("tui.sep").join(reasons))
            error.display = True
            field = self.query_one(f"#field-{name}")
            field.add_class("-invalid")
            first = first or field
        summary = [t("tui.form.invalid", n=len(by_field))] if by_field else []
        self._general("\n".join(summary + general))
        if first is not None:
            self.query_one("#fields", VerticalScroll).scroll_to_widget(first, animate=False)
            widget = self.query_one(f"#f-{first.id.removeprefix('field-')}")
            if not widget.disabled:
                widget.focus()

    def _general(self, text: str, *, error: bool = True) -> None:
        self.query_one("#save", Button).disabled = not error and bool(text)
        self.refresh_bindings()
        widget = self.query_one("#form-error", Static)
        widget.update(text)
        widget.set_class(not error, "-progress")
        widget.display = bool(text)
