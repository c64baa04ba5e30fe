"""Writing a small extract to a file and reading it back quietly, for the service-loader tests."""
from __future__ import annotations

import warnings

from equitylab.loaders import read_service_data


def write_extract(tmp_path, text, name="extract.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding, newline="")
    return p


def read_quietly(path, **kw):
    """``read_service_data`` with its warnings (dropped columns, notes) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_service_data(path, **kw)
