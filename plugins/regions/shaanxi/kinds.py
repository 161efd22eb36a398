"""The import/export kind of the Shaanxi plugin's table."""

from __future__ import annotations

from xiaoqi.core.access import Access, via
from xiaoqi.core.kinds import Column, RecordKind, Reference

#: who arranged an internship (the table keeps the Chinese value)
ARRANGED_BY = ("学校", "企业", "个人", "中介")

ARRANGEMENTS = RecordKind(
    name="shaanxi_arrangements", zh="实习安排方式", en="internship arrangements", model="xiaoqi.plugins.regions.shaanxi.models:Arrangement",
    key=("id_number", "uscc", "start_on"), enterprise_column="uscc", plugin="shaanxi",
    # read and kept with the internship: its school writes it, its enterprise reads it
    access=Access(read=via("internships"), write=via("internships")),
    references=[Reference("internships", ("id_number", "uscc", "start_on"), ("id_number", "uscc", "start_on"))],
    columns=[
        Column("id_number", "身份证号", "idcard", required=True, key=True),
        Column("uscc", "统一社会信用代码", "uscc", required=True, key=True),
        Column("start_on", "开始日期", "date", required=True, key=True),
        Column("arranged_by", "安排方式", "choice", required=True, choices=ARRANGED_BY,
               choices_en=("school", "enterprise", "individual", "agency")),
        Column("arranger", "安排人", "text", max_len=100, doc=("个人或机构名称", "the person or organisation")),
    ],
)
