"""Getting data in: Fingertips (live, cache, snapshot), Census 2021 populations,
IMD 2019 deciles and a team's own service extract. Every frame returned carries
provenance in ``attrs`` (see :mod:`equitylab.provenance`)."""
from __future__ import annotations

import importlib

_LAZY = {
    "fingertips_data": "equitylab.loaders.fingertips",
    "fingertips_profiles": "equitylab.loaders.fingertips",
    "published_figures": "equitylab.loaders.fingertips",
    "population": "equitylab.loaders.population",
    "lsoa_deciles": "equitylab.loaders.population",
    "life_expectancy": "equitylab.loaders.population",
    "area_info": "equitylab.loaders.areas",
    "check_area": "equitylab.loaders.areas",
    "read_service_data": "equitylab.loaders.service",
    "find_identifiers": "equitylab.loaders.identifiers",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylab.loaders' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
