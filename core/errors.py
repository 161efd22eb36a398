"""Errors that reach users. Each carries a translated message that names the problem and the way out."""

from __future__ import annotations

from .i18n import catalogue, t

catalogue(
    {
        "err.permission": ("权限不足：{actor} 不能{action}{kind}「{key}」。{hint}", "Permission denied: {actor} may not {action} {kind} '{key}'. {hint}"),
        "err.permission_kind": ("权限不足：{actor} 不能{action}{kind}。{hint}", "Permission denied: {actor} may not {action} {kind}. {hint}"),
        "err.permission.hint": ("如确需办理，请联系管理员或记录所属的单位。", "If it must be done, ask the admin or the organisation the record belongs to."),
        "err.read_only": ("{actor} 是只读身份，不能修改数据。", "{actor} is read-only and cannot change data."),
        "err.not_found": ("找不到{kind}「{key}」。请检查代码是否正确，或先导入/创建它。", "No {kind} '{key}'. Check the code, or import/create it first."),
        "err.exists": ("{kind}「{key}」已存在。如需修改请使用更新。", "{kind} '{key}' already exists. Update it instead."),
        "err.in_use": ("{kind}「{key}」仍被其他记录引用（{detail}），不能删除。请先删除或改挂引用它的记录。", "{kind} '{key}' is still referenced ({detail}) and cannot be deleted. Delete or re-point the records that use it first."),
        "err.invalid": ("数据有误：", "Invalid data:"),
        "err.field": ("{field}：{reason}", "{field}: {reason}"),
        "action.create": ("新建", "create"),
        "action.update": ("修改", "update"),
        "action.delete": ("删除", "delete"),
        "action.read": ("查看", "read"),
        "action.import": ("导入", "import"),
        "action.reveal": ("查看完整个人信息", "reveal the personal data of"),
    }
)


class XiaoqiError(Exception):
    """A problem the user can fix; ``str()`` is the translated message."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PermissionDenied(XiaoqiError):
    pass


class NotFound(XiaoqiError):
    pass


class Conflict(XiaoqiError):
    pass


class UsageError(XiaoqiError):
    exit_code = 2


class DatabaseStateError(XiaoqiError):
    """The database is missing, not initialised, or at an older schema version."""


class ValidationFailed(XiaoqiError):
    """One or more fields are invalid. ``problems`` is a list of (field, value, reason)."""

    def __init__(self, problems: list[tuple[str, object, str]], kind: str | None = None):
        self.problems = problems
        self.kind = kind
        lines = [t("err.invalid")] + [t("err.field", field=f, reason=r) for f, _, r in problems]
        super().__init__("\n  ".join(lines))
