"""Start-up cost in the processes equitylab starts for reports.

jsonschema (imported by nbformat and altair) imports ``rfc3987_syntax`` when it is
installed, to check the "iri" string formats, and that package builds a parser on import:
1.5-2 s, in the command, in each worker and in each kernel. Nothing in a report checks
IRI formats (format checking is off unless a FormatChecker is passed), so processes that
exist only to run reports mark the module as unavailable; jsonschema then simply has no
"iri" checker. Processes a user owns (their own Python session) are left alone.
"""
from __future__ import annotations

import sys

# Report kernels draw static SVG only, so altair's interactive JupyterChart (anywidget and
# ipywidgets, about 0.15 s to import) is marked unavailable there too; altair then defines
# a stand-in class instead of importing them.
KERNEL_LINE = "import sys; sys.modules.setdefault('rfc3987_syntax', None); sys.modules.setdefault('anywidget', None)"


def skip_slow_optional_imports() -> None:
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
