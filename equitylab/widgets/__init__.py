"""Forms for the learning-session exercises, each saving into the team's project file.

>>> from equitylab.widgets import FORM_NAMES, form
>>> form("aim", "my_project.yaml")          # doctest: +SKIP

The cohort's views (joining a team, the facilitator's dashboard) are in
:mod:`equitylab.widgets.cohort`, which needs pandas; the forms load without it.

Every form is an ``ipywidgets.VBox`` built from standard, keyboard-usable controls. The
project file is read when the form opens and saved by :mod:`equitylab.workbook.store`
after a pause in typing, at once for "Add" buttons, and by the "Save now" button.
"""
from __future__ import annotations

from ..errors import DataError
from .base import ProjectForm
from .forms import (
    AimForm,
    BreakoutForm,
    CoproductionForm,
    DataPlanForm,
    DriverDiagramForm,
    FourQuestionsForm,
    HeardForm,
    MeasuresForm,
    PDSAForm,
    ProgressForm,
    TeamForm,
)

# in the order of the learning session
FORMS: dict[str, type[ProjectForm]] = {
    "breakout": BreakoutForm,
    "team": TeamForm,
    "coproduction": CoproductionForm,
    "four_questions": FourQuestionsForm,
    "data_plan": DataPlanForm,
    "heard": HeardForm,
    "aim": AimForm,
    "driver_diagram": DriverDiagramForm,
    "measures": MeasuresForm,
    "pdsa": PDSAForm,
    "progress": ProgressForm,
}
FORM_NAMES: tuple[str, ...] = tuple(FORMS)
FORM_TITLES: dict[str, str] = {name: cls.heading for name, cls in FORMS.items()}


def form(name: str, project_path, **kwargs) -> ProjectForm:
    """The form called ``name`` (one of :data:`FORM_NAMES`) over the project file at ``project_path``.

    ``wait=`` sets the seconds of quiet before an automatic save (default 1.5; 0 saves at once).
    """
    if name not in FORMS:
        raise DataError(f"There is no form called '{name}'", hint="Use one of: " + ", ".join(FORM_NAMES))
    return FORMS[name](project_path, **kwargs)


# FORMS, FORM_TITLES and the form classes are importable from here too, for serve.py and the tests
__all__ = ["FORM_NAMES", "form"]
