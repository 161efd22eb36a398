"""The compliance screen: the findings of the last check grouped by rule with their counts; a rule's
findings beside it; Enter on a finding opens its record. The check runs in the app's worker
(``XiaoqiApp.start_check``) with a progress bar, and can be stopped between rules."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, ProgressBar, Static

from xiaoqi.core.kinds import get_kinds
from xiaoqi.core.privacy import mask_finding
from xiaoqi.core.rules import get_rules

from ..bindings import key
from ..i18n import severity_label, t
from .base import MainScreen

#: findings listed for one rule (the CLI lists them all)
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
                yield Static("", id="rule-info", classes="status")

    def on_mount(self) -> None:
        self.set_title(t("tui.check.title"))
        rules = self.query_one("#rules", DataTable)
        rules.border_title = t("tui.check.rules")
        rules.add_column(t("tui.col.severity"), key="severity")
        rules.add_column(t("tui.col.rule"), key="rule")
        rules.add_column(t("tui.col.title"), key="title")
        rules.add_column(t("tui.col.count"), key="count")
        findings = self.query_one("#findings", DataTable)
        findings.border_title = t("tui.check.findings")
        findings.add_column(t("tui.col.subject"), key="subject")
        findings.add_column(t("tui.col.school"), key="school")
        findings.add_column(t("tui.col.enterprise"), key="uscc")
        findings.add_column(t("tui.col.message"), key="message")
        self.watch(self.app, "check_progress", self._progress)
        self.watch(self.app, "check_result", self._result)
        if self.app.check_result is None and not self.app.check_running:
            self.app.start_check()

    def action_run(self) -> None:
        self.app.start_check()

    def action_stop(self) -> None:
        self.app.stop_check()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "stop":
            return self.app.check_running
        return True

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
        status = self.query_one("#check-status", Static)
        rules_table = self.query_one("#rules", DataTable)
        rules_table.clear()
        self.query_one("#findings", DataTable).clear()
        if result is None:
            status.update(t("tui.check.cancelled") if self.app.check_cancelled else t("tui.check.not_run"))
            return
        errors = sum(1 for f in result.findings if f.severity == "error")
        lines = [t("tui.check.summary", rules=len(result.rules_run), n=len(result.findings), errors=errors,
                   warnings=len(result.findings) - errors, seconds=result.seconds)]
        if not result.findings:
            lines.append(t("tui.check.clean"))
        if result.switched_off:
            lines.append(t("tui.check.off", rules=", ".join(o.rule for o in result.switched_off)))
        status.update("\n".join(lines))
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
        kinds = get_kinds()
        mine = [f for f in result.findings if f.rule == rule_id]
        for i, f in enumerate(mine[:MAX_SHOWN]):
            kind = kinds.get(f.subject_kind)
            shown = mask_finding(f)  # ID numbers masked; the row opens the record by its full key
            subject = f"{kind.label() if kind else f.subject_kind} {shown.subject_key}"
            table.add_row(subject, f.school_code or "", f.uscc or "", shown.message, key=f"{i}")
        rule = get_rules().get(rule_id)
        info = []
        if rule:
            info.append(t("tui.check.rule_info", rule=rule_id, title=rule.label(), severity=severity_label(rule.severity),
                          source=rule.source))
        if len(mine) > MAX_SHOWN:
            info.append(t("tui.check.more", shown=f"{MAX_SHOWN:,}", n=f"{len(mine):,}", rule=rule_id))
        self.query_one("#rule-info", Static).update("\n".join(info))
        self._shown = mine[:MAX_SHOWN]

    @on(DataTable.RowSelected, "#findings")
    def _open_finding(self, event: DataTable.RowSelected) -> None:
        finding = self._shown[int(event.row_key.value)]
        self.app.open_record(finding.subject_kind, finding.subject_key)

    @on(DataTable.RowSelected, "#rules")
    def _focus_findings(self, event: DataTable.RowSelected) -> None:
        self.query_one("#findings", DataTable).focus()
