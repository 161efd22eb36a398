"""Filters per column for a record screen: one field per column, read by the column's own parser
(a date filter is a date, 是/否 a yes/no), with the services' matching rules: text columns match a
part, a trailing ``*`` matches a prefix, other columns match exactly."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from xiaoqi.core.kinds import RecordKind

from ..bindings import key, translate_bindings
from ..i18n import t
from ..widgets.footer import Footer
from .record_form import field_widget, widget_value

def parse_filter(col, raw: str) -> Any:
    """The filter value for ``raw`` typed in the field of ``col`` (ValueError when unreadable):
    a prefix (``4101*``) or a part of a text column as typed, anything else read by its parser."""
    if raw.endswith("*") or col.type in ("text", "list"):
        return raw
    return col.parse(raw)


class FilterDialog(ModalScreen[dict | None]):
    """Dismissed with the new filters (``{column: value}``), or None when cancelled."""

    BINDINGS = [
        key("escape", "cancel", "tui.key.cancel", id="xiaoqi.filter.cancel"),
        key("ctrl+s", "apply", "tui.filter.apply", id="xiaoqi.filter.apply", priority=True),
        key("ctrl+r", "clear", "tui.filter.clear", id="xiaoqi.filter.clear"),
    ]

    def __init__(self, kind: RecordKind, filters: dict) -> None:
        super().__init__(classes="dialog")
        self.kind = kind
        self.filters = dict(filters)
        translate_bindings(self)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box form-box"):
            yield Label(t("tui.filter.title", kind=self.kind.label()), classes="dialog-title")
            yield Static(t("tui.filter.help"), classes="hint")
            with VerticalScroll(id="fields"):
                for col in self.kind.columns:
                    with Vertical(classes="field", id=f"field-{col.name}"):
                        yield Label(col.header(), classes="field-label")
                        yield field_widget(col, self.filters.get(col.name), wid=f"f-{col.name}", filtering=True)
                        yield Static("", id=f"err-{col.name}", classes="field-error")
            with Horizontal(classes="buttons"):
                yield Button(t("tui.filter.apply"), variant="primary", id="apply", action="screen.apply")
                yield Button(t("tui.filter.clear"), id="clear", action="screen.clear")
                yield Button(t("tui.form.cancel"), id="cancel", action="screen.cancel")
        yield Footer()

    def on_mount(self) -> None:
        for widget in self.query(".field-error"):
            widget.display = False
        self.query_one(f"#f-{self.kind.columns[0].name}").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_clear(self) -> None:
        self.dismiss({})

    def action_apply(self) -> None:
        filters, bad = {}, False
        for col in self.kind.columns:
            error = self.query_one(f"#err-{col.name}", Static)
            error.display = False
            raw = widget_value(self.query_one(f"#f-{col.name}"))
            if raw is None:
                continue
            try:
                filters[col.name] = parse_filter(col, str(raw).strip())
            except ValueError as exc:
                error.update(str(exc))
                error.display = True
                bad = True
        if not bad:
            self.dismiss(filters)
