"""xiaoqi-example-region: the worked example of docs/tutorial.md — a regional plugin for 浙江 (33).

It shows every part a provincial plugin usually needs, each through a public hook:

- a parameter override valid from a date (INT-PAY-MIN ``min_share`` 85% for 浙江 from 2026-01-01);
- a new rule, ZJ-SAFETY-TRAINING, with its own table (``zj_safety_trainings``), migration branch
  and import kind, so that schools can import their training records from Excel;
- demo data for that table;
- a command, ``xiaoqi zhejiang training-due``, and a dashboard panel with the same figures.

The figures are this example's, not a published provincial standard: replace them with your
province's before using a plugin like this one.
"""

from __future__ import annotations

from pathlib import Path

from xiaoqi.core import hookimpl
from xiaoqi.core.commands import CommandEntry

__version__ = "0.1.0"


@hookimpl
def xiaoqi_register_models():
    from .models import SafetyTraining

    return [SafetyTraining]


@hookimpl
def xiaoqi_migration_locations():
    return [str(Path(__file__).parent / "migrations")]


@hookimpl
def xiaoqi_register_record_kinds():
    from .kinds import SAFETY_TRAININGS

    return [SAFETY_TRAININGS]


@hookimpl
def xiaoqi_register_rules():
    from .rules import RULES

    return RULES


@hookimpl
def xiaoqi_rule_params():
    from .rules import PARAM_VALUES

    return PARAM_VALUES


@hookimpl
def xiaoqi_register_commands():
    # name and help are read by `xiaoqi --help` without importing commands.py
    return [CommandEntry("zhejiang", ("浙江省地区插件（示例）", "the Zhejiang regional plugin (example)"),
                         "xiaoqi_zhejiang.commands:zhejiang_group")]


@hookimpl
def xiaoqi_demo_data(session, size, seed, manifest):
    from . import demo

    demo.fill(session, size, seed, manifest)


@hookimpl
def xiaoqi_dashboard_panels():
    from xiaoqi.tui import PanelEntry

    from .tui import TrainingPanel

    return [PanelEntry(id="zhejiang-training", title=("岗前安全培训（浙江）", "Pre-post safety training (Zhejiang)"),
                       widget=TrainingPanel)]
