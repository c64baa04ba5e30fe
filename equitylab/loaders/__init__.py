"""Getting data in: Fingertips (live, cache, snapshot), Census 2021 populations,
IMD 2019 deciles and a team's own service extract. Every frame returned carries
provenance in ``attrs`` (see :mod:`equitylab.provenance`)."""
from __future__ import annotations

# Imported eagerly, not on first use: the module population.py shares its function's name, and a
# lazily looked-up name would be shadowed by the module once anything imports it.
from .areas import area_info, check_area
from .fingertips import fingertips_data, fingertips_profiles, published_figures
from .identifiers import find_identifiers
from .population import life_expectancy, lsoa_deciles, population
from .service import read_service_data

__all__ = ["area_info", "check_area", "find_identifiers", "fingertips_data", "fingertips_profiles",
           "life_expectancy", "lsoa_deciles", "population", "published_figures", "read_service_data"]
