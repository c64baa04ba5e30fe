"""Equity reports end to end: one small batch through papermill, checked file by file.

One batch (module fixture, jobs=2) builds four rows:
row 2  Hackney on the synthetic teaching extract, with the example project file;
row 3  an area code that does not exist (fails before any kernel starts);
row 4  Hackney on an extract with planted identifiers (NHS numbers that pass Modulus 11,
       names, dates of birth and full postcodes in extra columns);
row 5  the same extract with one planted name in the ethnicity column, which the loader
       rejects (the report fails, and its log and the index must not repeat the name).
"""
from __future__ import annotations

import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from equitylab._paths import data_dir
from equitylab.reports import batch

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ROOT / "tests" / "fixtures" / "projects" / "example_project.yaml"
SECTIONS = ["Main points", "1. The area's population", "2. The service's data",
            "3. Access: who uses the service, against who lives here", "4. Experience and outcomes, group by group",
            "5. Where disadvantages meet", "6. Over time", "7. The team's aim and driver diagram",
            "8. Data sources and licences"]
COUNT_COLUMNS = {"numerator", "denominator", "count", "observed", "n", "patients", "people", "persons", "referrals"}
NAMES = ["Quorinda Vexley", "Tobiah Marchbank", "Ysolde Pennifer", "Caspian Ollerenshaw"]
POSTCODES = ["E8 1DY", "E5 0LH", "N16 7UJ", "E9 6SR"]


def nhs_number(seed: int) -> str:
    """A made-up NHS number whose check digit passes Modulus 11 (NHS Data Dictionary)."""
    n = seed
    while True:
        digits = f"{n:09d}"[-9:]
        check = 11 - sum(int(d) * w for d, w in zip(digits, range(10, 1, -1))) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return digits + str(check)
        n += 1


def planted_extract(folder: Path, *, bad_ethnicity: bool = False) -> tuple[Path, dict]:
    raw = pd.read_csv(data_dir() / "examples" / "synthetic_cmht_hackney.csv", dtype=str)
    k = len(raw)
    numbers = [nhs_number(400_000_000 + 7919 * i) for i in range(k)]
    raw["NHS Number"] = [f"{x[:3]} {x[3:6]} {x[6:]}" if i % 2 else x for i, x in enumerate(numbers)]
    raw["Patient Name"] = [NAMES[i % len(NAMES)] for i in range(k)]
    referral = pd.to_datetime(raw["referral_date"])
    dob = referral - pd.to_timedelta(raw["age"].astype(int) * 365.25 + 40, unit="D")
    raw["Date of Birth"] = dob.dt.strftime("%d/%m/%Y")
    raw["Postcode"] = [POSTCODES[i % len(POSTCODES)] for i in range(k)]
    if bad_ethnicity:
        raw.loc[9, "ethnic_category"] = NAMES[0]
    path = folder / ("planted_bad.csv" if bad_ethnicity else "planted.csv")
    raw.to_csv(path, index=False)
    planted = {"nhs": numbers[:200], "dob": raw["Date of Birth"].iloc[:200].tolist(),
               "dob_iso": dob.dt.strftime("%Y-%m-%d").iloc[:200].tolist()}
    return path, planted


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    _, planted = planted_extract(folder)
    planted_extract(folder, bad_ethnicity=True)
    rows = folder / "batch.csv"
    rows.write_text("area_code,name,service_data,project_file\n"
                    f"E09000012,hackney,,{PROJECT}\n"
                    "E09000099,nowhere,,\n"
                    "E09000012,planted,planted.csv,\n"        # relative to the batch file's folder
                    "E09000012,planted_bad,planted_bad.csv,\n", encoding="utf-8")
    out = folder / "out"
    result = batch(rows, out=out, jobs=2, progress=False)
    return result, out, planted


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return path.read_text(encoding="utf-8", errors="replace")


class _Tables(HTMLParser):
    """Header and cell text of every <table class='data'> in a page."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._in = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell, self._in = [], True

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._in:
            text = "".join(self._cell).strip()
            (self.tables[-1]["rows"][-1]).append(text)
            self._in = False

    def handle_data(self, data):
        if self._in:
            self._cell.append(data)


def test_good_reports_exist_and_the_bad_area_is_listed_with_its_reason(built):
    result, out, _ = built
    status = {r.name: r.status for r in result.reports}
    assert status == {"hackney": "ok", "nowhere": "failed", "planted": "ok", "planted_bad": "failed"}, \
        [(r.name, r.reason) for r in result.reports]
    for name in ("hackney", "planted"):
        assert (out / f"{name}.html").stat().st_size > 10_000
        assert (out / f"{name}.xlsx").exists() and list((out / f"{name}_tables").glob("*.csv"))
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "E09000099" in index and "not in equitylab&#x27;s list of English areas" in index
    assert "href='hackney.html'" in index and "href='planted.html'" in index
    nowhere = next(r for r in result.reports if r.name == "nowhere")
    assert nowhere.row == 3 and Path(nowhere.log).exists()
    assert not list(out.rglob("*.ipynb"))  # executed notebooks are not left behind unless asked for


def test_html_has_no_code_every_section_sources_and_alt_text(built):
    _, out, _ = built
    page = (out / "hackney.html").read_text(encoding="utf-8")
    assert "In [" not in page and "<pre" not in page and "report.show(" not in page and "import " not in page
    assert not re.search(r"<(script|link|iframe)\b", page, re.IGNORECASE)
    assert not re.search(r"(src|href)\s*=\s*['\"]?https?:", page, re.IGNORECASE)
    headings = re.findall(r"<h2(?: id='section-\d+')?>(.*?)</h2>", page)
    headings = [h.replace("&#x27;", "'").replace("&#39;", "'") for h in headings]
    assert headings == [SECTIONS[0], "Contents", *SECTIONS[1:]]
    contents = page[page.index("<nav class='contents'"):page.index("</nav>")]
    assert re.findall(r"<a href='#section-\d+'>(.*?)</a>", contents.replace("&#x27;", "'")) == SECTIONS[1:]
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) >= 8  # population, access, experience, outcomes, SPC, gap, driver diagram ...
    assert all(re.search(r"alt='[^']{20,}'", img) for img in images)
    assert "Open Government Licence" in page and "SYNTHETIC teaching data" in page
    aim = page[page.index("<h2 id='section-7'>"):page.index("<h2 id='section-8'>")]
    assert "Reduce the gap in referrals" in aim and "<img" in aim  # the example project's aim and its diagram
    sources = out / "hackney_tables"
    assert any("data_sources" in p.name for p in sources.glob("*.csv"))


def test_no_count_from_1_to_7_appears_in_any_table(built):
    _, out, _ = built
    checked = 0
    for csv in out.glob("*_tables/*.csv"):
        frame = pd.read_csv(csv)
        for column in frame.columns:
            if str(column).strip().lower() in COUNT_COLUMNS:
                values = pd.to_numeric(frame[column], errors="coerce")
                assert not values.between(1, 7).any(), (csv.name, column)
                checked += 1
    for page in out.glob("*.html"):
        parser = _Tables()
        parser.feed(page.read_text(encoding="utf-8"))
        for table in parser.tables:
            head, *rows = table["rows"] or [[]]
            for j, column in enumerate(head):
                if column.strip().lower() in COUNT_COLUMNS:
                    cells = [r[j].replace(",", "") for r in rows if j < len(r)]
                    assert not any(c.isdigit() and 1 <= int(c) <= 7 for c in cells), (page.name, column)
    assert checked >= 4  # the service tables carry numerators and denominators


def test_planted_identifiers_leave_no_trace_in_anything_the_batch_writes(built):
    _, out, planted = built
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any(p.suffix == ".xlsx" for p in files)
    text = "\n".join(_text_of(p) for p in files)
    squashed = re.sub(r"[ -]", "", text)
    for number in planted["nhs"]:
        assert number not in squashed
    for name in NAMES:
        for part in [name, *name.split()]:
            assert part not in text, part
    for dob in planted["dob"] + planted["dob_iso"]:
        assert dob not in text
    for postcode in POSTCODES:
        assert postcode not in text and postcode.replace(" ", "") not in squashed
    bad_log = (out / "logs" / "planted_bad.log").read_text(encoding="utf-8")
    assert "row 11" in bad_log and "ethnic_category" in bad_log  # row numbers and messages are kept


def _tiny_template(folder: Path, body: str) -> Path:
    import nbformat

    from equitylab.reports.runner import load_template

    real = load_template()
    params = next(c for c in real.cells if "parameters" in (c.metadata.get("tags") or []))
    nb = nbformat.v4.new_notebook(metadata=real.metadata)
    nb.cells = [nbformat.v4.new_code_cell(params.source, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(body)]
    path = folder / "tiny.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_each_report_starts_with_an_empty_namespace(tmp_path):
    body = ("assert 'leftover' not in globals(), 'a variable survived from the last report'\n"
            "leftover = area_code\n"
            "from IPython.display import display\n"
            "display({'text/html': '<p>area ' + area_code + '</p>'}, raw=True)\n")
    template = _tiny_template(tmp_path, body)
    result = batch(["E09000012", "E08000003"], out=tmp_path / "out", jobs=1, progress=False, template=template)
    assert [r.status for r in result.reports] == ["ok", "ok"], [r.reason for r in result.reports]
    assert "<p>area E08000003</p>" in Path(result.reports[1].html).read_text(encoding="utf-8")


def test_single_run_keeps_the_notebook_only_when_asked(tmp_path):
    from equitylab.reports import run

    template = _tiny_template(tmp_path, "x = 1")
    kept = run("E09000012", out=tmp_path / "a", template=template, keep_notebook=True, name="kept")
    assert kept.ok and Path(kept.notebook).exists() and Path(kept.notebook).parent.name == "notebooks"
    plain = run("E09000012", out=tmp_path / "b", template=template)
    assert plain.ok and plain.notebook is None and not list((tmp_path / "b").rglob("*.ipynb"))


def test_a_single_report_is_the_same_page_as_the_batchs(built, tmp_path):
    from equitylab.reports import run

    _, out, _ = built
    single = run("E09000012", out=tmp_path, project_file=str(PROJECT), name="hackney")
    assert single.ok, single.reason

    def undated(path):
        return re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}|\d{4}-\d{2}-\d{2}", "DATE", Path(path).read_text(encoding="utf-8"))

    mine, theirs = undated(single.html), undated(out / "hackney.html")
    assert mine.count("data:image/svg+xml;base64,") >= 8  # area, access, experience, deprivation, SPC, gap
    first = next((i for i, (x, y) in enumerate(zip(mine, theirs)) if x != y), min(len(mine), len(theirs)))
    # compared as booleans: pytest's diff of two 1 MB pages would take minutes
    assert (mine == theirs) is True, f"reports differ from character {first}: {mine[first - 80:first + 80]!r}"


def test_an_unknown_area_is_refused_before_any_kernel_starts(monkeypatch, tmp_path):
    from equitylab.errors import DataError
    from equitylab.reports import run, runner

    started = []
    monkeypatch.setattr(runner.pm, "execute_notebook", lambda *a, **kw: started.append(a))
    with pytest.raises(DataError, match="E09999999"):
        run("E09999999", out=tmp_path)
    assert started == []
