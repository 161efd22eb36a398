"""The registry's tables (SQLModel). Each table is described for import and export by its record
kind (``core/core_kinds.py``, listed in docs/kinds.md), whose column names are the attribute names.
Natural keys are unique and foreign keys point at them (``ON UPDATE CASCADE``), so a file row, a
table row and an export row speak the same keys; each table also has an integer ``id`` for paging
and the audit log.

Money is ``Money`` (Numeric(14, 2), always ``Decimal`` in Python); dates are ``date``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

CENT = Decimal("0.01")


class Money(sa.types.TypeDecorator):
    """Yuan with two decimals: NUMERIC(14, 2) on PostgreSQL, quantized Decimal on SQLite."""

    impl = sa.Numeric(14, 2)
    cache_ok = True
    quantum = CENT

    def load_dialect_impl(self, dialect):
        if dialect.supports_native_decimal:
            return self.impl
        # SQLite has no decimal type: the value it stores is read as it is and quantized below
        # (SQLAlchemy's own conversion would warn about floats, for every program in the process)
        return sa.Numeric(self.impl.precision, self.impl.scale, asdecimal=False)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return Decimal(value).quantize(self.quantum)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(self.quantum)


class Hours(Money):
    """Hours with one decimal (7.5): NUMERIC(4, 1), a quantized Decimal on SQLite too."""

    impl = sa.Numeric(4, 1)
    cache_ok = True
    quantum = Decimal("0.1")


def money_column(**kw) -> sa.Column:
    return sa.Column(Money(), **kw)


def _fk(target: str, **kw) -> sa.ForeignKey:
    return sa.ForeignKey(target, onupdate="CASCADE", ondelete=kw.pop("ondelete", "RESTRICT"), **kw)


class School(SQLModel, table=True):
    """学校."""

    __tablename__ = "schools"
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), nullable=False, unique=True))
    name: str = Field(max_length=200)
    level: str = Field(max_length=10)
    region: str = Field(max_length=6, index=True)
    contact: Optional[str] = Field(default=None, max_length=100)
    phone: Optional[str] = Field(default=None, max_length=50)


class Major(SQLModel, table=True):
    """专业 offered by a school."""

    __tablename__ = "majors"
    __table_args__ = (sa.UniqueConstraint("school_code", "major_code", name="uq_majors_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False))
    major_code: str = Field(max_length=6)
    name: str = Field(max_length=200)


class Student(SQLModel, table=True):
    """学生; ``birth_date`` is derived from the ID number."""

    __tablename__ = "students"
    __table_args__ = (
        sa.UniqueConstraint("school_code", "student_no", name="uq_students_key"),
        sa.ForeignKeyConstraint(
            ["school_code", "major_code"], ["majors.school_code", "majors.major_code"],
            onupdate="CASCADE", ondelete="RESTRICT", name="fk_students_major",
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False))
    student_no: str = Field(max_length=50)
    name: str = Field(max_length=100)
    id_number: str = Field(sa_column=sa.Column(sa.String(18), nullable=False, unique=True))
    birth_date: dt.date
    major_code: str = Field(max_length=6)
    enrolled_on: dt.date
    class_name: Optional[str] = Field(default=None, max_length=100)
    guardian: Optional[str] = Field(default=None, max_length=100)
    guardian_phone: Optional[str] = Field(default=None, max_length=50)
    # 家庭经济困难 (e.g. 建档立卡): exempt from 1+X assessment fees; personal data, hidden unless revealed
    hardship: Optional[bool] = None


class Enterprise(SQLModel, table=True):
    """企业, keyed by its 统一社会信用代码."""

    __tablename__ = "enterprises"
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=sa.Column(sa.String(18), nullable=False, unique=True))
    name: str = Field(max_length=200)
    industry_code: str = Field(max_length=4)
    region: str = Field(max_length=6, index=True)
    staff_count: int = Field(ge=0)
    pce_certified: Optional[bool] = None
    pce_level: Optional[str] = Field(default=None, max_length=10)
    pce_certified_on: Optional[dt.date] = None
    pce_revoked_on: Optional[dt.date] = None  # the certification revoked (e.g. obtained by fraud)


class Teacher(SQLModel, table=True):
    """教师, keyed by the national ID number: a school's full-time (专任) or part-time (兼职) teacher,
    or an enterprise's mentor (企业导师 / 产业导师). ``school_code`` is the school the teacher works
    at (the employer of a 专任 teacher, the school that engages a 兼职 one); ``uscc`` the enterprise
    (the employer of a 企业导师, a 兼职 teacher's own firm). Internships name them as mentors."""

    __tablename__ = "teachers"
    __table_args__ = (
        sa.Index("ix_teachers_school_name", "school_code", "name"),
        sa.Index("ix_teachers_uscc_name", "uscc", "name"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    id_number: str = Field(sa_column=sa.Column(sa.String(18), nullable=False, unique=True))
    name: str = Field(max_length=100)
    kind: str = Field(max_length=10)  # 专任 / 兼职 / 企业导师
    school_code: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=True))
    uscc: Optional[str] = Field(default=None, sa_column=sa.Column(sa.String(18), _fk("enterprises.uscc"), nullable=True))
    specialist: Optional[bool] = None  # 专业课教师 (internship supervisors included)
    subjects: Optional[str] = Field(default=None, max_length=500)  # list joined with 、
    title: Optional[str] = Field(default=None, max_length=50)
    hired_on: Optional[dt.date] = None
    enterprise_experience: Optional[bool] = None
    phone: Optional[str] = Field(default=None, max_length=50)


class Agreement(SQLModel, table=True):
    """校企合作协议 — also the school's approved list of internship units."""

    __tablename__ = "agreements"
    __table_args__ = (sa.Index("ix_agreements_pair", "school_code", "uscc"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False))
    uscc: str = Field(sa_column=sa.Column(sa.String(18), _fk("enterprises.uscc"), nullable=False, index=True))
    agreement_no: str = Field(sa_column=sa.Column(sa.String(50), nullable=False, unique=True))
    kind: str = Field(max_length=200)  # list joined with 、
    signed_on: dt.date
    expires_on: Optional[dt.date] = None
    vetted_on: Optional[dt.date] = None


class Position(SQLModel, table=True):
    """岗位 of an enterprise, with its apprenticeship quota (学徒名额) for a period."""

    __tablename__ = "positions"
    __table_args__ = (sa.UniqueConstraint("uscc", "position_code", name="uq_positions_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    uscc: str = Field(sa_column=sa.Column(sa.String(18), _fk("enterprises.uscc"), nullable=False))
    position_code: str = Field(max_length=50)
    title: str = Field(max_length=200)
    major_category: Optional[str] = Field(default=None, max_length=2)
    staff_count: int = Field(ge=0)
    wage: Decimal = Field(sa_column=money_column(nullable=False))
    #: 试用期工资标准: what the 2016 rule compares 顶岗 pay with
    probation_wage: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    hazardous: Optional[bool] = None
    barred_for_minors: Optional[bool] = None
    #: 女职工禁忌从事的劳动 (《女职工劳动保护特别规定》)
    barred_for_women: Optional[bool] = None
    #: 体力劳动强度级别 I–IV (GB 3869), 1–4
    labour_intensity: Optional[int] = Field(default=None, ge=1, le=4)
    apprentice_quota: Optional[int] = Field(default=None, ge=0)
    quota_from: Optional[dt.date] = None
    quota_to: Optional[dt.date] = None


class Internship(SQLModel, table=True):
    """实习: 认识实习, 岗位实习 or 学徒. Keyed by student, enterprise and start date."""

    __tablename__ = "internships"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "uscc", "start_on", name="uq_internships_key"),
        sa.ForeignKeyConstraint(
            ["uscc", "position_code"], ["positions.uscc", "positions.position_code"],
            onupdate="CASCADE", ondelete="RESTRICT", name="fk_internships_position",
        ),
        # end_on and kind make these cover the sweeps of the ratio rules (migration 0003)
        sa.Index("ix_internships_uscc_dates", "uscc", "start_on", "end_on", "kind"),
        # by date (a closed window of a dated rule, the dashboard's active internships) and the
        # first internship of a school at an enterprise (migration 0007)
        sa.Index("ix_internships_dates", "start_on", "end_on"),
        sa.Index("ix_internships_school", "school_code", "uscc", "start_on"),
        sa.Index("ix_internships_position", "uscc", "position_code", "start_on", "end_on", "kind"),
        # with the school: a school's read scope over its interns' mentors (migration 0010)
        sa.Index("ix_internships_school_mentor", "school_mentor_id", "school_code"),
        sa.Index("ix_internships_enterprise_mentor", "enterprise_mentor_id", "school_code"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False))
    id_number: str = Field(sa_column=sa.Column(sa.String(18), _fk("students.id_number"), nullable=False))
    uscc: str = Field(sa_column=sa.Column(sa.String(18), _fk("enterprises.uscc"), nullable=False))
    position_code: Optional[str] = Field(default=None, max_length=50)
    kind: str = Field(max_length=10)
    kind_label: Optional[str] = Field(default=None, max_length=10)  # 跟岗实习 / 顶岗实习 as written before 2022
    start_on: dt.date
    end_on: dt.date
    work_region: Optional[str] = Field(default=None, max_length=6)
    monthly_pay: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    pay_cycle_days: Optional[int] = Field(default=None, ge=0)
    paid_directly: Optional[bool] = None
    fees_charged: Optional[str] = Field(default=None, max_length=200)  # list joined with 、
    agreement_signed_on: Optional[dt.date] = None
    consent_signed_on: Optional[dt.date] = None
    guardian_signed: Optional[bool] = None
    school_mentor: Optional[str] = Field(default=None, max_length=100)
    enterprise_mentor: Optional[str] = Field(default=None, max_length=100)
    # the mentors in the teachers registry (the names above stay as written, for old data)
    school_mentor_id: Optional[str] = Field(default=None, sa_column=sa.Column(
        sa.String(18), _fk("teachers.id_number", name="fk_internships_school_mentor"), nullable=True))
    enterprise_mentor_id: Optional[str] = Field(default=None, sa_column=sa.Column(
        sa.String(18), _fk("teachers.id_number", name="fk_internships_enterprise_mentor"), nullable=True))
    overtime: Optional[bool] = None
    night_shift: Optional[bool] = None
    holiday_work: Optional[bool] = None
    exception_filed_on: Optional[dt.date] = None
    via_agency: Optional[bool] = None
    filing_approved_on: Optional[dt.date] = None
    daily_hours: Optional[Decimal] = Field(default=None, sa_column=sa.Column(Hours(), nullable=True))
    weekly_rest_days: Optional[int] = Field(default=None, ge=0, le=7)
    #: pay given (partly) in goods or vouchers instead of money
    paid_in_kind: Optional[bool] = None
    #: an insurance premium deducted from the intern's pay
    premium_deducted: Optional[bool] = None
    documents_withheld: Optional[str] = Field(default=None, max_length=200)  # list joined with 、
    #: the student chose the unit (学生自行选择), which needs the school's approval
    self_arranged: Optional[bool] = None
    school_approved_on: Optional[dt.date] = None


class InsurancePolicy(SQLModel, table=True):
    """保险 policy: 实习责任保险, 意外伤害保险, 工伤保险, 学徒保险, 其他."""

    __tablename__ = "policies"
    id: Optional[int] = Field(default=None, primary_key=True)
    policy_no: str = Field(sa_column=sa.Column(sa.String(60), nullable=False, unique=True))
    insurer: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    holder: str = Field(max_length=18, index=True)  # a school code or a USCC
    payer: str = Field(max_length=10)
    start_on: dt.date
    end_on: dt.date
    cover_per_person: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    premium: Optional[Decimal] = Field(default=None, sa_column=money_column(nullable=True))
    #: 有效 (NULL means the same), 已退保 (surrendered) or 已注销 (cancelled)
    status: Optional[str] = Field(default=None, max_length=4)
    #: the first day a surrendered or cancelled policy no longer covers
    cancelled_on: Optional[dt.date] = None


class InsuredPerson(SQLModel, table=True):
    """被保险人清单: a student insured on a policy, for the policy's period unless given."""

    __tablename__ = "insured"
    __table_args__ = (
        sa.UniqueConstraint("policy_no", "id_number", name="uq_insured_key"),
        sa.Index("ix_insured_person", "id_number", "start_on", "end_on", "policy_no"),  # covers the coverage sweep
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    policy_no: str = Field(sa_column=sa.Column(sa.String(60), _fk("policies.policy_no", ondelete="CASCADE"), nullable=False))
    id_number: str = Field(sa_column=sa.Column(sa.String(18), _fk("students.id_number"), nullable=False))
    start_on: Optional[dt.date] = None
    end_on: Optional[dt.date] = None


class QuotaReservation(SQLModel, table=True):
    """学徒名额预留: a school's hold on apprenticeship places of a position until a deadline.

    预留中 (holding places) → 已确认 (every place it still holds has an apprentice), 已释放
    (withdrawn) or 已过期 (the deadline passed). ``released_places`` counts the places given back
    (by a release or at expiry); the apprentices placed are its placements."""

    __tablename__ = "quota_reservations"
    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["uscc", "position_code"], ["positions.uscc", "positions.position_code"],
            onupdate="CASCADE", ondelete="RESTRICT", name="fk_reservations_position",
        ),
        sa.Index("ix_reservations_position", "uscc", "position_code", "status"),
        sa.Index("ix_reservations_open", "status", "expires_on"),
        sa.CheckConstraint("places >= 1", name="ck_reservations_places"),
        sa.CheckConstraint("released_places >= 0 AND released_places <= places", name="ck_reservations_released"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    reservation_no: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    uscc: str = Field(max_length=18)
    position_code: str = Field(max_length=50)
    school_code: str = Field(sa_column=sa.Column(sa.String(10), _fk("schools.school_code"), nullable=False, index=True))
    places: int = Field(ge=1)
    released_places: int = Field(default=0, ge=0)
    expires_on: dt.date
    status: str = Field(default="预留中", max_length=12)  # 预留中 / 已确认 / 已释放 / 已过期
    reserved_on: dt.date
    closed_on: Optional[dt.date] = None


class ReservationPlacement(SQLModel, table=True):
    """学徒名额落实: an apprentice (an internship of kind 学徒, by its natural key) placed on a
    reserved place. An internship fills at most one place; it cannot be deleted while placed."""

    __tablename__ = "reservation_placements"
    __table_args__ = (
        sa.UniqueConstraint("id_number", "uscc", "start_on", name="uq_placements_internship"),
        sa.ForeignKeyConstraint(
            ["id_number", "uscc", "start_on"], ["internships.id_number", "internships.uscc", "internships.start_on"],
            onupdate="CASCADE", ondelete="RESTRICT", name="fk_placements_internship",
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    reservation_no: str = Field(sa_column=sa.Column(sa.String(40), _fk("quota_reservations.reservation_no", ondelete="CASCADE"), nullable=False, index=True))
    id_number: str = Field(max_length=18)
    uscc: str = Field(max_length=18)
    start_on: dt.date
    placed_on: dt.date


class ImportBatch(SQLModel, table=True):
    """One run of ``xiaoqi import``: the file (name, SHA-256, size; its bytes in ``import_files``),
    how it was read (sheet, encoding), what it did, and its outcome: ``committed``, ``refused``
    (nothing written; kept with its problems, in a transaction of its own) or ``undone``."""

    __tablename__ = "import_batches"
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=50)
    file_name: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    actor: str = Field(max_length=60)
    started_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))  # UTC
    finished_at: Optional[dt.datetime] = Field(default=None, sa_column=sa.Column(sa.DateTime, nullable=True))
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0
    dry_run: bool = False
    #: the database login (PostgreSQL) or operating-system user (SQLite) that ran it
    login: Optional[str] = Field(default=None, max_length=128)
    #: the sheet of a workbook and the text encoding of a CSV file, as the import read them
    sheet: Optional[str] = Field(default=None, max_length=200)
    encoding: Optional[str] = Field(default=None, max_length=40)
    #: bytes of the file; None for batches from before files were kept
    file_size: Optional[int] = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    status: str = Field(default="committed", sa_column=sa.Column(sa.String(12), nullable=False, server_default="committed"))
    #: the first problems found (row, column, value, reason), ``invalid`` rows in all
    problems: Optional[list] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


class ImportFile(SQLModel, table=True):
    """The bytes of an import's file, compressed, in parts (each part a zstd frame of the next
    slice of the file): kept apart so that listing batches never reads them."""

    __tablename__ = "import_files"
    batch_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("import_batches.id"), primary_key=True))
    part: int = Field(sa_column=sa.Column(sa.Integer, primary_key=True, autoincrement=False))
    codec: str = Field(max_length=10)
    data: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))


class AuditEntry(SQLModel, table=True):
    """Who changed what and when, written in the same transaction as the change (``core.audit``).

    ``before`` / ``after``: a create keeps the record as ``after``, except a row an import created,
    whose entry names its batch and file row (``batch_id``, ``row_no``) instead; an update keeps the
    record before and the changed columns after; a delete keeps the record before. ``refused`` entries
    are writes that were attempted and refused (written on their own). Every entry belongs to the
    ``audit_blocks`` row of its transaction and carries the SHA-256 of its content."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_subject", "kind", "key"), sa.Index("ix_audit_block", "block_id"))
    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False, index=True))  # UTC
    #: the acting scope (``--as``): admin, school:<code>, ...
    actor: str = Field(max_length=60)
    #: the database login (PostgreSQL ``current_user``) or operating-system user (SQLite)
    login: Optional[str] = Field(default=None, max_length=128)
    action: str = Field(max_length=10)  # create / update / delete / refused / import / undo
    kind: str = Field(max_length=50)
    key: str = Field(max_length=200)
    before: Optional[dict] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    after: Optional[dict] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    batch_id: Optional[int] = Field(default=None, sa_column=sa.Column(sa.Integer, sa.ForeignKey("import_batches.id"), nullable=True))
    #: the file row (JSON item) of the batch that this entry's record came from
    row_no: Optional[int] = None
    #: what else a reader needs: why a write was refused, which batch an undo reverted
    note: Optional[dict] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    block_id: int = Field(sa_column=sa.Column(sa.Integer, nullable=False))
    hash: bytes = Field(sa_column=sa.Column(sa.LargeBinary(32), nullable=False))


class AuditBlock(SQLModel, table=True):
    """The audit entries of one committed transaction, chained: ``hash`` covers the previous
    block's hash, this block's position and the hashes of its entries in order."""

    __tablename__ = "audit_blocks"
    id: Optional[int] = Field(default=None, primary_key=True)
    #: position in the chain (1, 2, ...), given when the block is chained at commit
    seq: int = Field(sa_column=sa.Column(sa.Integer, nullable=False, unique=True))
    prev_hash: bytes = Field(sa_column=sa.Column(sa.LargeBinary(32), nullable=False))
    hash: bytes = Field(sa_column=sa.Column(sa.LargeBinary(32), nullable=False))
    entries: int
    sealed_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))  # UTC


class CheckRun(SQLModel, table=True):
    """One full compliance check (every rule) of a scope — a school, an enterprise or everything —
    kept with its findings (``check_findings``) so that a screen shows the last result at once.
    ``audit_id`` is the last audit entry the check could see: a later data change makes it stale
    (``xiaoqi.core.check_store``)."""

    __tablename__ = "check_runs"
    __table_args__ = (sa.Index("ix_check_runs_scope", "school_code", "uscc", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    school_code: Optional[str] = Field(default=None, max_length=10)
    uscc: Optional[str] = Field(default=None, max_length=18)
    #: the day the rules were applied for
    checked_on: dt.date
    started_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))  # UTC
    finished_at: dt.datetime = Field(sa_column=sa.Column(sa.DateTime, nullable=False))  # UTC
    milliseconds: int = 0
    audit_id: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False, server_default="0"))
    actor: str = Field(max_length=60)
    findings: int = 0
    errors: int = 0
    rules_run: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    switched_off: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    #: the rule set it ran with (``check_store.rule_set_digest``; None: kept before it was recorded)
    rule_set: Optional[str] = Field(default=None, max_length=64)


class CheckFinding(SQLModel, table=True):
    """One finding of a kept check run."""

    __tablename__ = "check_findings"
    id: Optional[int] = Field(default=None, primary_key=True)
    run_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("check_runs.id", ondelete="CASCADE"),
                                            nullable=False, index=True))
    rule: str = Field(max_length=60)
    severity: str = Field(max_length=10)
    subject_kind: str = Field(max_length=60)
    subject_key: str = Field(max_length=200)
    message: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    school_code: Optional[str] = Field(default=None, max_length=10)
    uscc: Optional[str] = Field(default=None, max_length=18)
    numbers: Optional[dict] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    dates: Optional[list] = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))


CORE_MODELS = (
    School, Major, Student, Enterprise, Teacher, Agreement, Position, Internship, InsurancePolicy,
    InsuredPerson, QuotaReservation, ReservationPlacement, ImportBatch, ImportFile, AuditEntry, AuditBlock,
    CheckRun, CheckFinding,
)
