"""The team's improvement workbook: the project file, its safe store, the aim checker and
the driver diagram. Works without Jupyter (no ipywidgets here).

>>> from equitylab.workbook import Project, check_aim
>>> project = Project.new(title="Equal access to talking therapies", team="Tower Hamlets CMHT")

A project's records are added through it (``project.add_member``, ``project.add_quote``,
``project.drivers.add``, ``measure.add_period``) or, for the ones below, appended to its
lists. The driver diagram is drawn by :mod:`equitylab.workbook.diagram`. Saving after a
pause (``store.AutoSaver``), the three-way merge and the schema are the forms' and the
file's business, in :mod:`~equitylab.workbook.store` and :mod:`~equitylab.workbook.schema`.
"""
from __future__ import annotations

from .aim import aim_template, check_aim, equity_aim_template
from .measure_data import import_measure_data, measure_template
from .model import PDSA, Aim, DataPlanItem, Measure, Project
from .store import list_backups, restore

__all__ = [
    "PDSA",
    "Aim",
    "DataPlanItem",
    "Measure",
    "Project",
    "aim_template",
    "check_aim",
    "equity_aim_template",
    "import_measure_data",
    "list_backups",
    "measure_template",
    "restore",
]
