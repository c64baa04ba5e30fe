"""Find what could identify a person in an extract, so it can be dropped before analysis.

equitylab never needs to know who a patient is: the equity questions are about groups.
:func:`identifying_columns` reads each column's header (:mod:`.headers`) and every one of
its values (:mod:`.columns`, with the shapes in :mod:`.shapes`) and names the columns that
hold NHS numbers, names, dates of birth, full postcodes, email addresses, phone numbers,
addresses or local patient identifiers. It reports column names, kinds and the shapes of
values, never the values themselves. ``docs/privacy.md`` lists what is detected and how.
"""
from __future__ import annotations

from .columns import Identifier, identifying_columns, name_shaped
from .headers import header_kind, words
from .shapes import (EMAIL, FULL_POSTCODE, OUTWARD_CODE, SHAPE, identifiers_in, nhs_number_valid,
                     nhs_numbers_valid)

__all__ = ["EMAIL", "FULL_POSTCODE", "OUTWARD_CODE", "SHAPE", "Identifier", "header_kind",
           "identifiers_in", "identifying_columns", "name_shaped", "nhs_number_valid",
           "nhs_numbers_valid", "words"]
