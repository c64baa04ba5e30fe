"""Write the hostile extracts of issue 15 (item 6 and the fuzz run) into tests/malformed/.

Each file is one way a real export goes wrong; ``tests/malformed/expected.yaml`` says what
``read_service_data`` must do with it. The files are committed; this script shows how the
binary ones were made and remakes them:

    python scripts/make_hostile_extracts.py
"""
from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "tests" / "malformed"
HEADER = "referral date,ethnicity,age\n"


def text(name: str, body: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(body.encode(encoding))


def raw(name: str, body: bytes) -> None:
    (OUT / name).write_bytes(body)


def book(name: str, sheets: list[tuple[str, list[list], str]]) -> None:
    """An .xlsx with (title, rows, state) sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
        ws.sheet_state = state
    wb.save(OUT / name)


def patch_sheet(name: str, edit) -> None:
    """Rewrite the first sheet's XML of an .xlsx with ``edit(xml) -> xml``."""
    path = OUT / name
    parts = {}
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            parts[info.filename] = z.read(info.filename)
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for part, data in parts.items():
            z.writestr(part, data)


def claim_size(name: str, part: str, size: int) -> None:
    """Make the zip directory claim that ``part`` unpacks to ``size`` bytes (a zip bomb's
    signature) without making the file any bigger."""
    path = OUT / name
    data = bytearray(path.read_bytes())
    encoded = part.encode()
    for sig, size_at, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            if data[i + name_at:i + name_at + len(encoded)] == encoded:
                data[i + size_at:i + size_at + 4] = struct.pack("<I", size)
            start = i + 4
    path.write_bytes(bytes(data))


def main() -> None:
    # ---- Excel: which sheet, formulas, used range, unpacked size --------------------------
    good = [["referral date", "ethnicity", "age"], ["2024-01-02", "A", 30], ["2024-01-03", "N", 40]]
    book("hidden_first_sheet.xlsx", [("Old", [good[0], ["2023-01-02", "Z", 99]] * 1 + [good[1]] * 3,
                                      "hidden"), ("Extract", good, "visible")])
    book("only_hidden_sheet.xlsx", [("Notes", [["Exported by the PAS"]], "visible"),
                                    ("Data", good, "hidden")])
    book("sheet_by_name.xlsx", [("Summary", [["team", "referrals"], ["North", 12]], "visible"),
                                ("Extract", good, "visible")])
    book("formula_no_value.xlsx", [("Extract", [good[0], ["2024-01-02", "A", "=20+10"],
                                                ["2024-01-03", "N", 40], ["2024-01-04", "B", "=A1"]],
                                    "visible")])
    book("formula_with_value.xlsx", [("Extract", [good[0], ["2024-01-02", "A", "=20+10"],
                                                  ["2024-01-03", "N", 40]], "visible")])
    patch_sheet("formula_with_value.xlsx",  # as Excel saves it: the formula and its value
                lambda xml: xml.replace("<f>20+10</f><v />", "<f>20+10</f><v>30</v>"))
    stray = ('<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
             "</sheetData>")
    for name, dimension in (("cell_at_xfd1048576.xlsx", "A1:XFD1048576"),
                            ("stray_cell_not_declared.xlsx", "A1:C3")):
        book(name, [("Extract", good, "visible")])
        patch_sheet(name, lambda xml, d=dimension: xml.replace("</sheetData>", stray)
                    .replace('<dimension ref="A1:C3" />', f'<dimension ref="{d}" />'))
    book("unpacks_to_8gb.xlsx", [("Extract", good, "visible")])
    claim_size("unpacks_to_8gb.xlsx", "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    book("split_header.xlsx", [("Extract", [["referral", None, "ethnic"],
                                            ["date", "age", "category"],
                                            ["2024-01-02", 30, "A"]], "visible")])
    book("title_rows.xlsx", [("Extract", [["CMHT referrals"], ["Run on 3 May 2024"], [],
                                          *good], "visible")])
    book("error_cells.xlsx", [("Extract", [good[0], ["2024-01-02", "A", "#DIV/0!"], good[2]],
                               "visible")])
    full = OUT / "formula_no_value.xlsx"
    raw("truncated.xlsx", full.read_bytes()[: len(full.read_bytes()) // 2])
    raw("csv_named_xlsx.xlsx", (HEADER + "2024-01-02,A,30\n").encode())

    # ---- CSV: shape ------------------------------------------------------------------------
    text("split_header.csv", "Referral,Ethnic,Age\nDate,Category,in years\n01/02/2024,A,34\n")
    text("repeated_header.csv", HEADER + "2024-01-02,A,30\n" + HEADER + "2024-01-03,N,40\n")
    text("repeated_header_exclude.csv", HEADER + "2024-01-02,A,30\n" + HEADER + "2024-01-03,N,40\n")
    text("later_row_names_more_columns.csv", "Ethnic Group,Years,Team\nA,30,North\n"
                                             "ethnicity,age,team\nN,40,South\n")
    text("title_lines_above_header.csv", "CMHT referrals,,\nRun on 03/05/2024,,\n" + HEADER
         + "2024-01-02,A,30\n")
    text("duplicate_rows.csv", HEADER + "2024-01-02,A,30\n2024-01-02,A,30\n2024-01-03,N,40\n"
         "2024-01-02,A,30\n")
    text("blank_lines.csv", HEADER + "\n2024-01-02,A,30\n\n\n2024-01-03,N,40\n\n")
    text("crlf_line_endings.csv", HEADER.replace("\n", "\r\n") + "2024-01-02,A,30\r\n")
    text("utf8_bom.csv", "\ufeff" + HEADER + "2024-01-02,A,30\n")
    text("quoted_line_break.csv", "referral date,ethnicity,team\n2024-01-02,A,\"North\nEast\"\n"
                                  "2024-01-03,N,South\n")
    text("tab_separated.csv", HEADER.replace(",", "\t") + "2024-01-02\tA\t30\n")
    text("bar_separated.csv", HEADER.replace(",", "|") + "2024-01-02|A|30\n")
    text("header_and_blank_lines.csv", HEADER + "\n\n\n")
    text("html_page.csv", "<html><body><p>Session expired</p></body></html>\n")
    text("json_array.csv", '[{"ethnicity": "A", "age": 30}, {"ethnicity": "N", "age": 40}]\n')
    raw("nul_bytes.csv", HEADER.encode() + b"2024-01-02,A,3\x000\n")
    rng = random.Random(15)
    raw("random_bytes.csv", bytes(rng.randrange(256) for _ in range(4096)))
    text("long_text_in_ethnicity.csv", HEADER + "2024-01-02," + "x" * 200_000 + ",30\n")

    # ---- CSV: encodings --------------------------------------------------------------------
    body = "referral date,team,ethnicity\n"
    raw("mixed_encodings.csv", body.encode() + "2024-01-02,Café North,A\n".encode()
        + "2024-01-03,Café South,N\n".encode("cp1252") + "2024-01-04,Ward £,B\n".encode()
        + "2024-01-05,Ward £,C\n".encode("cp1252"))
    raw("mixed_encodings_exclude.csv", (OUT / "mixed_encodings.csv").read_bytes())
    raw("windows_1252_only.csv", (body + "2024-01-02,Café North,A\n2024-01-03,Ward £,N\n")
        .encode("cp1252"))

    # ---- values ----------------------------------------------------------------------------
    text("excel_serial_dates.csv", HEADER + "45293,A,30\n45294,N,40\n")
    text("feb_29_not_leap_year.csv", HEADER + "2024-02-29,A,30\n29/02/2023,N,40\n")
    text("two_digit_years.csv", HEADER + "02/01/24,A,30\n03/01/24,N,40\n")
    text("dates_with_times.csv", HEADER + "2024-01-02 10:30:00,A,30\n02/01/2024 09:15,N,40\n")
    text("count_scientific.csv", "ethnicity,count\nA,1e3\nN,2.0E2\n")
    text("count_spaces_as_thousands.csv", "ethnicity,count\nA,1 000\nN,250\n")
    text("null_words.csv", HEADER + "2024-01-02,NULL,30\nN/A,N,#N/A\n2024-01-03,A,NA\n")
    text("ethnicity_descriptions.csv", HEADER + "2024-01-02,White - British,30\n"
                                                "2024-01-03,Black or Black British - African,40\n")
    text("imd_decile_0.csv", "ethnicity,imd decile\nA,0\nN,3\n")
    text("waiting_days_fraction.csv", "ethnicity,waiting days\nA,3.5\nN,3\n")
    text("age_nan_and_inf.csv", HEADER + "2024-01-02,A,nan\n2024-01-03,N,-inf\n")
    text("lsoa_lower_case.csv", "ethnicity,lsoa\nA,e01001709\nN,E01001709\n")

    # ---- Parquet ---------------------------------------------------------------------------
    buf = io.BytesIO()
    pd.DataFrame({"ethnicity": ["A", "N"], "age": [30, 40]}).to_parquet(buf)
    raw("truncated.parquet", buf.getvalue()[: len(buf.getvalue()) // 2])
    pd.DataFrame({"ethnicity": ["A", "N"], "age": [[30], [40]]}).to_parquet(OUT / "list_column.parquet")
    pd.DataFrame({"ethnicity": ["A", "N", "A"], "age": [30, 40, 30]}).to_parquet(
        OUT / "duplicate_rows.parquet")


if __name__ == "__main__":
    main()
