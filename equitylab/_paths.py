"""Where equitylab's packaged data and a user's working files live."""
from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import platformdirs


@cache
def data_dir() -> Path:
    """The embedded snapshot folder, found from any working directory.

    An installed wheel carries it as ``equitylab/_data``; an editable install reads the
    repository's top-level ``data/``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "MANIFEST.md").exists():
            return candidate
    return here.parent / "data"


@cache
def notebooks_dir() -> Path:
    """The curriculum notebooks (``equitylab/_notebooks`` in a wheel, ``notebooks/`` in a checkout)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_notebooks", here.parent / "notebooks"):
        if any(candidate.glob("00_*.ipynb")):
            return candidate
    return here.parent / "notebooks"


def cache_dir() -> Path:
    """Folder for cached live Fingertips answers (``EQUITYLAB_CACHE_DIR`` overrides)."""
    env = os.environ.get("EQUITYLAB_CACHE_DIR")
    if env:
        return Path(env)

    return Path(platformdirs.user_cache_dir("equitylab"))


def home_dir() -> Path:
    """Folder for a learner's own work (``EQUITYLAB_HOME`` overrides)."""
    env = os.environ.get("EQUITYLAB_HOME")
    if env:
        return Path(env)

    return Path(platformdirs.user_data_dir("equitylab"))
