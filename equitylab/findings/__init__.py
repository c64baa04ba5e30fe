"""What a team looks at: each analysis as a :class:`Finding` with words, a chart and a table.

The curriculum notebooks and the report template both get their analyses here, so both say the
same thing about the same data.

- :mod:`.area`: the area's population (deprivation, ethnic mix, life expectancy, published gaps);
- :mod:`.service`: the team's service data (access, experience, outcomes by group);
- :mod:`.intersectional`: where disadvantages meet, an outcome for every combination of groups (MAIHDA);
- :mod:`.trends`: run and SPC charts by group, and the gap over time;
- :mod:`.project`: the team's aim and driver diagram; :mod:`.onepage`: the project on a page.
"""
from __future__ import annotations

from .area import (
    deprivation_profile,
    england_gradient,
    ethnic_mix,
    life_expectancy_between_areas,
    population_indicators,
    profiles,
    published_profile,
    within_area_gap,
)
from .finding import Finding, sources
from .intersectional import intersections
from .project import aim_target, project_overview
from .service import access, experience, load_service, outcomes, outcomes_by_deprivation, service_summary
from .trends import gap_over_time, over_time

__all__ = ["Finding", "access", "aim_target", "deprivation_profile", "england_gradient", "ethnic_mix",
           "experience", "gap_over_time", "intersections", "life_expectancy_between_areas", "load_service",
           "outcomes", "outcomes_by_deprivation", "over_time", "population_indicators", "profiles",
           "project_overview", "published_profile", "service_summary", "sources", "within_area_gap"]
