"""The package installs, imports cheaply, finds its data and keeps its two install files in step."""
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_import_is_cheap_and_lazy():
    code = (
        "import time, sys; t = time.perf_counter(); import equitylab; "
        "dt = time.perf_counter() - t; "
        "heavy = [m for m in ('pandas', 'altair', 'ipywidgets', 'papermill', 'scipy') if m in sys.modules]; "
        "print(dt, ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    seconds, heavy = out.split()[0], out.split()[1:] 
    assert float(seconds) < 0.5
    assert heavy == [], f"import equitylab pulled in {heavy}"


def test_exceptions_are_one_hierarchy():
    import equitylab

    for name in ("DataError", "ProjectFileError", "SourceUnavailable"):
        assert issubclass(getattr(equitylab, name), equitylab.EquityLabError)


def test_data_error_names_file_rows_and_column():
    from equitylab import DataError

    err = DataError("Ethnicity code not recognised", file="extract.csv", column="ethnicity",
                    rows=[14, 2, 3], hint="Use NHS Data Dictionary codes A to Z")
    text = str(err)
    assert "extract.csv" in text and "'ethnicity'" in text and "rows 2, 3, 14" in text
    assert text.endswith("Use NHS Data Dictionary codes A to Z.")


def test_data_dir_found_from_any_working_directory(tmp_path):
    code = "from equitylab._paths import data_dir; print(data_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=tmp_path).stdout.strip()
    assert (Path(out) / "MANIFEST.md").exists()


def _requirement_names(reqs):
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}


def test_environment_yml_installs_the_pyproject_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert any(str(d).startswith("python=3.11") for d in env["dependencies"] if isinstance(d, str))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    # the conda file installs this very project with pip, so it can never drift from pyproject
    assert any(re.fullmatch(r'-e \.?\[?.*', p) or p.startswith("-e .") for p in pip_section)
    required = _requirement_names(project["project"]["dependencies"])
    for name in ("jupyterlab", "ipywidgets", "pandas", "altair", "fingertips-py", "papermill",
                 "vl-convert-python", "anywidget", "pyarrow"):
        assert name in required, name
    test_extra = _requirement_names(project["project"]["optional-dependencies"]["test"])
    assert {"pytest", "nbval"} <= test_extra


def test_cli_help_lists_commands():
    out = subprocess.run([sys.executable, "-m", "equitylab", "--help"], capture_output=True, text=True,
                         check=True).stdout
    for cmd in ("data", "project", "report", "forms", "curriculum"):
        assert cmd in out


def test_public_names_stay_functions_after_their_modules_are_imported():
    # population shares a name with the module that defines it
    code = ("import importlib, inspect; importlib.import_module('equitylab.loaders.population'); "
            "from equitylab.loaders import population; import equitylab; "
            "print(all(inspect.isfunction(f) for f in (population, equitylab.population)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"
