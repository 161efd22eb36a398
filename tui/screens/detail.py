"""One record in full: every field, its history (the audit log, its imported creation included),
the records it refers to, its compliance findings (the rule engine run for the record's school or
enterprise, in a worker), and the sections plugins add for its kind (``xiaoqi_detail_sections``)."""

from __future__ import annotations

import sqlalchemy as sa
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static, TabbedContent, TabPane

from xiaoqi.core.db import read_session, write_session
from xiaoqi.core.errors import PermissionDenied, XiaoqiError
from xiaoqi.core.kinds import RecordKind, get_kind
from xiaoqi.core.names import NameColumn, name_columns, names_of, title_of
from xiaoqi.core.plugins import contributions, unique
from xiaoqi.core.privacy import mask_finding, mask_key, may_reveal, present
from xiaoqi.core.related import finding_matcher, group_findings, related_records
from xiaoqi.core.rules import check_as
from xiaoqi.core.services import get_record

from .. import DetailRecord, DetailTable
from ..bindings import key
from ..dialogs.record_form import RecordForm, may_write
from ..i18n import both, severity_label, t, value_text
from ..work import db_work, error_text
from .base import MainScreen

#: attributes that name a record in one line (the first one a record has)
NAME_FIELDS = ("name", "title", "agreement_no", "policy_no", "reservation_no")


def record_label(kind: RecordKind, obj) -> str:
    for attr in NAME_FIELDS:
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return mask_key(kind, kind.key_of(kind.export_values(obj)))


def detail_sections(kind: RecordKind) -> list:
    """The sections plugins add to the detail view of ``kind`` (ids unique per kind)."""
    found = contributions("xiaoqi_detail_sections", kind=kind.name)
    return list(unique("detail_section", ((plugin, section.id, section) for plugin, section in found)).values())


def section_renderable(content):
    """What a detail section's ``load`` returned, as the panel shows it."""
    if not isinstance(content, DetailTable):
        return Text(content) if isinstance(content, str) else content
    if not content.rows:
        body = Text(both(*content.empty), style="dim")
    else:
        body = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
        for zh, en in content.columns:
            body.add_column(both(zh, en))
        for row in content.rows:
            body.add_row(*(value_text(v) for v in row))
    if not content.notes:
        return body
    from rich.console import Group

    return Group(body, Text("\n".join(content.notes), style="dim"))


def check_scope(kind: RecordKind, session, values: dict) -> dict:
    """The school and enterprise whose check covers this record (nothing when none applies)."""
    codes = {values.get(c) for c in (kind.school_column, kind.enterprise_column) if c}
    for ref in kind.references if not any(codes) else ():
        # the first referenced record that has an owner owns this one (an entry's policy holder,
        # an item's workshop and its lead college)
        target = get_kind(ref.kind)
        owned_by = [c for c in (target.school_column, target.enterprise_column) if c]
        if owned_by:
            match = [getattr(target.model, tc) == values.get(c) for c, tc in zip(ref.columns, ref.target_columns)]
            codes = set(session.execute(sa.select(*[getattr(target.model, c) for c in owned_by]).where(*match)).first() or ())
            break
    scope = {}
    for code in filter(None, codes):
        scope["school" if len(code) == 10 else "enterprise"] = code
    return scope


class RecordDetailScreen(MainScreen):
    BINDINGS = [
        key("e", "edit", "tui.key.edit", id="xiaoqi.detail.edit"),
        key("r", "refresh", "tui.key.refresh", id="xiaoqi.detail.refresh"),
        key("h", "tab('tab-history')", "tui.key.history", id="xiaoqi.detail.history"),
        key("f", "tab('tab-fields')", "tui.key.fields", id="xiaoqi.detail.fields"),
        key("v", "reveal", "tui.key.reveal", id="xiaoqi.detail.reveal"),
        key("escape", "back", "tui.key.back", id="xiaoqi.detail.back"),
    ]

    def __init__(self, engine, actor, kind: RecordKind, record_key: str, **kw) -> None:
        self.kind = kind
        self.record_key = record_key
        self.section = f"records-{kind.name}"
        super().__init__(engine, actor, **kw)
        self.values: dict | None = None
        self.findings: list | None = None
        self.sections = detail_sections(kind)
        self.history: list | None = None
        #: personal columns shown in full (the reveal key; each load then writes an audit entry)
        self.revealed = False

    def compose_body(self) -> ComposeResult:
        yield Label(t("tui.detail.title", kind=self.kind.label(), key=mask_key(self.kind, self.record_key)),
                    classes="screen-title", id="detail-title")
        with Horizontal(id="detail"):
            with TabbedContent(id="detail-tabs"):
                with TabPane(t("tui.detail.fields"), id="tab-fields"):
                    with VerticalScroll(id="detail-fields", classes="panel"):
                        yield Static(t("tui.dash.loading"), id="fields-text")
                        yield Static("", id="related-text")
                with TabPane(t("tui.detail.history"), id="tab-history"):
                    with VerticalScroll(id="detail-history", classes="panel"):
                        yield Static(t("tui.dash.loading"), id="history-text")
            with Vertical(id="detail-side"):
                with VerticalScroll(id="detail-refs", classes="panel"):
                    yield Static("", id="refs-text")
                with VerticalScroll(id="detail-findings", classes="panel"):
                    yield Static(t("tui.detail.findings.checking"), id="findings-text")
                for section in self.sections:
                    with VerticalScroll(id=f"section-{section.id}", classes="panel detail-section"):
                        yield Static(t("tui.dash.loading"), id=f"section-{section.id}-text")

    def on_mount(self) -> None:
        self.set_title(self.kind.label())
        self.query_one("#detail-fields").border_title = t("tui.detail.fields")
        self.query_one("#detail-refs").border_title = t("tui.detail.references")
        self.query_one("#detail-findings").border_title = t("tui.detail.findings")
        for section in self.sections:
            self.query_one(f"#section-{section.id}").border_title = both(*section.title)
        self.query_one("#detail-fields").focus()  # the record's fields, scrolled by the arrow keys
        self.load()

    #: the section the record was opened from (the compliance screen, a table)
    came_from: str | None = None

    def action_back(self) -> None:
        """Back where the user came from: the screen below, or the section that opened it."""
        app = self.app
        here = app.current_mode
        app.pop_screen()
        if self.came_from and self.came_from != here:
            app.open_section(self.came_from)

    def action_refresh(self) -> None:
        self.load()

    def action_tab(self, pane: str) -> None:
        self.query_one("#detail-tabs", TabbedContent).active = pane

    def action_reveal(self) -> None:
        """Show this record's personal data in full, if the actor may (refused with a message
        otherwise); the reveal is audited."""
        if not self.kind.rights.personal or self.revealed:
            return
        if not may_reveal(self.kind, self.actor):
            self.show_error(PermissionDenied(t("privacy.reveal_denied", actor=self.actor.label(), kind=self.kind.label())))
            return
        self.revealed = True
        self.load()

    def action_edit(self) -> None:
        if self.values is None or not may_write(self, self.kind):
            return

        def saved(record_key: str | None) -> None:
            if record_key:
                self.load()
                self.app.data_changed()

        self.app.push_screen(RecordForm(self.engine, self.actor, self.kind, key=self.record_key), saved)

    # -- loading -------------------------------------------------------------------------
    @db_work(group="detail-load")
    def load(self) -> None:
        kind = self.kind
        try:
            with (write_session if self.revealed else read_session)(self.engine) as session:
                obj = get_record(session, actor=self.actor, kind=kind, key=self.record_key)
                values = kind.export_values(obj)
                # what the screen shows: personal columns masked unless revealed (then audited)
                (shown,) = present(session, self.actor, kind, [obj], reveal=self.revealed)
                names = names_of(session, self.actor, kind, [obj.id])[obj.id]
                related = related_records(session, self.actor, kind, values)
                refs = []
                for ref in kind.references:
                    local = [values.get(c) for c in ref.columns]
                    if any(v is None for v in local):
                        continue
                    target = get_kind(ref.kind)
                    target_key = dict(zip(ref.target_columns, local))
                    try:
                        label = record_label(target, get_record(session, actor=self.actor, kind=target, key=target_key))
                    except XiaoqiError:
                        label = None
                    refs.append((target, mask_key(target, "/".join(map(str, local))), label))
                scope = check_scope(kind, session, values)
        except Exception as exc:
            self.app.call_from_thread(self._gone, exc)
            return
        self.app.call_from_thread(self._show, values, refs, shown, names)
        self.app.call_from_thread(self._show_related, related)
        # plugins' sections get what the view shows (personal data masked unless revealed), and
        # the stored values to look their rows up with
        key = self.record_key if self.revealed else mask_key(kind, self.record_key)
        self._load_sections(DetailRecord(kind=kind, key=key, values=shown, stored=values))
        self.load_history()
        self._check(scope)

    @db_work(group="detail-history")
    def load_history(self) -> None:
        """The record's audit history (an imported creation is rebuilt from the batch's file)."""
        from xiaoqi.core.history import record_history

        try:
            with read_session(self.engine) as session:
                entries = record_history(session, actor=self.actor, kind=self.kind, key=self.record_key)
        except Exception as exc:
            self.app.call_from_thread(self._show_history, None, exc)
            return
        self.app.call_from_thread(self._show_history, entries, None)

    def _show_history(self, entries: list | None, exc: BaseException | None) -> None:
        from xiaoqi.core.history import entry_summary
        from xiaoqi.core.imports import action_label

        widget = self.query_one("#history-text", Static)
        if entries is None:
            widget.update(Text(error_text(exc), style="dim"))
            return
        self.history = entries
        self.query_one("#detail-history").border_title = t("tui.detail.history.count", n=len(entries))
        text = Text()
        for e in entries:
            style = "bold red" if e.action == "refused" else "bold"
            text.append(f"#{e.id}  {e.at.isoformat(sep=' ', timespec='seconds')}  ", style="dim")
            text.append(action_label(e.action), style=style)
            text.append(f"  {e.actor}" + (f" / {e.login}" if e.login else ""))
            summary = entry_summary(e)
            text.append(f"\n  {summary}\n" if summary else "\n")
        widget.update(text)

    def _gone(self, exc: Exception) -> None:
        self.query_one("#fields-text", Static).update(Text(t("tui.detail.gone", reason=error_text(exc)), style="bold red"))
        self.query_one("#findings-text", Static).update("")
        self.show_error(exc)

    def _show(self, values: dict, refs: list, shown: dict, names: dict) -> None:
        self.values = values
        title = title_of(self.kind, shown, names)
        self.title_text = title
        self.query_one("#detail-title", Label).update(t("tui.detail.title_named", kind=self.kind.label(), title=title,
                                                         key=mask_key(self.kind, self.record_key)))
        self.set_title(f"{self.kind.label()} · {title}")
        beside = {}
        for nc in name_columns(self.kind):
            beside.setdefault(nc.beside, []).append(nc)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for col in self.kind.columns:
            text = value_text(shown.get(col.name), col)
            grid.add_row(col.header(), Text(text) if text else Text(t("tui.empty_value"), style="dim"))
            for nc in beside.get(col.name, ()):
                if names.get(nc.name):
                    grid.add_row(Text(nc.header(), style="dim"), Text(str(names[nc.name])))
        self.query_one("#fields-text", Static).update(grid)
        refs_grid = Table.grid(padding=(0, 2))
        refs_grid.add_column(style="bold", no_wrap=True)
        refs_grid.add_column()
        for target, ref_key, label in refs:
            text = Text(ref_key, style="dim")
            text.append("  ")
            text.append(label if label is not None else t("tui.detail.hidden_ref"))
            refs_grid.add_row(target.label(), text)
        self.query_one("#refs-text", Static).update(refs_grid if refs else Text(t("tui.empty_value"), style="dim"))

    def _show_related(self, related: list) -> None:
        """The records referring to this one (a student's internships and insurance cover), a
        table for each kind with its count."""
        from rich.console import Group

        self.related = related
        parts = []
        for rel in related:
            head = Text(t("tui.detail.related_head", kind=rel.kind.label(), n=f"{rel.total:,}"), style="bold")
            if rel.total > len(rel.rows):
                head.append("  " + t("tui.detail.related_more", shown=len(rel.rows), kind=rel.kind.label()), style="dim")
            table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold dim")
            for col in rel.columns:
                table.add_column(col.header())
            for row in rel.rows:
                table.add_row(*(value_text(row.get(c.name), None if isinstance(c, NameColumn) else c) for c in rel.columns))
            parts.extend([Text(""), head, table])
        self.query_one("#related-text", Static).update(Group(*parts) if parts else "")

    def _load_sections(self, record: DetailRecord) -> None:
        """Runs in the load worker: each plugin section, one failing without the others."""
        for section in self.sections:
            try:
                with read_session(self.engine) as session:
                    shown = section_renderable(section.load(session, record, self.context))
            except Exception as exc:  # a plugin's section must not take the record down
                shown = Text(t("tui.error.section", title=both(*section.title), reason=error_text(exc)), style="red")
            self.app.call_from_thread(self._show_section, section.id, shown)

    def _show_section(self, section_id: str, shown) -> None:
        self.query_one(f"#section-{section_id}-text", Static).update(shown)

    def _check(self, scope: dict) -> None:
        """Runs in the load worker, after the record is shown: the rules for its school/enterprise."""
        try:
            with read_session(self.engine) as session:
                result = check_as(session, actor=self.actor, config=self.app.config, **scope)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, exc)
            return
        # the record's own findings and those of the records that refer to it (a student's internships)
        about = finding_matcher(self.kind, self.record_key, self.values or {})
        found = [f for f in result.findings if about(f.subject_kind, f.subject_key)]
        own = {(mask_finding(f).subject_kind, mask_finding(f).subject_key) for f in found
               if f.subject_kind == self.kind.name and f.subject_key == self.record_key}
        mine = [mask_finding(f) for f in found]
        self._own = own
        self.app.call_from_thread(self._show_findings, mine)

    def _show_findings(self, findings: list) -> None:
        from xiaoqi.core.rules import get_rules

        self.findings = findings
        panel = self.query_one("#detail-findings")
        widget = self.query_one("#findings-text", Static)
        if not findings:
            panel.border_title = t("tui.detail.findings")
            widget.update(Text(t("tui.detail.findings.none"), style="green"))
            return
        panel.border_title = f"{t('tui.detail.findings')} · {t('tui.detail.findings.count', n=len(findings))}"
        rules = get_rules()
        kinds = {k.name: k for k in [self.kind, *(rel.kind for rel in getattr(self, "related", []))]}
        text = Text()
        for f, n in group_findings(findings):
            rule = rules.get(f.rule)
            style = "bold red" if f.severity == "error" else "bold yellow"
            text.append(f"● {severity_label(f.severity)} ", style=style)
            text.append(f.rule, style="bold")
            if rule:
                text.append(f"  {rule.label()}")
            if n > 1:
                text.append("  " + t("tui.detail.findings.times", n=n), style="bold")
            if (f.subject_kind, f.subject_key) not in getattr(self, "_own", set()):
                other = kinds.get(f.subject_kind)  # a finding about a record referring to this one
                text.append(f"\n  {other.label() if other else f.subject_kind} {f.subject_key}", style="dim")
            text.append(f"\n  {f.message}\n")
        widget.update(text)

