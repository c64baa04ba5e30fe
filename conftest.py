"""Test-wide settings, applied before any test or notebook kernel starts.

A learner's real equitylab folder and cache are never touched by tests; unexpected errors in
the notebooks' lesson calls are raised instead of shown as friendly messages, so a notebook
run fails when the code is wrong.
"""
import os
import tempfile

from hypothesis import settings

# CI must give the same answer every run: fixed examples, and no per-example deadline on a shared
# 2-core machine. Locally hypothesis keeps exploring new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config):
    root = tempfile.mkdtemp(prefix="equitylab-tests-")
    os.environ.setdefault("EQUITYLAB_HOME", os.path.join(root, "home"))
    os.environ.setdefault("EQUITYLAB_CACHE_DIR", os.path.join(root, "cache"))
    os.environ["EQUITYLAB_STRICT"] = "1"
