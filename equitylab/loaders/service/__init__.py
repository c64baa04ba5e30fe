"""A team's own service extract, read into one documented schema.

Every NHS system exports different headers and codes. :func:`read_service_data` maps the
headers onto the equitylab schema (``docs/service-data-schema.md``), turns NHS codes into
the groups the equity questions need (Census 2021 ethnic groups, sex, age bands, IMD 2019
deciles), checks every value of every row, and drops anything that could identify a
patient before the table goes anywhere else.

Modules: :mod:`.files` reads the file, :mod:`.headers` says which column is which,
:mod:`.fields` and :mod:`.places` check and convert each field, :mod:`.schema` puts the
columns together, :mod:`.problems` collects what is wrong, and :mod:`.read` runs it all.
"""
from __future__ import annotations

from .headers import SOURCE_FIELDS
from .read import read_service_data
from .schema import DEFAULT_AGE_BANDS, SCHEMA_COLUMNS

__all__ = ["DEFAULT_AGE_BANDS", "SCHEMA_COLUMNS", "SOURCE_FIELDS", "read_service_data"]
