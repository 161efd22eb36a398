"""The compliance screen: the findings of the last check grouped by rule with their counts; a rule's
findings beside it, one line per subject (named: the student, the enterprise) with how many times
the rule found it; the highlighted finding in full below; Enter on a finding opens its record.

The last kept run (``xiaoqi.core.check_store``) shows at once with the time it ran; after a data
change it is marked stale and checked again in the app's worker (``XiaoqiApp.start_check``), with
a progress bar, and can be stopped between rules."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, ProgressBar, Static

from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.privacy import mask_finding, mask_key
from xiaoqi.core.related import group_findings
from xiaoqi.core.rules import get_rules

from ..bindings import key, show_key
from ..i18n import local_time, severity_label, t
from ..work import db_work
from .base import MainScreen

#: subjects listed for one rule (the CLI lists them all)
MAX_SHOWN = 2000



class ComplianceScreen(MainScreen):
    section = "compliance"
    BINDINGS = [
        key("r", "run", "tui.key.run", id="xiaoqi.check.run"),
        key("escape", "stop", "tui.key.stop", id="xiaoqi.check.stop"),
    ]

    def __init__(self, engine, actor, **kw) -> None:
        super().__init__(engine, actor, **kw)
        self.selected_rule: str | None = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="bar"):
            yield Label(t("tui.check.title"), classes="screen-title")
            yield ProgressBar(id="check-progress", show_eta=False)
        yield Static("", id="check-status", classes="status-top")
        with Horizontal(id="check-body"):
            yield DataTable(id="rules", cursor_type="row", zebra_stripes=True)
            with Vertical(id="check-side"):
                yield DataTable(id="findings", cursor_type="row", zebra_stripes=True)
                yield Static("", id="finding-info", classes="panel")
                yield Static("", id="rule-info", classes="status")

    def on_mount(self) -> None:
        self.set_title(t("tui.check.title"))
        rules = self.query_one("#rules", DataTable)
        rules.border_title = t("tui.check.rules")
        # Widths fixed from what the rows can hold, not measured from them: the table is refilled
        # on every result, and a refill caught between two idle passes was drawn at its headers'
        # widths ("HN-D" for HN-DUAL-MENTOR).
        known = get_rules().values()
        widths = {
            "severity": max(cell_len(severity_label(s)) for s in ("error", "warning")),
            "rule": max((cell_len(r.id) for r in known), default=8),
            "title": max((cell_len(r.label()) for r in known), default=8),
            "count": 9,
        }
        for key in ("severity", "rule", "title", "count"):
            label = t(f"tui.col.{key}")
            rules.add_column(label, key=key, width=max(widths[key], cell_len(label)))
        findings = self.query_one("#findings", DataTable)
        findings.border_title = t("tui.check.findings")
        findings.add_column(t("tui.col.subject"), key="subject")
        findings.add_column(t("tui.col.times"), key="times")
        findings.add_column(t("tui.col.message"), key="message")
        self.query_one("#finding-info").border_title = t("tui.check.finding")
        show_key(rules, "enter", "select_cursor", "tui.key.rule_findings", id="xiaoqi.check.rule")
        show_key(findings, "enter", "select_cursor", "tui.key.open", id="xiaoqi.check.open")
        self.watch(self.app, "check_progress", self._progress)
        self.watch(self.app, "check_result", self._result)
        self.watch(self.app, "check_stale", lambda *_: self._status(), init=False)
        self.app.want_check(fresh=True)

    def action_run(self) -> None:
        self.app.start_check()

    def action_stop(self) -> None:
        self.app.stop_check()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "stop":
            return self.app.check_running
        return super().check_action(action, parameters)

    def _progress(self, progress) -> None:
        done, total, rule = progress
        bar = self.query_one("#check-progress", ProgressBar)
        bar.display = self.app.check_running
        self.refresh_bindings()
        if not self.app.check_running:
            return
        bar.update(total=max(total, 1), progress=done)
        status = t("tui.check.running", rule=rule, done=done + 1, total=total) if rule else t("tui.check.starting")
        self.query_one("#check-status", Static).update(status)

    def _result(self, result) -> None:
        self.query_one("#check-progress", ProgressBar).display = self.app.check_running
        self.refresh_bindings()
        rules_table = self.query_one("#rules", DataTable)
        rules_table.clear()
        self.query_one("#findings", DataTable).clear()
        self._status()
        if result is None:
            return
        rules = get_rules()
        counts = result.counts()
        severity = {f.rule: f.severity for f in result.findings}
        order = sorted(counts, key=lambda r: (severity[r] != "error", -counts[r], r))
        for rule_id in order:
            rule = rules.get(rule_id)
            rules_table.add_row(severity_label(severity[rule_id]), rule_id, rule.label() if rule else rule_id,
                                f"{counts[rule_id]:,}", key=rule_id)
        if order:
            keep = self.selected_rule if self.selected_rule in counts else order[0]
            rules_table.move_cursor(row=order.index(keep))
            self._show_rule(keep)
        else:
            self.query_one("#rule-info", Static).update(t("tui.check.pick_rule"))

    def _status(self) -> None:
        """What was checked and when; stale after a data change, checking again."""
        status = self.query_one("#check-status", Static)
        result = self.app.check_result
        if result is None:
            if not self.app.check_running:
                status.update(t("tui.check.cancelled") if self.app.check_cancelled else t("tui.check.not_run"))
            return
        errors = sum(1 for f in result.findings if f.severity == "error")
        lines = [t("tui.check.summary", rules=len(result.rules_run), n=len(result.findings), errors=errors,
                   warnings=len(result.findings) - errors, seconds=result.seconds)]
        if not result.findings:
            lines.append(t("tui.check.clean"))
        if result.switched_off:
            lines.append(t("tui.check.off", rules=", ".join(o.rule for o in result.switched_off)))
        text = Text("\n".join(lines))
        if self.app.check_at is not None:
            text.append("\n" + t("tui.check.at", at=local_time(self.app.check_at)), style="dim")
            if self.app.check_stale:
                key = "tui.check.stale_running" if self.app.check_running else "tui.check.stale"
                text.append("  " + t(key), style="bold yellow")
        if not self.app.check_running:
            status.update(text)

    @on(DataTable.RowHighlighted, "#rules")
    def _rule_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value != self.selected_rule:
            self._show_rule(event.row_key.value)

    def _show_rule(self, rule_id: str) -> None:
        self.selected_rule = rule_id
        result = self.app.check_result
        table = self.query_one("#findings", DataTable)
        table.clear()
        if result is None:
            return
        mine = [f for f in result.findings if f.rule == rule_id]
        groups = group_findings(mine)
        self._shown = groups[:MAX_SHOWN]
        self._titles: dict = {}
        self._orgs: dict = {}
        for i, (f, n) in enumerate(self._shown):
            # ID numbers masked; the row opens the record by its full key
            table.add_row(self._subject(f), f"×{n}" if n > 1 else "", mask_finding(f).message, key=f"{i}")
        rule = get_rules().get(rule_id)
        info = []
        if rule:
            info.append(t("tui.check.rule_info", rule=rule_id, title=rule.label(), severity=severity_label(rule.severity),
                          source=rule.source))
        if len(groups) > MAX_SHOWN:
            info.append(t("tui.check.more", shown=f"{MAX_SHOWN:,}", n=f"{len(groups):,}", rule=rule_id))
        self.query_one("#rule-info", Static).update("\n".join(info))
        self._show_finding(0)
        self._load_names(rule_id, [f for f, _n in self._shown])

    def _subject(self, f) -> str:
        kind = get_kinds().get(f.subject_kind)
        title = self._titles.get((f.subject_kind, f.subject_key)) if hasattr(self, "_titles") else None
        if title is None:
            title = mask_key(kind, f.subject_key) if kind else f.subject_key
        return f"{kind.label() if kind else f.subject_kind} {title}"

    @db_work(group="check-names", exclusive=True)
    def _load_names(self, rule_id: str, findings: list) -> None:
        """The subjects by name and their schools' and enterprises' names (a few statements)."""
        from xiaoqi.core.db import read_session
        from xiaoqi.core.names import subject_titles, organisation_names

        with read_session(self.engine) as session:
            titles = subject_titles(session, self.actor, [(f.subject_kind, f.subject_key) for f in findings])
            orgs = organisation_names(session, self.actor, [f.school_code for f in findings], [f.uscc for f in findings])
        self.app.call_from_thread(self._names_loaded, rule_id, titles, orgs)

    def _names_loaded(self, rule_id: str, titles: dict, orgs: dict) -> None:
        if rule_id != self.selected_rule:
            return
        self._titles, self._orgs = titles, orgs
        table = self.query_one("#findings", DataTable)
        for i, (f, _n) in enumerate(self._shown):
            table.update_cell(f"{i}", "subject", self._subject(f))
        self._show_finding(table.cursor_row)

    @on(DataTable.RowHighlighted, "#findings")
    def _finding_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None:
            self._show_finding(int(event.row_key.value))

    def _show_finding(self, index: int) -> None:
        """The highlighted finding in full: its subject, school and enterprise by name, the whole
        message (wrapped), how many times the rule found it."""
        widget = self.query_one("#finding-info", Static)
        shown = getattr(self, "_shown", [])
        if not 0 <= index < len(shown):
            widget.update("")
            return
        f, n = shown[index]
        text = Text(self._subject(f), style="bold")
        for code in (f.school_code, f.uscc):
            if code:
                text.append(f"\n{code}", style="dim")
                if self._orgs.get(code):
                    text.append(f"  {self._orgs[code]}")
        text.append("\n" + mask_finding(f).message)
        if n > 1:
            text.append("\n" + t("tui.check.times", n=n), style="dim")
        widget.update(text)

    @on(DataTable.RowSelected, "#findings")
    def _open_finding(self, event: DataTable.RowSelected) -> None:
        finding = self._shown[int(event.row_key.value)][0]
        self.app.open_record(finding.subject_kind, finding.subject_key)

    @on(DataTable.RowSelected, "#rules")
    def _focus_findings(self, event: DataTable.RowSelected) -> None:
        self.query_one("#findings", DataTable).focus()
