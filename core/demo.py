"""Realistic, internally consistent demo data: schools in several provinces, their majors,
students and teachers (valid ID numbers), partner enterprises (valid USCCs) and their mentors,
agreements, positions with apprenticeship quotas, internships with their school and enterprise
mentors, liability policies covering most of them. A few alumni did their 跟岗 / 顶岗 internships
in 2021, before the 2021 rule: the 2016 rule judges them.

The core knows no rule: the plugins plant deliberate violations of their own rules in the rows
before they are written (``xiaoqi_demo_plant``, given the ``DemoBuilder``), so that ``xiaoqi check``
has something to find, and record them in the manifest. ``size="large"`` writes at least 1,000,000
internships with batched inserts (scale work, benchmarks). Plugins add their own demo data through
``xiaoqi_demo_data`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from . import fields as f
from . import models as m
from .fields import LIST_JOIN
from .plugins import get_plugin_manager
from .rules.sql import internship_key

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国玉兰红梅文博浩然子轩雨涵欣怡思远俊杰嘉怡梓萱宇航佳琪晨阳婷婷鑫磊"

# (province, city region codes, city name, school names)
PROVINCE_SCHOOLS = [
    ("32", ["320100", "320500", "320200"], "江苏", ["南京工业职业技术大学", "苏州工业园区职业技术学院", "无锡职业技术学院"]),
    ("41", ["410100", "410300", "410700"], "河南", ["河南工业职业技术学院", "郑州铁路职业技术学院", "河南职业技术学院"]),
    ("45", ["450100", "450200", "450300"], "广西", ["广西机电职业技术学院", "柳州职业技术学院", "广西卫生职业技术学院"]),
    ("43", ["430100", "430200", "430300"], "湖南", ["湖南汽车工程职业学院", "长沙民政职业技术学院", "湖南铁道职业技术学院"]),
    ("61", ["610100", "610300", "610400"], "陕西", ["陕西工业职业技术学院", "杨凌职业技术学院", "西安航空职业技术学院"]),
    ("33", ["330100", "330200", "330300"], "浙江", ["浙江机电职业技术大学", "宁波职业技术学院", "温州职业技术学院"]),
    ("44", ["440100", "440300", "440600"], "广东", ["深圳职业技术大学", "广州番禺职业技术学院", "顺德职业技术学院"]),
    ("37", ["370100", "370200", "370700"], "山东", ["山东商业职业技术学院", "青岛职业技术学院", "潍坊职业学院"]),
]

# (code, name, category) — structure of the 2021 national catalogue of vocational majors
MAJORS = [
    ("460104", "机械制造及自动化", "46"), ("460301", "机电一体化技术", "46"), ("460305", "工业机器人技术", "46"),
    ("460702", "新能源汽车技术", "46"), ("510201", "计算机应用技术", "51"), ("510202", "计算机网络技术", "51"),
    ("510205", "大数据技术", "51"), ("520201", "护理", "52"), ("520301", "药学", "52"), ("530302", "大数据与会计", "53"),
    ("530701", "电子商务", "53"), ("540101", "旅游管理", "54"), ("440301", "建筑工程技术", "44"), ("500602", "城市轨道交通运营管理", "50"),
]

# (industry code GB/T 4754, suffix, categories of majors it takes, post titles)
INDUSTRIES = [
    ("3484", "智能装备有限公司", "46", ["装配技术员", "数控操作工", "质检员"]),
    ("3612", "汽车零部件有限公司", "46", ["生产线操作员", "设备维护员", "质检员"]),
    ("3670", "新能源汽车有限公司", "46", ["电池装配工", "整车调试员"]),
    ("6513", "软件科技有限公司", "51", ["软件测试员", "运维助理", "前端开发助理"]),
    ("6450", "网络科技有限公司", "51", ["网络运维员", "数据标注员"]),
    ("8411", "人民医院", "52", ["护理助理", "药房助理"]),
    ("7241", "会计师事务所有限公司", "53", ["审计助理", "财务助理"]),
    ("5292", "电子商务有限公司", "53", ["客服专员", "运营助理"]),
    ("6110", "酒店管理有限公司", "54", ["前厅接待", "餐饮服务员"]),
    ("4790", "建设工程有限公司", "44", ["施工员", "资料员", "测量员"]),
    ("5411", "城市轨道交通有限公司", "50", ["站务员", "行车值班员"]),
]
PREFIXES = "华瑞恒信东方金鼎远航中科博雅天成宏达新锐正泰汇通安达鸿运精工联创"
INSURERS = ["中国人民财产保险股份有限公司", "中国平安财产保险股份有限公司", "中国太平洋财产保险股份有限公司"]

LARGE_INTERNSHIPS = 1_000_000
TITLES_SCHOOL = ("助教", "讲师", "讲师", "副教授", "教授", "高级讲师")
TITLES_FIRM = ("技师", "高级技师", "工程师", "高级工程师", "高级技能人才")
GENERAL_SUBJECTS = ("语文", "数学", "英语", "思想政治", "体育", "信息技术")
#: the share of internships whose mentors are recorded only by name (data from before the registry)
LEGACY_MENTORS = 0.04


@dataclass
class DemoManifest:
    """What the demo wrote, and the deliberate violations: rule id -> subject keys."""

    counts: dict[str, int] = field(default_factory=dict)
    violations: dict[str, list[str]] = field(default_factory=dict)

    def expect(self, rule: str, key: str) -> None:
        self.violations.setdefault(rule, []).append(key)


def make_uscc(rng: random.Random, region: str) -> str:
    return f.uscc_with_check("91" + region + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9)))


def make_id_number(rng: random.Random, region: str, birth: dt.date) -> str:
    return f.id_number_with_check(region + birth.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}")


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _insert(session: Session, model, rows: list[dict], chunk: int = 20_000) -> None:
    table = model.__table__
    for i in range(0, len(rows), chunk):
        session.execute(sa.insert(table), rows[i:i + chunk])


def add_months(d: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the 28th at most, so that every month has it)."""
    y, mth = divmod(d.year * 12 + d.month - 1 + months, 12)
    return dt.date(y, mth + 1, min(d.day, 28))


class DemoBuilder:
    def __init__(self, session: Session, *, size: str, seed: int, today: dt.date):
        self.session = session
        self.large = size == "large"
        self.rng = random.Random(seed)
        self.seed = seed
        self.today = today
        self.manifest = DemoManifest()
        self.used_ids: set[str] = set()
        #: the alumni's 2021 internships, which the rules of 2021 on do not judge
        self.legacy: set[str] = set()
        #: the insurers the demo's policies name
        self.insurers = INSURERS

    # -- registry ------------------------------------------------------------------------
    def build(self) -> DemoManifest:
        rng = self.rng
        n_schools_per_province = 3 if self.large else 1
        schools = []
        for prov, cities, _pname, names in PROVINCE_SCHOOLS:
            for i in range(n_schools_per_province):
                code = f"41{prov}{rng.randrange(10**6):06d}"
                schools.append({
                    "school_code": code, "name": names[i], "level": "高职", "region": cities[i],
                    "contact": person_name(rng), "phone": f"0{rng.randrange(10, 99)}-{rng.randrange(10**7, 10**8)}",
                })
        self.schools = schools
        _insert(self.session, m.School, schools)
        majors = []
        for s in schools:
            for code, name, _cat in rng.sample(MAJORS, 8):
                majors.append({"school_code": s["school_code"], "major_code": code, "name": name})
        self.majors = majors
        _insert(self.session, m.Major, majors)
        self._enterprises()
        self._positions()
        self._agreements()
        self._teachers()
        self._students()
        self._internships()
        self._legacy()
        self._policies()
        self._plant()
        self._reservations()
        self.manifest.counts = {
            "schools": len(schools), "majors": len(majors), "enterprises": len(self.enterprises),
            "teachers": len(self.teachers),
            "positions": len(self.positions), "agreements": len(self.agreements), "students": len(self.students),
            "internships": self.n_internships, "policies": len(self.policies), "insured": self.n_insured,
            "reservations": len(self.reservations), "placements": len(self.placements),
        }
        return self.manifest

    def _enterprises(self) -> None:
        rng = self.rng
        n = 1500 if self.large else 40
        rows, seen = [], set()
        for i in range(n):
            prov, cities, pname, _ = PROVINCE_SCHOOLS[i % len(PROVINCE_SCHOOLS)]
            region = rng.choice(cities)
            industry, suffix, _cat, _titles = INDUSTRIES[i % len(INDUSTRIES)]
            code = make_uscc(rng, region)
            while code in seen:
                code = make_uscc(rng, region)
            seen.add(code)
            city = {"00": ""}.get(region[4:], "")
            name = f"{pname}{rng.choice(PREFIXES)}{rng.choice(PREFIXES)}{suffix}{city}"
            pce = rng.random() < 0.15
            rows.append({
                "uscc": code, "name": name if i >= len(INDUSTRIES) else f"{pname}{PREFIXES[i]}{suffix}",
                "industry_code": industry, "region": region,
                "staff_count": rng.randrange(8000, 40000) if self.large else rng.randrange(300, 3000),
                "pce_certified": pce, "pce_level": rng.choice(("国家级", "省级")) if pce else None,
                "pce_certified_on": dt.date(rng.choice((2020, 2021, 2022, 2023)), rng.randrange(1, 13), 1) if pce else None,
            })
        self.enterprises = rows
        _insert(self.session, m.Enterprise, rows)

    def _positions(self) -> None:
        rng = self.rng
        rows = []
        for i, e in enumerate(self.enterprises):
            _ind, _suffix, cat, titles = INDUSTRIES[i % len(INDUSTRIES)]
            for j, title in enumerate(titles):
                quota = rng.choice((0, 0, 5, 10, 20)) if j == 0 else 0
                wage = Decimal(rng.randrange(4000, 9000, 100))
                rows.append({
                    "uscc": e["uscc"], "position_code": f"P{j + 1:03d}", "title": title, "major_category": cat,
                    "staff_count": max(50, e["staff_count"] // len(titles)), "wage": wage,
                    "probation_wage": (wage * Decimal("0.9")).quantize(Decimal("1")),
                    "hazardous": False, "barred_for_minors": False,
                    "apprentice_quota": quota or None,
                    "quota_from": dt.date(self.today.year - 1, 9, 1) if quota else None,
                    "quota_to": dt.date(self.today.year + 1, 8, 31) if quota else None,
                })
        self.positions = rows
        self.positions_by_cat: dict[str, list[dict]] = {}
        for p in rows:
            self.positions_by_cat.setdefault(p["major_category"], []).append(p)
        _insert(self.session, m.Position, rows)

    def _agreements(self) -> None:
        rng = self.rng
        rows = []
        self.partners: dict[str, list[dict]] = {}
        for s in self.schools:
            # each school partners with enterprises of its own province first, then a few others
            local = [e for e in self.enterprises if e["region"][:2] == s["region"][:2]]
            others = [e for e in self.enterprises if e["region"][:2] != s["region"][:2]]
            chosen = local[: (400 if self.large else 12)] + rng.sample(others, 40 if self.large else 3)
            self.partners[s["school_code"]] = chosen
            for k, e in enumerate(chosen):
                signed = dt.date(self.today.year - 3, rng.randrange(1, 13), rng.randrange(1, 28))
                rows.append({
                    "school_code": s["school_code"], "uscc": e["uscc"],
                    "agreement_no": f"XQ-{s['school_code'][-4:]}-{k + 1:04d}",
                    "kind": LIST_JOIN.join(rng.sample(["实习基地", "订单培养", "现代学徒制", "共建专业"], 2)),
                    "signed_on": signed, "expires_on": add_months(signed, 60), "vetted_on": signed - dt.timedelta(days=14),
                })
        self.agreements = rows
        _insert(self.session, m.Agreement, rows)

    def _teachers(self) -> None:
        """Each school's teachers — full-time specialist teachers of its majors, some general-subject
        ones, a few part-time teachers from partner enterprises — and two or three mentors in every
        enterprise. Two full-time teachers of the first school share a name, so that a mentor named
        only 「name」 there is ambiguous. Its own random stream leaves the rest of the demo as it is."""
        rng = self.mentor_rng = random.Random(f"teachers-{self.seed}")
        per_school = 300 if self.large else 24
        rows: list[dict] = []

        def person(region: str, kind: str, hired: dt.date, **values) -> dict:
            birth = dt.date(hired.year - rng.randrange(23, 32), rng.randrange(1, 13), rng.randrange(1, 29))
            id_number = make_id_number(rng, region, birth)
            while id_number in self.used_ids:
                id_number = make_id_number(rng, region, birth)
            self.used_ids.add(id_number)
            row = {"id_number": id_number, "name": person_name(rng), "kind": kind, "school_code": None, "uscc": None,
                   "specialist": True, "subjects": None, "title": None, "hired_on": hired,
                   "enterprise_experience": rng.random() < 0.4, "phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}"}
            row.update(values)
            rows.append(row)
            return row

        majors_by_school: dict[str, list[str]] = {}
        for mj in self.majors:
            majors_by_school.setdefault(mj["school_code"], []).append(mj["name"])
        self.school_teachers: dict[str, list[dict]] = {}
        for s in self.schools:
            mine = self.school_teachers[s["school_code"]] = []
            names = majors_by_school[s["school_code"]]
            for i in range(per_school):
                hired = dt.date(rng.randrange(1995, self.today.year + 1), rng.choice((7, 8, 9)), rng.randrange(1, 29))
                hired = min(hired, self.today)
                if i % 6 == 5:
                    person(s["region"], "专任", hired, school_code=s["school_code"], specialist=False,
                           subjects=rng.choice(GENERAL_SUBJECTS), title=rng.choice(TITLES_SCHOOL))
                    continue
                mine.append(person(s["region"], "专任", hired, school_code=s["school_code"],
                                   subjects=LIST_JOIN.join(rng.sample(names, rng.choice((1, 2)))),
                                   title=rng.choice(TITLES_SCHOOL)))
            for e in self.partners[s["school_code"]][:3]:
                hired = self.today - dt.timedelta(days=rng.randrange(60, 2000))
                mine.append(person(s["region"], "兼职", hired, school_code=s["school_code"], uscc=e["uscc"],
                                   subjects=rng.choice(names), title=rng.choice(TITLES_FIRM), enterprise_experience=True))
        first = self.school_teachers[self.schools[0]["school_code"]]
        first[1]["name"] = first[0]["name"]
        self.firm_mentors: dict[str, list[dict]] = {}
        for e in self.enterprises:
            self.firm_mentors[e["uscc"]] = [
                person(e["region"], "企业导师", self.today - dt.timedelta(days=rng.randrange(400, 6000)), uscc=e["uscc"],
                       specialist=None, title=rng.choice(TITLES_FIRM), enterprise_experience=True)
                for _ in range(rng.choice((2, 3)))]
        self.teachers = rows
        self.names_at: dict[str, set[str]] = {}
        for r in rows:
            for code in (r["school_code"], r["uscc"]):
                if code:
                    self.names_at.setdefault(code, set()).add(r["name"])
        _insert(self.session, m.Teacher, rows)

    def assign_mentors(self, row: dict) -> None:
        """Name the internship's mentors from the teachers registry (a few keep a name only, as
        records from before the registry do)."""
        rng = self.mentor_rng
        if rng.random() < LEGACY_MENTORS:
            # people no longer in the registry: names that match none of its teachers there
            for column, code in (("school_mentor", row["school_code"]), ("enterprise_mentor", row["uscc"])):
                taken = self.names_at[code]
                while row[column] in taken:
                    row[column] = person_name(rng)
            row.update(school_mentor_id=None, enterprise_mentor_id=None)
            return
        school = rng.choice(self.school_teachers[row["school_code"]])
        firm = rng.choice(self.firm_mentors[row["uscc"]])
        row.update(school_mentor=school["name"], school_mentor_id=school["id_number"],
                   enterprise_mentor=firm["name"], enterprise_mentor_id=firm["id_number"])

    def _students(self) -> None:
        rng = self.rng
        # large: 24 schools x 22,000 students x about two internships each > 1,000,000
        per_school = 22_000 if self.large else 150
        majors_by_school: dict[str, list[dict]] = {}
        for mj in self.majors:
            majors_by_school.setdefault(mj["school_code"], []).append(mj)
        rows = []
        for s in self.schools:
            for i in range(per_school):
                cohort = self.today.year - rng.choice((1, 2, 2, 3))  # mostly second-years and third-years
                birth = dt.date(cohort - 18 + rng.choice((0, 0, 1, -1)), rng.randrange(1, 13), rng.randrange(1, 29))
                id_number = make_id_number(rng, s["region"], birth)
                while id_number in self.used_ids:
                    id_number = make_id_number(rng, s["region"], birth)
                self.used_ids.add(id_number)
                major = rng.choice(majors_by_school[s["school_code"]])
                rows.append({
                    "school_code": s["school_code"], "student_no": f"{cohort}{i:06d}", "name": person_name(rng),
                    "id_number": id_number, "birth_date": birth, "major_code": major["major_code"],
                    "enrolled_on": dt.date(cohort, 9, 1), "class_name": f"{major['name'][:4]}{cohort % 100}{i % 4 + 1}班",
                    "guardian": person_name(rng), "guardian_phone": f"1{rng.choice('3589')}{rng.randrange(10**8, 10**9)}",
                    # one in twelve from a family with financial difficulties (no draw: the demo stays as it was)
                    "hardship": i % 12 == 5,
                })
        self.students = rows
        _insert(self.session, m.Student, rows)

    def internship_row(self, s: dict, st: dict, p: dict, start: dt.date, months: int, kind: str = "岗位实习") -> dict:
        rng = self.rng
        end = add_months(start, months) - dt.timedelta(days=1)
        on_post = kind != "认识实习"
        row = {
            "school_code": s["school_code"], "id_number": st["id_number"], "uscc": p["uscc"],
            "position_code": p["position_code"] if on_post else None, "kind": kind, "kind_label": None,
            "start_on": start, "end_on": end, "work_region": None,
            "monthly_pay": (p["wage"] * Decimal(rng.choice(("0.8", "0.85", "0.9", "1.0")))).quantize(Decimal("0.01")) if on_post else None,
            "pay_cycle_days": 30 if on_post else None, "paid_directly": True if on_post else None, "fees_charged": None,
            "agreement_signed_on": start - dt.timedelta(days=rng.randrange(7, 30)),
            "consent_signed_on": start - dt.timedelta(days=rng.randrange(7, 30)), "guardian_signed": True,
            "school_mentor": person_name(rng), "enterprise_mentor": person_name(rng),
            "school_mentor_id": None, "enterprise_mentor_id": None,
            "overtime": False, "night_shift": False, "holiday_work": False, "exception_filed_on": None,
            "via_agency": False,
            # a post in another province is a cross-province internship: filed before it starts
            "filing_approved_on": start - dt.timedelta(days=rng.randrange(30, 60)) if p["uscc"][2:4] != s["region"][:2] else None,
        }
        self.assign_mentors(row)
        return row

    def _internships(self) -> None:
        """Final-year students do a 岗位实习 of up to six months at a partner enterprise whose posts
        match their major; second-years do a short 认识实习; some do an apprenticeship."""
        rng = self.rng
        cat_of = {code: cat for code, _n, cat in MAJORS}
        students_by_school: dict[str, list[dict]] = {}
        for st in self.students:
            students_by_school.setdefault(st["school_code"], []).append(st)
        rows = []
        for s in self.schools:
            partners = self.partners[s["school_code"]]
            partner_codes = {e["uscc"] for e in partners}
            local = [e for e in partners if e["region"][:2] == s["region"][:2]]
            local_codes = {e["uscc"] for e in local}
            for st in students_by_school[s["school_code"]]:
                cat = cat_of[st["major_code"]]
                posts = [p for p in self.positions_by_cat.get(cat, []) if p["uscc"] in local_codes] or \
                        [p for p in self.positions_by_cat.get(cat, []) if p["uscc"] in partner_codes]
                if not posts:
                    continue
                year_in = self.today.year - st["enrolled_on"].year + (1 if self.today.month >= 9 else 0)
                repeats = 2 if self.large else 1
                for r in range(repeats):
                    p = rng.choice(posts)
                    if year_in >= 3 or r:
                        # first on-post internship from the autumn of the third year (at most six
                        # months, so it ends by April); a second one from July
                        start = dt.date(st["enrolled_on"].year + 2 + r, rng.choice((9, 10)) if r == 0 else 7, rng.randrange(1, 28))
                        # an apprenticeship (1–2 years) only as a student's last placement, so it
                        # overlaps no later internship of theirs
                        kind = "学徒" if p["apprentice_quota"] and r == repeats - 1 and rng.random() < 0.05 else "岗位实习"
                        months = rng.choice((3, 4, 5, 6))
                        rows.append(self.internship_row(s, st, p, start, months * 4 if kind == "学徒" else months, kind))
                    else:
                        start = dt.date(st["enrolled_on"].year + 1, rng.choice((4, 5, 11)), rng.randrange(1, 28))
                        rows.append(self.internship_row(s, st, p, start, 1, "认识实习"))
        if self.large and len(rows) < LARGE_INTERNSHIPS:
            # top up with later copies of on-post internships, three years apart so none overlaps
            pool = [r for r in rows if r["kind"] == "岗位实习"]
            i = 0
            while len(rows) < LARGE_INTERNSHIPS:
                base = pool[i % len(pool)]
                start = base["start_on"] + dt.timedelta(days=1100 * (i // len(pool) + 1))
                rows.append({**base, "start_on": start, "end_on": start + (base["end_on"] - base["start_on"]),
                             "agreement_signed_on": start - dt.timedelta(days=10), "consent_signed_on": start - dt.timedelta(days=10)})
                i += 1
        self.internships = rows
        self.n_internships = len(rows)

    def _legacy(self) -> None:
        """Alumni of each school who did a 顶岗 or 跟岗 internship in spring 2021, before the 2021
        rule: adults without a consent form and a 跟岗 below the post's wage, which the 2016 rule
        allows (the 2021 rule would not), and two the 2016 rule forbids — a 顶岗 paid under 80% of
        the probation wage, and a minor without a guardian's signature."""
        for k, s in enumerate(self.schools):
            cases = [("adult", "顶岗实习" if k % 2 == 0 else "跟岗实习"), ("adult", "跟岗实习")]
            cases += {0: [("low", "顶岗实习")], 1: [("minor", "顶岗实习")]}.get(k, [])
            for what, label in cases:
                birth = dt.date(2003, 3, 2) if what == "minor" else dt.date(2001, self.rng.randrange(1, 13), 10)
                major, post = self._matching_post(s)
                st = self.new_student(s, dt.date(2019, 9, 1), birth, major)
                r = self.internship_row(s, st, post, dt.date(2021, 3, 1), 4)
                r["kind_label"] = label
                r["consent_signed_on"] = None if what == "adult" else r["consent_signed_on"]
                r["guardian_signed"] = what == "low"
                if label == "跟岗实习":
                    r["monthly_pay"] = (self.wage(r) * Decimal("0.5")).quantize(Decimal("0.01"))
                if what == "low":
                    r["monthly_pay"] = (self.probation_wage(r) * Decimal("0.75")).quantize(Decimal("0.01"))
                self.internships.append(r)
                self.n_internships += 1
                self.legacy.add(internship_key(r))

    def _policies(self) -> None:
        """One internship liability policy per school and calendar year, paid by the school, with
        every student who has an internship that year on its insured list; apprentices are also
        insured by their enterprise."""
        rng = self.rng
        years = sorted({r["start_on"].year for r in self.internships} | {r["end_on"].year for r in self.internships})
        policies, insured = [], []
        index = {}
        for s in self.schools:
            for y in years:
                no = f"PEAC{y}{s['school_code'][-6:]}"
                index[(s["school_code"], y)] = no
                policies.append({
                    "policy_no": no, "insurer": rng.choice(INSURERS), "kind": "实习责任保险", "holder": s["school_code"],
                    "payer": "学校", "start_on": dt.date(y, 1, 1), "end_on": dt.date(y, 12, 31),
                    "cover_per_person": Decimal("500000.00"), "premium": Decimal(rng.randrange(8000, 30000)),
                })
        pairs = set()
        for r in self.internships:
            for y in range(r["start_on"].year, r["end_on"].year + 1):
                pairs.add((index[(r["school_code"], y)], r["id_number"]))
        insured = [{"policy_no": p, "id_number": i, "start_on": None, "end_on": None} for p, i in sorted(pairs)]
        self.policies = policies
        self.insured = insured
        self.n_insured = len(insured)

    # -- deliberate violations: the plugins plant those of their rules ---------------------
    def _plant(self) -> None:
        """Let every plugin plant deliberate violations of its own rules in the rows before they
        are written (``xiaoqi_demo_plant``), then write them."""
        recent = [r for r in self.internships if r["kind"] == "岗位实习" and r["start_on"] > self.today - dt.timedelta(days=400)]
        self.rng.shuffle(recent)
        #: the on-post internships started in the last 400 days, in a random order: take from the
        #: front to turn one into a violation (``next(demo.picks)``); plugins share the order
        self.recent_on_post = recent
        self.picks = iter(recent)
        get_plugin_manager().hook.xiaoqi_demo_plant(demo=self)
        self._write()

    # -- apprenticeship quota reservations -----------------------------------------------------
    def _reservations(self) -> None:
        """A few quota reservations by partner schools, each within the free places of its
        position: one confirmed with its apprentice placed, one open with one of two places
        placed, open ones, two past their deadline that ``xiaoqi quota expire`` will close, one
        already expired and one released. Its own random stream leaves the rest of the demo as it is."""
        rng = random.Random(f"reservations-{self.seed}")
        today = self.today
        quota_posts = [p for p in self.positions if p["apprentice_quota"]]
        key = {(p["uscc"], p["position_code"]): p for p in quota_posts}

        def in_period(r, p):
            return r["start_on"] <= p["quota_to"] and r["end_on"] >= p["quota_from"]

        apprentices = sorted((r for r in self.internships if r["kind"] == "学徒"
                              and (r["uscc"], r["position_code"]) in key and in_period(r, key[(r["uscc"], r["position_code"])])),
                             key=lambda r: (r["uscc"], r["position_code"], r["id_number"]))
        held = {k: sum(1 for r in apprentices if (r["uscc"], r["position_code"]) == k) for k in key}
        self.reservations, self.placements = [], []

        def add(p, school_code, places, reserved_on, expires_on, status="预留中", released=0, closed_on=None):
            no = f"YL{reserved_on:%Y%m%d}-{rng.getrandbits(24):06X}"
            self.reservations.append({
                "reservation_no": no, "uscc": p["uscc"], "position_code": p["position_code"], "school_code": school_code,
                "places": places, "released_places": released, "expires_on": expires_on, "status": status,
                "reserved_on": reserved_on, "closed_on": closed_on,
            })
            return no

        def place(no, r, on):
            self.placements.append({"reservation_no": no, "id_number": r["id_number"], "uscc": r["uscc"],
                                    "start_on": r["start_on"], "placed_on": on})

        # the apprentices already there: the first confirmed on a one-place reservation, the
        # second placed on a two-place reservation that still holds one place open
        for n, r in enumerate(apprentices[:2]):
            p = key[(r["uscc"], r["position_code"])]
            reserved_on = max(p["quota_from"], r["start_on"] - dt.timedelta(days=21))
            placed_on = min(max(reserved_on, r["start_on"] - dt.timedelta(days=3)), today)
            if n == 0:
                no = add(p, r["school_code"], 1, reserved_on, min(reserved_on + dt.timedelta(days=60), p["quota_to"]),
                         "已确认", closed_on=placed_on)
            elif held[(p["uscc"], p["position_code"])] + 1 <= p["apprentice_quota"]:
                no = add(p, r["school_code"], 2, today - dt.timedelta(days=10), min(today + dt.timedelta(days=45), p["quota_to"]))
                held[(p["uscc"], p["position_code"])] += 1
                placed_on = today - dt.timedelta(days=2)
            else:
                continue
            place(no, r, placed_on)

        open_posts = [p for p in quota_posts if p["quota_from"] <= today <= p["quota_to"]]
        rng.shuffle(open_posts)
        plan = ["open", "open", "open", "open", "lapsed", "lapsed", "expired", "released"]
        for what, p in zip(plan, open_posts):
            k = (p["uscc"], p["position_code"])
            schools = [s["school_code"] for s in self.schools
                       if any(e["uscc"] == p["uscc"] for e in self.partners[s["school_code"]])]
            free = p["apprentice_quota"] - held[k]
            if not schools or free < 1:
                continue
            school_code = rng.choice(sorted(schools))
            places = rng.randint(1, min(3, free))
            if what == "open":
                add(p, school_code, places, today - dt.timedelta(days=rng.randint(3, 40)),
                    min(today + dt.timedelta(days=rng.randint(20, 90)), p["quota_to"]))
                held[k] += places
            elif what == "lapsed":  # deadline passed, not yet marked: `xiaoqi quota expire` closes it
                add(p, school_code, places, today - dt.timedelta(days=rng.randint(60, 120)),
                    today - dt.timedelta(days=rng.randint(1, 20)))
            elif what == "expired":
                expires_on = today - dt.timedelta(days=rng.randint(30, 60))
                add(p, school_code, places, expires_on - dt.timedelta(days=60), expires_on, "已过期", places,
                    expires_on + dt.timedelta(days=1))
            else:
                reserved_on = today - dt.timedelta(days=rng.randint(30, 60))
                add(p, school_code, places, reserved_on, today + dt.timedelta(days=30), "已释放", places,
                    reserved_on + dt.timedelta(days=7))
        _insert(self.session, m.QuotaReservation, self.reservations)
        _insert(self.session, m.ReservationPlacement, self.placements)

    def wage(self, r: dict) -> Decimal:
        return self._post_of(r)["wage"]

    def probation_wage(self, r: dict) -> Decimal:
        return self._post_of(r)["probation_wage"]

    def _post_of(self, r: dict) -> dict:
        return next(p for p in self.positions if p["uscc"] == r["uscc"] and p["position_code"] == r["position_code"])

    def on_post_at(self, uscc_code: str, position_code: str | None = None) -> list[dict]:
        """The on-post internships and apprenticeships at an enterprise (or one post) that the
        2021 rule judges (the alumni's 2021 ones aside)."""
        return [o for o in self.internships if o["uscc"] == uscc_code and o["kind"] != "认识实习"
                and (position_code is None or o["position_code"] == position_code) and internship_key(o) not in self.legacy]

    def update_position(self, r: dict, **values) -> None:
        """Change the position of internship row ``r`` (already written)."""
        self.session.execute(sa.update(m.Position).where(
            m.Position.uscc == r["uscc"], m.Position.position_code == r["position_code"]).values(**values))

    def post_for(self, st: dict) -> dict:
        codes = {e["uscc"] for e in self.partners[st["school_code"]]}
        posts = self.positions_by_cat.get(st["major_code"][:2], self.positions)
        return next(p for p in posts if p["uscc"] in codes)

    def other_post(self, r: dict) -> tuple[str, str]:
        """Another partner's post for the same major category, in the school's province if possible
        (so that an internship there differs from the first in its enterprise only)."""
        codes = {e["uscc"] for e in self.partners[r["school_code"]]}
        category = next(p["major_category"] for p in self.positions if p["uscc"] == r["uscc"] and p["position_code"] == r["position_code"])
        province = next(s["region"][:2] for s in self.schools if s["school_code"] == r["school_code"])
        others = [p for p in self.positions if p["uscc"] != r["uscc"] and p["uscc"] in codes]
        posts = [p for p in others if p["major_category"] == category] or others
        p = min(posts, key=lambda p: p["uscc"][2:4] != province)
        return p["uscc"], p["position_code"]

    def _matching_post(self, school: dict) -> tuple[dict, dict]:
        """A major of the school and a partner's post for its category."""
        codes = {e["uscc"] for e in self.partners[school["school_code"]]}
        for mj in self.majors:
            if mj["school_code"] == school["school_code"]:
                posts = [p for p in self.positions_by_cat.get(mj["major_code"][:2], []) if p["uscc"] in codes]
                if posts:
                    return mj, self.rng.choice(posts)
        raise LookupError(school["school_code"])

    def new_student(self, school: dict, enrolled: dt.date, birth: dt.date, major: dict | None = None) -> dict:
        """A student with no other internship, for a deliberate violation."""
        id_number = make_id_number(self.rng, school["region"], birth)
        while id_number in self.used_ids:
            id_number = make_id_number(self.rng, school["region"], birth)
        self.used_ids.add(id_number)
        major = major or next(mj for mj in self.majors if mj["school_code"] == school["school_code"])
        st = {
            "school_code": school["school_code"], "student_no": f"D{len(self.students):07d}", "name": person_name(self.rng),
            "id_number": id_number, "birth_date": birth, "major_code": major["major_code"], "enrolled_on": enrolled,
            "class_name": None, "guardian": person_name(self.rng), "guardian_phone": None,
        }
        self.students.append(st)
        _insert(self.session, m.Student, [st])
        return st

    def add_internship(self, r: dict, *, insure: bool = True) -> None:
        """Add an internship and (``insure``) put its student on the school's liability policies of
        its years."""
        self.internships.append(r)
        self.n_internships += 1
        if not insure:
            return
        for y in range(r["start_on"].year, r["end_on"].year + 1):
            no = f"PEAC{y}{r['school_code'][-6:]}"
            if any(p["policy_no"] == no for p in self.policies):
                self.insured.append({"policy_no": no, "id_number": r["id_number"], "start_on": None, "end_on": None})
                self.n_insured += 1

    def add_policy(self, policy: dict, id_numbers: list[str]) -> None:
        """Add an insurance policy (a ``policies`` row) with these people on its insured list."""
        self.policies.append(policy)
        self.insured.extend({"policy_no": policy["policy_no"], "id_number": i, "start_on": None, "end_on": None} for i in id_numbers)
        self.n_insured += len(id_numbers)

    def update_enterprise(self, uscc_code: str, **values) -> None:
        """Change an enterprise already written (``staff_count``, ``industry_code``, ...)."""
        self.session.execute(sa.update(m.Enterprise).where(m.Enterprise.uscc == uscc_code).values(**values))

    def region_elsewhere(self, school_code: str) -> str:
        """A city of another province of the demo than the school's (for an internship far away)."""
        other = next(p for p, *_ in PROVINCE_SCHOOLS if p != school_code[2:4])
        return next(c for p, cs, *_ in PROVINCE_SCHOOLS if p == other for c in cs[:1])

    def province_of(self, school_code: str) -> str:
        """The 2-digit province code of a demo school."""
        return next(s["region"][:2] for s in self.schools if s["school_code"] == school_code)

    def uncover(self, r: dict, gap_from: dt.date, gap_to: dt.date) -> None:
        """Leave a student uninsured from ``gap_from`` to ``gap_to``: the year's policy ends for
        them before the gap and a second policy covers them after it."""
        for i in self.insured:
            if i["id_number"] == r["id_number"] and i["policy_no"].startswith(f"PEAC{gap_from.year}"):
                i["end_on"] = gap_from - dt.timedelta(days=1)
        extra = f"PEAC{gap_from.year}{r['school_code'][-6:]}-B"
        self.policies.append({
            "policy_no": extra, "insurer": INSURERS[0], "kind": "实习责任保险", "holder": r["school_code"], "payer": "学校",
            "start_on": gap_to + dt.timedelta(days=1), "end_on": dt.date(gap_from.year, 12, 31),
            "cover_per_person": Decimal("500000.00"), "premium": Decimal("300.00"),
        })
        self.insured.append({"policy_no": extra, "id_number": r["id_number"], "start_on": None, "end_on": None})
        self.n_insured += 1

    def _write(self) -> None:
        _insert(self.session, m.Internship, self.internships)
        _insert(self.session, m.InsurancePolicy, self.policies)
        _insert(self.session, m.InsuredPerson, self.insured)


def generate(session: Session, *, size: str = "small", seed: int = 2026, today: dt.date | None = None) -> DemoManifest:
    """Fill an empty database with demo data in the caller's transaction; returns the manifest."""
    builder = DemoBuilder(session, size=size, seed=seed, today=today or dt.date.today())
    manifest = builder.build()
    get_plugin_manager().hook.xiaoqi_demo_data(session=session, size=size, seed=seed, today=builder.today,
                                               manifest=manifest)
    return manifest
