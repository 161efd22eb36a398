"""Every hook a xiaoqi plugin can implement.

Plugins contribute things through ``xiaoqi_register_*`` hooks (each returns a list that the core
concatenates in plugin registration order; an id given twice is an error naming both plugins), override parameters through ``xiaoqi_rule_params``, and are told about writes through
``xiaoqi_record_changed``. docs/plugins.md documents each hook; tests/plugins/test_hook_docs.py
fails when one is undocumented or untested.
"""

from __future__ import annotations

from typing import Any

from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("xiaoqi")
hookimpl = HookimplMarker("xiaoqi")


@hookspec(historic=True)
def xiaoqi_addhooks(pm) -> None:
    """Add hookspecs of the plugin's own (``pm.add_hookspecs(module)``) for other plugins to implement."""


@hookspec
def xiaoqi_register_models() -> list[type]:
    """SQLModel table classes the plugin owns, so metadata and migrations know them."""


@hookspec
def xiaoqi_migration_locations() -> list[str]:
    """Directories holding the plugin's own Alembic revisions (one branch per plugin)."""


@hookspec
def xiaoqi_register_record_kinds() -> list[Any]:
    """Record kinds (``xiaoqi.core.kinds.RecordKind``) for import, export, templates and forms."""


@hookspec
def xiaoqi_register_column_types() -> list[Any]:
    """Column types (``xiaoqi.core.kinds.ColumnType``: name, cell parser, description) for record kinds."""


@hookspec
def xiaoqi_register_rules() -> list[Any]:
    """Compliance rules (``xiaoqi.core.rules.Rule``) evaluated by ``xiaoqi check``."""


@hookspec
def xiaoqi_rule_params() -> list[Any]:
    """Parameter values (``xiaoqi.core.rules.ParamValue``) per region and valid-from date.

    All results are combined: for a given rule, parameter, region and date the value with the most
    specific region wins (city over province over national), then the latest valid-from date on or
    before the date; the configuration file overrides every plugin.
    """


@hookspec
def xiaoqi_register_commands(cli) -> list[Any] | None:
    """Top-level commands (``xiaoqi.core.commands.CommandEntry``): name, help and import path, imported when used.

    The older way, adding click commands to the root group ``cli`` inside the hook, still works
    but imports them whenever the commands are listed."""


@hookspec
def xiaoqi_register_screens() -> list[Any]:
    """TUI screens (``xiaoqi.tui.ScreenEntry``) shown in the navigation of ``xiaoqi tui``."""


@hookspec
def xiaoqi_dashboard_panels() -> list[Any]:
    """Dashboard panels (``xiaoqi.tui.PanelEntry``) shown on the TUI's home screen."""


@hookspec
def xiaoqi_detail_sections(kind: str) -> list[Any]:
    """Extra sections (``xiaoqi.tui.DetailSection``) of the TUI's detail view of a record of ``kind``."""


@hookspec
def xiaoqi_palette_providers() -> list[type]:
    """Textual command-palette ``Provider`` classes added to the TUI's palette."""


@hookspec
def xiaoqi_report_sections(session, year: int, school_code: str | None, lang: str, actor) -> list[Any]:
    """Sections of the annual report (``xiaoqi.core.report.ReportSection``) for a year, limited to
    ``school_code`` when given and to what ``actor`` may see."""


@hookspec(firstresult=True)
def xiaoqi_quota_ratio_target(region: str, on, config) -> Any:
    """The apprenticeship ratio an enterprise's quota should reach (places ÷ on-post staff) in
    ``region`` on day ``on``, as a ``Decimal``; None when no figure applies (``xiaoqi quota show``
    compares against it). The first plugin that answers decides."""


@hookspec
def xiaoqi_demo_plant(demo) -> None:
    """Plant deliberate violations of the plugin's rules in the core's demo rows before they are
    written: ``demo`` is the demo builder (``xiaoqi.core.demo.DemoBuilder``; its rows, helpers and
    manifest are described in docs/plugins.md)."""


@hookspec
def xiaoqi_demo_data(session, size: str, seed: int, today, manifest) -> None:
    """Fill the plugin's own tables in a demo database after the core's demo data exists.

    ``today`` is the demo's date; record deliberate rule violations with ``manifest.expect(rule, key)``
    and row counts in ``manifest.counts[kind]``."""


@hookspec
def xiaoqi_record_changed(session, actor, kind: str, action: str, key: str, before, after) -> None:
    """Called after every create/update/delete of the services, inside the same transaction (raise to veto);
    ``xiaoqi import`` announces its rows through ``xiaoqi_records_imported`` instead."""


@hookspec
def xiaoqi_records_imported(session, actor, kind: str, batch_id: int, created: list[str], updated: list[str]) -> None:
    """Called by ``xiaoqi import`` for each written batch with the natural keys created and updated, inside its transaction (raise to veto)."""
