"""The team's improvement workbook: the project file, its safe store, the aim checker and
the driver diagram. Works without Jupyter (no ipywidgets here).

>>> from equitylab.workbook import Project, check_aim
>>> project = Project.new(title="Equal access to talking therapies", team="Tower Hamlets CMHT")
"""
from __future__ import annotations

from .aim import aim_template, check_aim, equity_aim_template
from .measure_data import import_measure_data, measure_template
from .model import (
    DATA_KINDS,
    DATA_QUESTIONS,
    FOUR_QUESTIONS,
    LADDER,
    LADDER_MEANING,
    MEASURE_KINDS,
    NODE_KINDS,
    PROGRESS_STAGES,
    ROLES,
    SCHEMA_VERSION,
    PDSA,
    Aim,
    Answer,
    BestChance,
    Coproduction,
    DataPlanItem,
    DataPoint,
    DriverDiagram,
    Link,
    Measure,
    Member,
    Node,
    Plan,
    Project,
    Quote,
    TeamMix,
    find_identifiers,
)
from .schema import MIGRATIONS
from .autosave import AutoSaver, Debouncer
from .store import SaveResult, list_backups, load, merge, restore, save

__all__ = [
    "Project", "Aim", "Answer", "BestChance", "Coproduction", "DataPlanItem", "DataPoint", "DriverDiagram",
    "Link", "Measure", "Member", "Node", "PDSA", "Plan", "Quote", "TeamMix",
    "check_aim", "aim_template", "equity_aim_template", "find_identifiers",
    "measure_template", "import_measure_data",
    "load", "save", "restore", "list_backups", "merge", "AutoSaver", "Debouncer", "SaveResult", "MIGRATIONS",
    "LADDER", "LADDER_MEANING", "ROLES", "FOUR_QUESTIONS", "DATA_QUESTIONS", "DATA_KINDS", "MEASURE_KINDS",
    "NODE_KINDS", "PROGRESS_STAGES", "SCHEMA_VERSION",
]
