"""Import, export and templates: the Excel/CSV/JSON files that offices and enterprises exchange.

One definition of each record kind (``xiaoqi.core.kinds``) serves all three, for the core's kinds
and every kind a plugin registers:

- ``import_file(engine, actor=, kind=, path=, ...)`` -> ``ImportResult`` (``importer``)
- ``export_kind(engine, out, actor=, kind=, fmt=, reveal=)`` (``export``)
- ``write_template(kind, path)`` (``template``)
- ``open_table(path)`` reads .xlsx/.xls, CSV (UTF-8, GB18030) and JSON (``readers``);
  ``sheet_names(path)`` lists a workbook's sheets
"""

from .export import export_kind, iter_records
from .importer import ImportResult, import_file
from .readers import FileProblem, Table, open_table, sheet_names
from .rows import Problem, RowParser, map_headers
from .template import write_template

__all__ = [
    "FileProblem", "ImportResult", "Problem", "RowParser", "Table", "export_kind", "import_file", "iter_records",
    "map_headers", "open_table", "sheet_names", "write_template",
]
