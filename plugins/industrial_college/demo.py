"""Demo industrial colleges: three colleges led by the demo's schools in three provinces (江苏 智能制造,
广东 新一代信息技术, 湖南 新能源汽车), founded five years before the demo's day, each with enterprise
partners taken from its lead school's agreements (and a local government, a partner school),
governance bodies with members and meetings, joint majors, order classes, training bases, joint
courses, research and services, five years of investment and of teaching by the registry's
enterprise teachers, and the last year's self-assessment of the seven tasks. Where the lead school has no agreement with an
enterprise partner yet, the demo signs one (core ``agreements``) before the college opens.

The records keep to the rules except for a few deliberate violations, recorded in the manifest:

- IC-INVESTMENT-MISSING: the second enterprise partner of the 广东 college invested nothing two years ago;
- IC-TEACHING-MISSING: no enterprise teacher taught at the 湖南 college in the school year three years back;
- IC-TASK-EVIDENCE: the 湖南 college has nothing for task ⑥ (research and services) last year;
- IC-PARTNER-REVOKED: a certified enterprise that joined the 湖南 college lost its certification last year
  (written on the core's ``enterprises.pce_revoked_on``);
- IC-PARTNER-VIOLATION: the 广东 college counts among its partners an enterprise where the core's demo
  planted an internship error.

The parameters that have no national figure (``min_meetings``, ``min_hired_share``) stay unset, as in
a fresh deployment; the bodies meet at least twice a year and the order classes hire 60–95 %, so
setting them shows the rules at work.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from xiaoqi.core.demo import add_months
from xiaoqi.core.fields import LIST_JOIN
from xiaoqi.core.models import Agreement, Enterprise, Major, School, Teacher
from xiaoqi.core.rules import get_rules

from . import models as m
from .vocabulary import ASSOCIATION, ENTERPRISE, GOVERNMENT, SCHOOL, TASKS


@dataclass(frozen=True)
class Plan:
    """A demo college: where it is, what it serves and which of the registry's records fit it."""

    province: str
    code: str
    name: str
    type: str
    chain: str
    location: str
    founded: tuple[int, int]  # month, day in the founding year
    major_category: str  # of the 2021 catalogue: 46 equipment manufacturing, 51 electronics and IT
    industries: tuple[str, ...]  # GB/T 4754 prefixes of the enterprises that fit
    courses: tuple[str, ...]
    bases: tuple[str, ...]
    government: str


PLANS = (
    Plan("32", "CY-JS-01", "智能制造产业学院", "现代产业学院", "智能制造装备产业链", "校内", (3, 18), "46", ("34", "35", "36"),
         ("工业机器人编程与运维", "智能产线装调", "PLC控制技术", "数控加工工艺", "机器视觉应用", "智能制造单元集成"),
         ("智能制造实训中心", "工业机器人应用实训基地"), "工业和信息化局"),
    Plan("44", "CY-GD-01", "新一代信息技术产业学院", "职业院校产业学院", "新一代信息技术产业链", "园区", (9, 6), "51", ("64", "65"),
         ("云计算平台运维", "软件测试技术", "大数据分析实战", "网络安全运维", "前端工程化开发", "人工智能应用开发"),
         ("软件开发实训基地", "信息技术应用创新适配中心"), "科技创新局"),
    Plan("43", "CY-HN-01", "新能源汽车产业学院", "企业学院", "新能源汽车产业链", "企业", (6, 12), "46", ("36",),
         ("动力电池检测与维修", "新能源汽车电控技术", "整车装调工艺", "智能网联汽车测试", "充电设施运维", "汽车轻量化制造"),
         ("新能源汽车整车实训基地", "动力电池实训工场"), "工业和信息化局"),
)
#: the demo's cities, for the local governments' names
CITIES = {"320100": "南京市", "320500": "苏州市", "320200": "无锡市", "440100": "广州市", "440300": "深圳市",
          "440600": "佛山市", "430100": "长沙市", "430200": "株洲市", "430300": "湘潭市"}
#: the partner association of every college (an 18-character USCC; 51 = a social organisation)
ASSOCIATIONS = {"32": "江苏省智能制造产业协会", "44": "广东省软件行业协会", "43": "湖南省汽车行业协会"}
COURSE_TYPES = ("课程", "教材", "案例集", "企业项目")
BODIES = (("理事会", "理事会"), ("学术委员会", "学术委员会"), ("建设管理委员会", "建设管理委员会"))
DECISIONS = ("审议年度工作计划", "审议年度经费预算", "通过订单班招生方案", "聘任企业兼职教师", "审定共建课程标准",
             "通过实训基地建设方案", "审议年度质量报告", "确定产学研合作项目")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超华建国文博浩然俊杰嘉怡宇航晨阳"
#: the error rules of the core's demo whose subject is an internship (at an enterprise) — one of
#: these enterprises becomes a partner, for IC-PARTNER-VIOLATION
PLANTED_INTERNSHIP_ERRORS = ("INT-FEES-BAN", "INT-AGENCY-BAN", "INT-HOURS", "INT-CONSENT")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"


def _yuan(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount from ``low`` to ``high`` yuan, in hundreds, sometimes with fen."""
    return Decimal(rng.randrange(low // 100, high // 100) * 100) + Decimal(rng.choice((0, 0, 0, 50))) / 100


def _association_uscc(rng: random.Random, region: str) -> str:
    from stdnum.cn import uscc

    body = "51" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def _tainted(manifest) -> dict[str, list[str]]:
    """Enterprises of the core demo's planted internship violations: USCC -> the rules, from the
    manifest's subject keys (``id_number/uscc/start``)."""
    out: dict[str, list[str]] = {}
    for rule, keys in (manifest.violations.items() if manifest is not None else ()):
        for key in keys:
            parts = key.split("/")
            if len(parts) == 3:
                out.setdefault(parts[1], []).append(rule)
            elif len(parts) in (1, 2) and len(parts[0]) == 18:  # an enterprise or a post of one
                out.setdefault(parts[0], []).append(rule)
    return out


class DemoColleges:
    """Builds the rows of the three colleges; ``write`` inserts them, one statement per table."""

    def __init__(self, session: Session, *, seed: int, today: dt.date, manifest) -> None:
        self.session = session
        self.rng = random.Random(seed + 15)  # its own stream: the core's demo stays as it is
        self.today = today
        self.last_year = today.year - 1
        self.manifest = manifest
        self.tainted = _tainted(manifest)
        self.rows: dict[type, list[dict]] = {model: [] for model in m.MODELS}
        self.taken: set[str] = set()  # partner enterprises already placed
        self.agreements: list[dict] = []  # the core's agreements the colleges' partnerships need

    # -- the registry's records that fit ----------------------------------------------------
    def _school(self, province: str):
        return self.session.execute(sa.select(School).where(School.region.startswith(province))
                                    .order_by(School.school_code).limit(1)).scalar_one_or_none()

    def _candidates(self, school_code: str, plan: Plan) -> list:
        """The enterprises that fit the college: the lead school's agreement partners first (local
        ones first), then other enterprises of its industries, leaving out those with planted
        internship violations."""
        fits = sa.or_(*(Enterprise.industry_code.startswith(p) for p in plan.industries))
        partners = set(self.session.execute(sa.select(Agreement.uscc).where(Agreement.school_code == school_code)).scalars())
        every = self.session.execute(sa.select(Enterprise).order_by(Enterprise.uscc)).scalars().all()
        free = [e for e in every if e.uscc not in self.tainted and e.uscc not in self.taken and not e.pce_revoked_on]
        fitting = set(self.session.execute(sa.select(Enterprise.uscc).where(fits)).scalars())
        # the college's industries first; a register with too few of them (another seed or day) lends others
        rows = [e for e in free if e.uscc in fitting] if sum(e.uscc in fitting for e in free) >= 2 else free
        return sorted(rows, key=lambda e: (e.uscc not in fitting, e.uscc not in partners, e.region[:2] != plan.province, e.uscc))

    def _majors(self, school_code: str, category: str) -> list:
        rows = self.session.execute(sa.select(Major).where(Major.school_code == school_code)
                                    .order_by(Major.major_code)).scalars().all()
        fit = [mj for mj in rows if mj.major_code.startswith(category)]
        return fit or rows[:2]

    def _teachers(self, usccs: list[str]) -> dict[str, list]:
        rows = self.session.execute(sa.select(Teacher).where(Teacher.uscc.in_(usccs))
                                    .order_by(Teacher.id_number)).scalars().all()
        out: dict[str, list] = {u: [] for u in usccs}
        for r in rows:
            out[r.uscc].append(r)
        return out

    # -- one college ------------------------------------------------------------------------
    def college(self, plan: Plan, *, other_school=None) -> str | None:
        rng, today = self.rng, self.today
        school = self._school(plan.province)
        if school is None:
            return None
        candidates = self._candidates(school.school_code, plan)
        if len(candidates) < 2:
            return None
        founded = dt.date(today.year - 5, *plan.founded)
        code = plan.code
        add = lambda model, **row: self.rows[model].append({"college_code": code, **row})  # noqa: E731
        self.rows[m.College].append({
            "code": code, "name": f"{school.name}{plan.name}", "lead_school_code": school.school_code, "type": plan.type,
            "industry_chain": plan.chain, "location": plan.location, "founded_on": founded, "status": "运行",
            "closed_on": None, "contact": _name(rng), "phone": _phone(rng)})
        add(m.Recognition, level="校级", recognised_on=founded + dt.timedelta(days=60), batch="第一批",
            issuer=school.name, document_no=f"校发〔{founded.year}〕{rng.randrange(10, 90)}号")
        if plan.type == "现代产业学院":
            on = dt.date(today.year - 2, 12, 20)
            add(m.Recognition, level="省级", recognised_on=on, batch="第二批", issuer="省教育厅",
                document_no=f"教职〔{on.year}〕{rng.randrange(10, 90)}号")

        # partners: three enterprises (the first leads with the school), a government, an association
        firms = candidates[:3]
        self.taken.update(e.uscc for e in firms)
        joined = {e.uscc: founded for e in firms}
        left = {}
        partners = [(e.uscc, ENTERPRISE, None, "牵头" if i == 0 else "共建") for i, e in enumerate(firms)]
        if plan.province == "32" and len(firms) == 3:  # the third firm left after three years
            left[firms[2].uscc] = dt.date(founded.year + 3, 1, 1)
        partners.append((school.region, GOVERNMENT, f"{CITIES.get(school.region, '')}{plan.government}", "参与"))
        partners.append((_association_uscc(rng, school.region[:2] + "0000"), ASSOCIATION, ASSOCIATIONS[plan.province], "参与"))
        if other_school is not None:
            partners.append((other_school.school_code, SCHOOL, None, "共建"))
        for partner_code, kind, name, role in partners:
            add(m.Partner, partner_code=partner_code, partner_type=kind, name=name, role=role,
                joined_on=joined.get(partner_code, founded), left_on=left.get(partner_code),
                school_code=partner_code if kind == SCHOOL else None, uscc=partner_code if kind == ENTERPRISE else None)
        self.firms = {e.uscc: e for e in firms}
        self.joined, self.left = joined, left
        self._agreements(school.school_code, list(self.firms), founded)

        # joint majors: the lead school's that fit, and the partner school's
        majors = self._majors(school.school_code, plan.major_category)[:3]
        for i, mj in enumerate(majors):
            add(m.JointMajor, school_code=school.school_code, major_code=mj.major_code, core=i == 0, since_year=founded.year)
        if other_school is not None:
            for mj in self._majors(other_school.school_code, plan.major_category)[:1]:
                add(m.JointMajor, school_code=other_school.school_code, major_code=mj.major_code, core=False,
                    since_year=founded.year + 1)

        # governance: bodies, who sits on them, and their meetings
        parties = [school.school_code, *(p[0] for p in partners)]
        for name, body_type in BODIES[:3 if plan.type == "现代产业学院" else 2]:
            add(m.Body, name=name, body_type=body_type, established_on=founded)
            roles = ("理事长", "副理事长") if body_type == "理事会" else ("主任", "副主任")
            names: set[str] = set()
            for i, party in enumerate(parties[:5]):
                person = _name(rng)
                while person in names:
                    person = _name(rng)
                names.add(person)
                add(m.Member, body_name=name, name=person, organisation_code=party,
                    role=roles[i] if i < 2 else ("秘书长" if i == 2 and body_type == "理事会" else "委员"), phone=_phone(rng))
            for year in range(founded.year, today.year + 1):
                for month in (3, 12) if body_type == "理事会" else (6, 11):
                    held = dt.date(year, month, rng.randrange(5, 26))
                    if founded < held <= today:
                        add(m.Meeting, body_name=name, held_on=held, title=f"{year}年第{1 if month < 7 else 2}次{name}会议",
                            decisions=LIST_JOIN.join(rng.sample(DECISIONS, 2)))

        self._bases(plan, founded, add)
        self._years(plan, school, majors, founded, add)
        return code

    def _agreements(self, school_code: str, usccs: list[str], joined: dt.date) -> None:
        """A college's partnership rests on a cooperation agreement of the lead school with each
        enterprise partner (through it the school sees the firm's mentors in the registry): one is
        signed before the college opens where the school has none with the firm yet."""
        have = set(self.session.execute(sa.select(Agreement.uscc).where(Agreement.school_code == school_code,
                                                                        Agreement.uscc.in_(usccs))).scalars())
        signed = joined - dt.timedelta(days=20)
        for uscc in usccs:
            if uscc in have:
                continue
            self.agreements.append({
                "school_code": school_code, "uscc": uscc, "agreement_no": f"CY-{school_code[-4:]}-{uscc[-6:]}",
                "kind": LIST_JOIN.join(("共建专业", "订单培养")), "signed_on": signed, "expires_on": add_months(signed, 120),
                "vetted_on": signed - dt.timedelta(days=14)})

    def _bases(self, plan: Plan, founded: dt.date, add) -> None:
        rng = self.rng
        lead, *others = self.firms
        for i, name in enumerate(plan.bases):
            stations = rng.randrange(30, 120)
            add(m.Base, name=name, location=plan.location if i == 0 else "企业", uscc=lead if i == 0 else others[0],
                area=stations * rng.randrange(6, 12), workstations=stations, capacity=stations * 2,
                opened_on=dt.date(founded.year + i, 9, 1))

    def _partners_on(self, day: dt.date) -> list[str]:
        return [u for u in self.firms if self.joined[u] <= day and (u not in self.left or self.left[u] > day)]

    def _years(self, plan: Plan, school, majors, founded: dt.date, add) -> None:
        """Five years of order classes, investment, teaching, courses and services."""
        rng, today = self.rng, self.today
        teachers = self._teachers(list(self.firms))
        for year in range(founded.year, today.year + 1):
            firms = [u for u in self.firms if self._partner_in(u, year)]
            # an order class of the lead enterprise each intake (graduating three years later)
            uscc = firms[0]
            planned = rng.choice((40, 45, 50))
            enrolled = planned - rng.randrange(0, 8)
            graduated = dt.date(year + 3, 7, 1) <= today
            graduates = enrolled - rng.randrange(0, 3) if graduated else None
            add(m.OrderClass, class_name=f"{self.firms[uscc].name[2:6]}订单班（{year}级）", uscc=uscc,
                major_code=majors[year % len(majors)].major_code, intake_year=year, planned=planned, enrolled=enrolled,
                committed_hires=int(enrolled * 0.8), graduation_year=year + 3, graduates=graduates,
                hired=int(graduates * rng.uniform(0.6, 0.95)) if graduated else None)
            if year <= self.last_year:
                for u in firms:
                    self._investment(plan, u, year, add)
            for item in range(2):
                kind = COURSE_TYPES[(year + item) % len(COURSE_TYPES)]
                u = firms[item % len(firms)]
                authors = [t.name for t in teachers[u][:2]] or [_name(rng)]
                add(m.Course, item_type=kind, title=f"{plan.courses[(year + item * 3) % len(plan.courses)]}"
                    f"{'' if kind == '课程' else {'教材': '（教材）', '案例集': '案例集', '企业项目': '项目'}[kind]}（{year}）",
                    year=year, uscc=u, authors=LIST_JOIN.join(authors),
                    reference=f"ISBN 978-7-{rng.randrange(100, 999)}-{rng.randrange(10000, 99999)}-{rng.randrange(10)}"
                    if kind == "教材" else None, students=rng.randrange(30, 160))
            if not (plan.code == "CY-HN-01" and year == self.last_year):
                self._services(u=firms[0], year=year, add=add, last=year == today.year)
            self._teaching(plan, founded, year, teachers, add)

    def _partner_in(self, uscc: str, year: int) -> bool:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return self.joined[uscc] <= last and (uscc not in self.left or self.left[uscc] > first)

    def _investment(self, plan: Plan, uscc: str, year: int, add) -> None:
        if plan.code == "CY-GD-01" and uscc == list(self.firms)[1] and year == self.last_year - 1:
            self.manifest_expect("IC-INVESTMENT-MISSING", f"{plan.code}/{uscc}")
            return
        rng = self.rng
        lines = [("现金", _yuan(rng, 100_000, 600_000), {})]
        if rng.random() < 0.7:
            lines.append(("设备", _yuan(rng, 200_000, 1_500_000), {"description": rng.choice(
                ("捐赠实训设备一批", "工业级实训设备", "服务器与网络设备"))}))
        if year == self.joined[uscc].year:
            stations = rng.randrange(20, 60)
            lines.append(("实训基地", _yuan(rng, 500_000, 2_000_000),
                          {"description": "共建实训基地", "area": stations * 8, "workstations": stations}))
        if rng.random() < 0.5:
            lines.append(("软件", _yuan(rng, 50_000, 300_000), {"description": "软件授权"}))
        hours = rng.randrange(200, 900)
        lines.append(("人员", Decimal(hours * 150), {"description": "工程师驻校授课与指导", "hours": hours}))
        for seq, (category, amount, extra) in enumerate(lines, 1):
            prefix = "HT" if category in ("现金", "设备", "实训基地", "软件") else "PZ"
            add(m.Investment, uscc=uscc, year=year, category=category, amount=amount,
                evidence=f"{prefix}-{year}-{uscc[-4:]}-{seq:02d}",
                **{"description": None, "area": None, "workstations": None, "hours": None, **extra})

    def _services(self, *, u: str, year: int, add, last: bool) -> None:
        rng = self.rng
        add(m.Service, year=year, service_type="技术服务", title=f"生产线工艺优化技术服务（{year}）", uscc=u,
            amount=_yuan(rng, 80_000, 400_000), trainees=None, patent_no=None)
        add(m.Service, year=year, service_type="员工培训", title=f"企业员工技能提升培训（{year}）", uscc=u, amount=None,
            trainees=rng.randrange(80, 600), patent_no=None)
        if not last and rng.random() < 0.6:
            add(m.Service, year=year, service_type="专利", title=f"一种实训装置的快速装夹结构（{year}）", uscc=u, amount=None,
                trainees=None, patent_no=f"ZL{year}2{rng.randrange(10**7, 10**8)}.{rng.randrange(10)}")
        if rng.random() < 0.5:
            add(m.Service, year=year, service_type="联合研发", title=f"校企联合研发项目（{year}）", uscc=u,
                amount=_yuan(rng, 200_000, 900_000), trainees=None, patent_no=None)

    def _teaching(self, plan: Plan, founded: dt.date, school_year: int, teachers: dict, add) -> None:
        """Both terms of the school year that starts in ``school_year`` (those begun by today)."""
        rng, today = self.rng, self.today
        if dt.date(school_year, 9, 1) < founded:
            return
        if plan.code == "CY-HN-01" and school_year == today.year - 3:
            self.manifest_expect("IC-TEACHING-MISSING", plan.code)
            return
        for term, starts in ((1, dt.date(school_year, 9, 1)), (2, dt.date(school_year + 1, 2, 20))):
            if starts > today:
                continue
            people = [t for u in self._partners_on(starts) for t in teachers[u]]
            for i, teacher in enumerate(rng.sample(people, min(3, len(people)))):
                add(m.Teaching, teacher_id=teacher.id_number, term=f"{school_year}-{school_year + 1}-{term}",
                    course=plan.courses[(school_year + term + i) % len(plan.courses)], hours=rng.choice((16, 24, 32, 48, 64)),
                    school_year=school_year, year=school_year if term == 1 else school_year + 1)

    def tasks(self, code: str) -> None:
        """The college's own assessment of last year: every task, with items where it has them."""
        items = {1: "订单培养协议、人才培养方案（{y}版）", 2: "专业建设方案、专业诊改报告", 3: "课程标准、教材出版合同",
                 4: "实训基地建设验收报告", 5: "企业兼职教师聘书", 6: "技术服务合同、培训签到表", 7: "理事会章程、会议纪要"}
        for task in TASKS:
            silent = code == "CY-HN-01" and task.number == 6
            self.rows[m.TaskReport].append({
                "college_code": code, "year": self.last_year, "task": task.zh,
                "status": "进行中" if silent or task.number in (2, 6) else "已完成",
                "evidence": None if silent else items[task.number].format(y=self.last_year).replace("、", LIST_JOIN)})
        if code == "CY-HN-01":
            self.manifest_expect("IC-TASK-EVIDENCE", code)

    # -- the deliberate partner violations --------------------------------------------------------
    def revoked_partner(self, code: str, plan: Plan) -> None:
        """A certified partner loses its certification last year: one of the college's own, or else
        a certified enterprise that joins three years ago."""
        certified = [e for e in self.session.execute(
            sa.select(Enterprise).where(Enterprise.pce_certified.is_(True), Enterprise.pce_certified_on.is_not(None),
                                        Enterprise.pce_revoked_on.is_(None)).order_by(Enterprise.uscc)).scalars()
            if e.uscc not in self.tainted and e.pce_certified_on <= dt.date(self.last_year, 10, 15)]
        firm = next((e for e in certified if e.uscc in self.firms), None)
        if firm is None:
            firm = next((e for e in certified if e.uscc not in self.taken), None)
            if firm is None:
                return
            self._late_partner(code, plan, firm.uscc, dt.date(self.today.year - 3, 3, 1))
        self.session.execute(sa.update(Enterprise).where(Enterprise.uscc == firm.uscc)
                             .values(pce_revoked_on=dt.date(self.last_year, 10, 15)))
        self.manifest_expect("IC-PARTNER-REVOKED", f"{code}/{firm.uscc}")

    def violating_partner(self, code: str, plan: Plan) -> None:
        """An enterprise of a planted internship error joined the college when it was founded."""
        errors = {rule_id for rule_id, rule in get_rules().items() if rule.severity == "error"}
        uscc = next((u for rule in PLANTED_INTERNSHIP_ERRORS if rule in errors
                     for u, rules in sorted(self.tainted.items()) if rule in rules and u not in self.taken), None)
        if uscc is None:
            return
        self._late_partner(code, plan, uscc, dt.date(self.today.year - 5, *plan.founded))
        self.manifest_expect("IC-PARTNER-VIOLATION", f"{code}/{uscc}")

    def _late_partner(self, code: str, plan: Plan, uscc: str, joined: dt.date) -> None:
        """``uscc`` joins ``code`` on ``joined`` as a participant, and invests every year since."""
        self.taken.add(uscc)
        self.rows[m.Partner].append({"college_code": code, "partner_code": uscc, "partner_type": ENTERPRISE, "name": None,
                                     "role": "参与", "joined_on": joined, "left_on": None, "school_code": None, "uscc": uscc})
        self.joined[uscc] = joined
        add = lambda model, **row: self.rows[model].append({"college_code": code, **row})  # noqa: E731
        for year in range(joined.year, self.last_year + 1):
            self._investment(plan, uscc, year, add)

    def manifest_expect(self, rule: str, key: str) -> None:
        if self.manifest is not None and key not in self.manifest.violations.get(rule, []):
            self.manifest.expect(rule, key)

    def write(self) -> dict[str, int]:
        from .kinds import KINDS

        names = {kind.model: kind.name for kind in KINDS}
        if self.agreements:
            self.session.execute(sa.insert(Agreement.__table__), self.agreements)
        for model in m.MODELS:  # in the order of their foreign keys
            if self.rows[model]:
                self.session.execute(sa.insert(model.__table__), self.rows[model])
        counts = {names[model]: len(rows) for model, rows in self.rows.items() if rows}
        if self.agreements:
            counts["agreements"] = (self.manifest.counts.get("agreements", 0) if self.manifest is not None else 0) + len(self.agreements)
        return counts


def generate(session: Session, *, seed: int, today: dt.date, manifest=None) -> dict[str, int]:
    """Write the demo colleges; returns the row count of each kind."""
    demo = DemoColleges(session, seed=seed, today=today, manifest=manifest)
    other = demo._school("33")  # 浙江: a partner school of the 江苏 college
    for plan in PLANS:
        code = demo.college(plan, other_school=other if plan.province == "32" else None)
        if code is None:
            continue
        if plan.province == "43":
            demo.revoked_partner(code, plan)
        if plan.province == "44":
            demo.violating_partner(code, plan)
        demo.tasks(code)
    return demo.write()
