"""Who is acting: admin, a read-only auditor, a province (read-only), a school office or an enterprise.

Parsed from ``--as``: ``admin``, ``auditor``, ``province:32``, ``school:4132012345``,
``enterprise:<USCC>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import PROVINCES, parse_code10, parse_uscc
from .i18n import catalogue, t

catalogue(
    {
        "actor.bad": (
            "无法识别的身份「{value}」：请用 admin、auditor、province:32、school:<10位学校代码> 或 enterprise:<统一社会信用代码>",
            "Unknown actor '{value}': use admin, auditor, province:32, school:<10-digit code> or enterprise:<USCC>",
        ),
        "actor.bad_code": ("身份「{value}」中的代码无效：{reason}", "The code in actor '{value}' is invalid: {reason}"),
        "actor.unregistered.school": ("学校 {code} 不在学校名录中，不能以它的身份操作。请检查 --as 中的学校代码。",
                                      "School {code} is not in the register, so nobody can act as it. Check the school code given to --as."),
        "actor.unregistered.enterprise": ("企业 {code} 不在企业名录中，不能以它的身份操作。请检查 --as 中的统一社会信用代码。",
                                          "Enterprise {code} is not in the register, so nobody can act as it. Check the USCC given to --as."),
        "actor.admin": ("管理员", "admin"),
        "actor.auditor": ("审计员", "auditor"),
        "actor.province": ("省级主管部门 {code}", "province {code}"),
        "actor.school": ("学校 {code}", "school {code}"),
        "actor.enterprise": ("企业 {code}", "enterprise {code}"),
    }
)

ROLES = ("admin", "auditor", "province", "school", "enterprise")


@dataclass(frozen=True)
class Actor:
    role: str
    code: str | None = None

    @classmethod
    def parse(cls, value: str | None) -> "Actor":
        value = (value or "admin").strip()
        role, _, code = value.partition(":")
        role = role.lower()
        if role in ("admin", "auditor") and not code:
            return cls(role)
        if role not in ("province", "school", "enterprise") or not code:
            raise ValueError(t("actor.bad", value=value))
        try:
            if role == "school":
                code = parse_code10(code)
            elif role == "enterprise":
                code = parse_uscc(code)
            elif code not in PROVINCES:
                raise ValueError(t("v.region"))
        except ValueError as exc:
            raise ValueError(t("actor.bad_code", value=value, reason=exc)) from None
        return cls(role, code)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def read_only(self) -> bool:
        return self.role in ("auditor", "province")

    def __str__(self) -> str:
        return self.role if self.code is None else f"{self.role}:{self.code}"

    def label(self) -> str:
        return t(f"actor.{self.role}", code=self.code or "")


ADMIN = Actor("admin")
AUDITOR = Actor("auditor")


def check_registered(engine, actor: Actor) -> None:
    """Refuse a school or enterprise actor that is not in the register (one query)."""
    if actor.role not in ("school", "enterprise"):
        return
    import sqlalchemy as sa

    from . import models as m
    from .errors import PermissionDenied

    column = m.School.school_code if actor.role == "school" else m.Enterprise.uscc
    with engine.connect() as conn:
        found = conn.execute(sa.select(column).where(column == actor.code)).first()
    if found is None:
        raise PermissionDenied(t(f"actor.unregistered.{actor.role}", code=actor.code))
