"""Every string the TUI shows, in Chinese and English, and how it shows values.

The catalogue is registered with ``xiaoqi.core.i18n.catalogue``; ``t`` is the core's. Data-bound
labels (column headers, kind names, rule titles) come from their definitions through ``both``.
tests/tui/test_tui_i18n.py fails when a key used under ``tui/`` is missing in either language, and
when an English screen shows Chinese text of the UI's own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from xiaoqi.core.i18n import both, catalogue, get_lang, t

__all__ = ["both", "t", "value_text", "MESSAGES"]

MESSAGES = catalogue(
    {
        # the application
        "tui.title": ("校企 xiaoqi", "xiaoqi"),
        "tui.subtitle": ("{actor} · {db}", "{actor} · {db}"),
        "tui.nav.title": ("导航", "Go to"),
        "tui.nav.dashboard": ("概览", "Dashboard"),
        "tui.nav.compliance": ("合规检查", "Compliance"),
        "tui.nav.import": ("导入数据", "Import"),
        "tui.nav.batches": ("导入批次", "Import batches"),
        "tui.batches.title": ("导入批次（最新的在前）", "Import batches (newest first)"),
        "tui.batches.detail": ("批次详情", "Batch"),
        "tui.batches.none": ("还没有导入批次。", "No import batches yet."),
        "tui.batches.col.id": ("编号", "No."),
        "tui.batches.col.at": ("时间（UTC）", "Time (UTC)"),
        "tui.batches.col.kind": ("类型", "Kind"),
        "tui.batches.col.file": ("文件", "File"),
        "tui.batches.col.rows": ("行数", "Rows"),
        "tui.batches.col.created": ("新建", "Created"),
        "tui.batches.col.updated": ("修改", "Updated"),
        "tui.batches.col.unchanged": ("未变", "Unchanged"),
        "tui.batches.col.invalid": ("有误", "Invalid"),
        "tui.batches.col.status": ("状态", "Status"),
        "tui.batches.col.actor": ("身份", "Actor"),
        "tui.batches.field.file": ("文件", "File"),
        "tui.batches.field.sha256": ("SHA-256", "SHA-256"),
        "tui.batches.field.size": ("大小（字节）", "Size (bytes)"),
        "tui.batches.field.kept": ("文件已保存", "File kept"),
        "tui.batches.field.sheet": ("工作表", "Sheet"),
        "tui.batches.field.encoding": ("编码", "Encoding"),
        "tui.batches.field.actor": ("身份 / 登录", "Actor / login"),
        "tui.batches.field.started": ("开始", "Started"),
        "tui.batches.field.finished": ("结束", "Finished"),
        "tui.batches.problem": ("第 {row} 行", "Row {row}"),
        "tui.batches.confirm": ("撤销导入批次 {id}（{kind}，{file}：新建 {created}，修改 {updated}）？新建的记录将被删除，修改的记录将被恢复。",
                                "Undo import batch {id} ({kind}, {file}: {created} created, {updated} updated)? Records it created are deleted, those it updated are put back."),
        "tui.batches.undone": ("已撤销导入批次 {id}：删除 {deleted} 条，恢复 {restored} 条。", "Import batch {id} undone: {deleted} deleted, {restored} restored."),
        "tui.key.undo": ("撤销批次", "Undo batch"),
        "tui.key.undo.tip": ("撤销所选的导入批次：删除它新建的记录，恢复它修改的记录（先确认）", "Undo the chosen import batch: delete what it created, put back what it changed (asks first)"),
        "tui.yes": ("是", "yes"),
        "tui.no": ("否", "no"),
        "tui.nav.records": ("登记簿", "Registry"),
        "tui.nav.plugins": ("插件", "Plugins"),
        "tui.key.palette": ("命令", "Commands"),
        "tui.key.palette.tip": ("打开命令面板：搜索学校、企业、学生、实习，或跳转到任一页面", "Open the command palette: search schools, enterprises, students, internships, or go to any screen"),
        "tui.key.quit": ("退出", "Quit"),
        "tui.key.quit.tip": ("退出 xiaoqi", "Leave xiaoqi"),
        "tui.key.nav": ("导航", "Navigation"),
        "tui.key.nav.tip": ("显示或隐藏左侧导航栏", "Show or hide the navigation sidebar"),
        "tui.key.dashboard": ("概览", "Dashboard"),
        "tui.key.dashboard.tip": ("回到概览页", "Back to the dashboard"),
        "tui.key.back": ("返回", "Back"),
        "tui.key.back.tip": ("关闭当前页，回到上一页", "Close this view and go back"),
        "tui.palette.placeholder": ("搜索学校、企业、学生、实习（名称或代码），或输入页面名称…", "Search schools, enterprises, students, internships (name or code), or a screen…"),
        "tui.palette.open": ("打开「{title}」", "Open '{title}'"),
        "tui.palette.screen": ("页面", "screen"),
        "tui.palette.hit": ("{kind}：{label}", "{kind}: {label}"),
        "tui.palette.hit.help": ("{key}", "{key}"),
        "tui.sys.theme": ("切换主题", "Change theme"),
        "tui.sys.theme.help": ("选择界面配色", "Pick the colour theme"),
        "tui.sys.quit": ("退出", "Quit"),
        "tui.sys.quit.help": ("退出 xiaoqi", "Leave xiaoqi"),
        "tui.sys.screenshot": ("截图", "Screenshot"),
        "tui.sys.screenshot.help": ("把当前画面保存为 SVG 文件", "Save the screen as an SVG file"),
        "tui.error.database": ("数据库查询失败：{reason}", "Database query failed: {reason}"),
        "tui.error.unexpected": ("操作失败：{reason}", "The operation failed: {reason}"),
        "tui.error.screen": ("插件页面「{title}」无法打开：{reason}", "The plugin screen '{title}' could not open: {reason}"),
        "tui.error.panel": ("插件面板「{title}」无法显示：{reason}", "The plugin panel '{title}' could not be shown: {reason}"),
        "tui.error.section": ("插件区块「{title}」无法显示：{reason}", "The plugin section '{title}' could not be shown: {reason}"),
        # dashboard
        "tui.dash.counts": ("登记概况", "Registry"),
        "tui.dash.active": ("今日在岗实习", "Internships active today"),
        "tui.dash.today": ("日期 {date}", "as of {date}"),
        "tui.dash.findings": ("错误类问题（按规则）", "Error findings by rule"),
        "tui.dash.findings.none": ("未发现错误类问题。", "No error findings."),
        "tui.dash.findings.total": ("共 {n} 处错误，{w} 处警告 · 按 c 查看合规检查", "{n} errors, {w} warnings · press c for the compliance screen"),
        "tui.dash.expiring": ("{n} 天内到期：保单与名额预留", "Due within {n} days: policies and reservations"),
        "tui.dash.expiring.none": ("{n} 天内没有到期的保单或名额预留。", "No policy or reservation falls due within {n} days."),
        "tui.dash.days_left": ("{days} 天", "{days} d"),
        "tui.dash.quota": ("学徒名额使用（按企业）", "Apprentice quota use by enterprise"),
        "tui.dash.quota.none": ("目前没有有效的学徒名额。", "No apprentice quota is in force."),
        "tui.dash.chart": ("近 12 个月在岗实习人数", "Active internships per month, last 12 months"),
        "tui.dash.chart.empty": ("（暂无实习数据）", "(no internships yet)"),
        "tui.dash.loading": ("正在读取…", "Loading…"),
        "tui.dash.refresh": ("刷新", "Refresh"),
        "tui.dash.refresh.tip": ("重新读取概览数据并重新运行合规检查", "Read the figures again and re-run the compliance check"),
        "tui.dash.compliance": ("合规", "Compliance"),
        "tui.dash.compliance.tip": ("打开合规检查页面", "Open the compliance screen"),
        "tui.col.kind": ("类型", "Kind"),
        "tui.col.count": ("数量", "Count"),
        "tui.col.rule": ("规则", "Rule"),
        "tui.col.title": ("名称", "Title"),
        "tui.col.severity": ("级别", "Severity"),
        "tui.col.policy": ("保单号", "Policy"),
        "tui.col.insurer": ("保险公司", "Insurer"),
        "tui.col.end_on": ("到期日", "Ends"),
        "tui.col.left": ("剩余", "Left"),
        "tui.col.enterprise": ("企业", "Enterprise"),
        "tui.col.quota": ("名额", "Quota"),
        "tui.col.placed": ("在岗学徒", "Placed"),
        "tui.col.use": ("使用率", "Use"),
        "tui.col.subject": ("对象", "Record"),
        "tui.col.message": ("问题", "Finding"),
        "tui.col.school": ("学校", "School"),
        "tui.col.row": ("行", "Row"),
        "tui.col.column": ("列", "Column"),
        "tui.col.value": ("值", "Value"),
        "tui.col.reason": ("原因", "Reason"),
        # record screens
        "tui.rec.count": ("共 {n} 条", "{n} records"),
        "tui.rec.counting": ("正在计数…", "Counting…"),
        "tui.rec.position": ("第 {row} 行，共 {n} 行", "row {row} of {n}"),
        "tui.rec.sorted": ("排序：{column}{direction}", "sorted by {column}{direction}"),
        "tui.rec.asc": ("（升序）", " (ascending)"),
        "tui.rec.desc": ("（降序）", " (descending)"),
        "tui.rec.filters": ("筛选：{filters}", "filters: {filters}"),
        "tui.rec.search": ("搜索：{text}", "search: {text}"),
        "tui.rec.scope": ("可见范围：{actor}", "visible to {actor}"),
        "tui.rec.empty": ("没有记录。按 n 新建，或在「导入数据」中导入文件。", "No records. Press n to add one, or import a file under Import."),
        "tui.rec.empty.filtered": ("没有符合条件的记录。按 f 修改筛选，或按 x 清除筛选与搜索。", "No record matches. Press f to change the filters, or x to clear filters and search."),
        "tui.rec.search.placeholder": ("在所有文本列中搜索（回车确认）…", "Search every text column (Enter)…"),
        "tui.rec.saved": ("已保存{kind}「{key}」", "Saved {kind} '{key}'"),
        "tui.rec.unchanged": ("{kind}「{key}」没有修改，未写入", "{kind} '{key}' is unchanged: nothing was written"),
        "tui.rec.created": ("已新建{kind}「{key}」", "Created {kind} '{key}'"),
        "tui.rec.deleted": ("已删除{kind}「{key}」", "Deleted {kind} '{key}'"),
        "tui.rec.pick": ("请先选择一条记录（表格中的行还在读取）", "Pick a record first (the rows are still loading)"),
        "tui.rec.read_only": ("{actor} 是只读身份，不能修改数据。", "{actor} is read-only and cannot change data."),
        "tui.rec.not_writable": ("{kind}只能通过其专门的命令修改。", "{kind} change only through their own commands."),
        "tui.key.open": ("查看", "Open"),
        "tui.key.open.tip": ("查看所选记录的全部字段与合规问题", "Show every field and the findings of the selected record"),
        "tui.key.new": ("新建", "New"),
        "tui.key.new.tip": ("新建一条记录", "Add a record"),
        "tui.key.edit": ("编辑", "Edit"),
        "tui.key.edit.tip": ("编辑所选记录", "Edit the selected record"),
        "tui.key.delete": ("删除", "Delete"),
        "tui.key.delete.tip": ("删除所选记录（需确认）", "Delete the selected record (asks first)"),
        "tui.key.search": ("搜索", "Search"),
        "tui.key.search.tip": ("在所有文本列中搜索", "Search every text column"),
        "tui.key.filter": ("筛选", "Filter"),
        "tui.key.filter.tip": ("按列筛选（前缀用 *，如 41*）", "Filter by column (a trailing * matches a prefix, e.g. 41*)"),
        "tui.key.filter_cell": ("按此值筛选", "Filter by cell"),
        "tui.key.filter_cell.tip": ("只看光标所在列等于该单元格值的记录", "Keep the records whose value in this column equals the cell under the cursor"),
        "tui.key.clear": ("清除筛选", "Clear"),
        "tui.key.clear.tip": ("清除全部筛选与搜索", "Clear every filter and the search"),
        "tui.key.sort": ("排序", "Sort"),
        "tui.key.sort.tip": ("按光标所在列排序；再按一次改为降序，第三次取消", "Sort by the column under the cursor; again for descending, a third time to stop sorting"),
        "tui.key.refresh": ("刷新", "Refresh"),
        "tui.key.refresh.tip": ("重新读取数据库", "Read the database again"),
        "tui.key.table": ("表格", "Table"),
        "tui.key.table.tip": ("把焦点移回表格", "Move the focus back to the table"),
        # detail
        "tui.detail.title": ("{kind}「{key}」", "{kind} '{key}'"),
        "tui.detail.title_named": ("{kind} {title}（{key}）", "{kind} {title} ({key})"),
        "tui.detail.related_head": ("{kind}（{n} 条）", "{kind} ({n})"),
        "tui.detail.related_more": ("只列出前 {shown} 条；全部见{kind}列表", "first {shown} shown; all of them in the {kind} list"),
        "tui.detail.findings.times": ("×{n}", "×{n}"),
        "tui.detail.fields": ("字段", "Fields"),
        "tui.detail.history": ("历史", "History"),
        "tui.detail.history.count": ("审计历史 · {n} 条", "Audit history · {n} entries"),
        "tui.key.history": ("历史", "History"),
        "tui.key.history.tip": ("这条记录的全部修改历史（谁、何时、改了什么）", "Every change to this record: who, when, what"),
        "tui.key.fields": ("字段", "Fields"),
        "tui.key.reveal": ("显示个人信息", "Reveal"),
        "tui.key.reveal.tip": ("显示完整的身份证号、电话和监护人（仅限有权查看者；记入审计日志）",
                               "Show full ID numbers, phones and guardians (for actors allowed to see them; audited)"),
        "tui.detail.revealed": ("已显示完整个人信息（已记入审计日志）", "Personal data shown in full (written to the audit log)"),
        "tui.detail.references": ("关联记录", "Related records"),
        "tui.detail.missing_ref": ("（不存在）", "(missing)"),
        "tui.detail.hidden_ref": ("（无权查看）", "(not visible to you)"),
        "tui.detail.findings": ("合规问题", "Findings"),
        "tui.detail.findings.none": ("这条记录没有合规问题。", "No findings for this record."),
        "tui.detail.findings.checking": ("正在检查这条记录…", "Checking this record…"),
        "tui.detail.findings.count": ("{n} 处问题", "{n} findings"),
        "tui.detail.gone": ("这条记录已不存在或不在你的可见范围内：{reason}", "This record is gone or outside what you may see: {reason}"),
        "tui.empty_value": ("—", "—"),
        "tui.sep": ("；", "; "),
        # forms
        "tui.form.new": ("新建{kind}", "New {kind}"),
        "tui.form.edit": ("编辑{kind}「{key}」", "Edit {kind} '{key}'"),
        "tui.form.required": ("* 为必填项；与导入文件使用同一套校验规则。", "* marks a required field; checked by the same rules as an import file."),
        "tui.form.save": ("保存", "Save"),
        "tui.form.cancel": ("取消", "Cancel"),
        "tui.form.saving": ("正在保存…", "Saving…"),
        "tui.form.invalid": ("有 {n} 处需要更正（见各字段下方）。", "{n} fields need correcting (see below each field)."),
        "tui.form.yes": ("是", "yes"),
        "tui.form.no": ("否", "no"),
        "tui.form.blank": ("（不填）", "(empty)"),
        "tui.form.choose": ("请选择", "Choose"),
        "tui.form.key_locked": ("主键字段，不能修改", "key field, cannot change"),
        "tui.key.save": ("保存", "Save"),
        "tui.key.save.tip": ("校验并保存", "Check and save"),
        "tui.key.cancel": ("取消", "Cancel"),
        "tui.key.cancel.tip": ("关闭，不保存", "Close without saving"),
        # filter dialog
        "tui.filter.title": ("按列筛选：{kind}", "Filter {kind} by column"),
        "tui.filter.help": ("文本列按包含匹配；以 * 结尾按前缀匹配（如 4101*）；其他列按相等匹配。", "Text columns match a part; a trailing * matches a prefix (e.g. 4101*); other columns match exactly."),
        "tui.filter.apply": ("应用", "Apply"),
        "tui.filter.apply.tip": ("按所填条件筛选", "Keep the records that match these fields"),
        "tui.filter.clear": ("清除", "Clear"),
        "tui.filter.any": ("（不限）", "(any)"),
        # confirm
        "tui.confirm.delete": ("确定删除{kind}「{key}」吗？此操作会写入审计日志，无法撤销。", "Delete {kind} '{key}'? It is written to the audit log and cannot be undone."),
        "tui.confirm.yes": ("确定", "Yes"),
        "tui.confirm.no": ("取消", "No"),
        # compliance
        "tui.check.title": ("合规检查", "Compliance check"),
        "tui.check.at": ("检查时间：{at}", "Checked at {at}"),
        "tui.check.stale": ("此后数据有变更，结果可能已过期（按 r 重新检查）", "data changed since: the result may be out of date (press r to check again)"),
        "tui.check.stale_running": ("此后数据有变更，正在重新检查…", "data changed since: checking again…"),
        "tui.check.finding": ("所选问题", "Selected finding"),
        "tui.check.times": ("同一对象按这条规则共发现 {n} 次", "found {n} times for this subject under this rule"),
        "tui.col.times": ("次数", "Times"),
        "tui.col.reservation": ("名额预留", "Reservation"),
        "tui.col.places": ("名额", "Places"),
        "tui.col.expires_on": ("截止", "Due"),
        "tui.col.reserved": ("预留", "Reserved"),
        "tui.check.rules": ("规则", "Rules"),
        "tui.check.findings": ("问题", "Findings"),
        "tui.check.running": ("正在检查 {rule}（{done}/{total}）…", "Checking {rule} ({done}/{total})…"),
        "tui.check.starting": ("正在准备检查…", "Preparing the check…"),
        "tui.check.summary": ("运行 {rules} 条规则，发现 {n} 处问题（错误 {errors}，警告 {warnings}），用时 {seconds:.1f} 秒。", "{rules} rules run: {n} findings ({errors} errors, {warnings} warnings) in {seconds:.1f} s."),
        "tui.check.clean": ("全部合规，未发现问题。", "All compliant: no findings."),
        "tui.check.not_run": ("尚未运行检查。按 r 运行。", "Not checked yet. Press r to run the check."),
        "tui.check.cancelled": ("检查已取消。", "Check cancelled."),
        "tui.check.off": ("未运行的规则：{rules}", "Rules not run: {rules}"),
        "tui.check.pick_rule": ("选择左侧的一条规则查看其问题。", "Pick a rule on the left to see its findings."),
        "tui.check.more": ("仅显示前 {shown} 处，共 {n} 处；可用 xiaoqi check --rule {rule} 导出全部。", "Showing the first {shown} of {n}; xiaoqi check --rule {rule} lists them all."),
        "tui.check.rule_info": ("{rule}：{title}（{severity}）· 依据：{source}", "{rule}: {title} ({severity}) · source: {source}"),
        "tui.key.run": ("运行检查", "Run check"),
        "tui.key.run.tip": ("在后台重新运行全部规则（界面不会卡住）", "Re-run every rule in the background (the UI stays responsive)"),
        "tui.key.stop": ("停止", "Stop"),
        "tui.key.stop.tip": ("在当前规则完成后停止检查", "Stop the check after the current rule"),
        # import
        "tui.imp.title": ("导入数据", "Import records"),
        "tui.imp.kind": ("数据类型", "Record kind"),
        "tui.imp.file": ("文件", "File"),
        "tui.imp.sheet": ("工作表", "Sheet"),
        "tui.imp.file.placeholder": ("文件路径（.xlsx、.csv、.json），或在下方目录中选择", "File path (.xlsx, .csv, .json), or pick one in the folder below"),
        "tui.imp.check": ("检查文件", "Check file"),
        "tui.imp.check.tip": ("试运行导入并显示校验报告，不修改数据库", "Dry-run the import and show the validation report; nothing is written"),
        "tui.imp.write": ("确认导入", "Import"),
        "tui.imp.write_valid": ("跳过无效行并导入", "Import the valid rows"),
        "tui.imp.help": ("先检查文件（试运行，不修改数据库），查看校验报告后再确认导入。", "Check the file first (a dry run that changes nothing), read the report, then confirm the import."),
        "tui.imp.need_file": ("请先选择要导入的文件。", "Pick a file to import first."),
        "tui.imp.need_kind": ("请先选择数据类型。", "Pick the record kind first."),
        "tui.imp.checking": ("正在检查 {file}…", "Checking {file}…"),
        "tui.imp.writing": ("正在导入 {file}…", "Importing {file}…"),
        "tui.imp.report": ("{file}：共 {rows} 行；新建 {created}，更新 {updated}，未变 {unchanged}，无效 {invalid}。", "{file}: {rows} rows; {created} new, {updated} updated, {unchanged} unchanged, {invalid} invalid."),
        "tui.imp.valid": ("校验通过，可以导入。数据库尚未修改。", "The file is valid and ready to import. The database is not changed yet."),
        "tui.imp.invalid": ("发现 {n} 处问题，数据库未修改。请更正文件后重新检查，或跳过无效行导入。", "{n} problems found; the database is unchanged. Correct the file and check again, or import the valid rows only."),
        "tui.imp.done": ("已导入{kind}：新建 {created}，更新 {updated}，未变 {unchanged}（批次 {batch}）。", "Imported {kind}: {created} new, {updated} updated, {unchanged} unchanged (batch {batch})."),
        "tui.imp.nothing": ("文件中没有需要写入的记录。", "Nothing in the file needs writing."),
        "tui.imp.changed": ("文件在检查后被修改过，请重新检查。", "The file changed after it was checked; check it again."),
        "tui.imp.more": ("仅显示前 {shown} 处问题，共 {n} 处；可用 xiaoqi import --errors 导出全部。", "Showing the first {shown} of {n} problems; xiaoqi import --errors writes them all."),
        "tui.imp.confirm": ("将{kind}文件 {file} 写入数据库（新建 {created}，更新 {updated}）？", "Write the {kind} file {file} to the database ({created} new, {updated} updated)?"),
        "tui.imp.confirm_skip": ("跳过 {invalid} 行无效数据，把其余行写入数据库？", "Skip {invalid} invalid rows and write the others to the database?"),
    }
)


def value_text(value: Any, column=None, lang: str | None = None) -> str:
    """A stored value as table and detail views show it."""
    lang = lang or get_lang()
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("tui.form.yes" if value else "tui.form.no", lang=lang)
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if column is not None and column.choices:
        return column.choice_text(str(value), lang)
    return str(value)


def local_time(at: dt.datetime) -> str:
    """A UTC time (naive, as the database keeps it) as the user's clock shows it."""
    return at.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def form_text(value: Any) -> str:
    """A stored value as a form field holds it (what ``parse_row`` reads back unchanged)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def severity_label(severity: str) -> str:
    return t(f"sev.{severity}")
