"""Getting data in: Fingertips (live, cache, snapshot), Census 2021 populations,
IMD 2019 deciles and a team's own service extract. Every frame returned carries
provenance in ``attrs`` (see :mod:`equitylab.provenance`)."""
from __future__ import annotations

from .areas import area_info
from .census import life_expectancy, lsoa_deciles, population, published_population
from .fingertips import fingertips_data, fingertips_profiles
from .service import read_service_data

__all__ = ["area_info", "fingertips_data", "fingertips_profiles", "life_expectancy", "lsoa_deciles",
           "population", "published_population", "read_service_data"]
