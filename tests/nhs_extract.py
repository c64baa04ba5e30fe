"""A realistic NHS mental-health-style extract with planted defects, for the loader's and the
commands' end-to-end tests (issue 15): the eleven headers a trust's system exports, and eight
bad rows each with a different problem."""
from __future__ import annotations

import pandas as pd


def _nhs_number(stem: int) -> str:
    """A valid NHS number: nine digits and the Modulus 11 check digit (NHS Data Dictionary,
    'NHS NUMBER'); stems whose check would be 10 are skipped by the caller."""
    digits = [int(d) for d in f"{stem:09d}"]
    check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
    return None if check == 10 else f"{stem:09d}{0 if check == 11 else check}"


HEADERS = ["Referral ID", "NHS Number", "Referral Date", "Ethnic Category Code", "Gender Code",
           "Age at Referral", "LSOA 2011", "Source of Referral", "First Contact Date",
           "Missed Appointments", "Discharge Reason"]
# (file row, column, problem) of each planted defect; every other row is clean
PLANTED = [
    (4, "Referral Date", "not a date"),                           # 31/02/2024
    (6, "Age at Referral", "negative"),                           # -7
    (8, "Ethnic Category Code", "not an NHS ethnic category code"),  # Q
    (10, "LSOA 2011", "not an LSOA code that exists (in neither the 2011 nor the 2021 list)"),
    (12, "First Contact Date", "before the referral date"),
    (14, "Missed Appointments", "not a finite number"),           # inf
    (16, "Gender Code", "not a sex or gender code"),              # 5
    (18, "Referral Date", "after 2100"),                          # 31/12/9999
]


def nhs_extract(tmp_path):
    """A mental-health-style extract as a trust's system exports it: dd/mm/yyyy dates, NHS
    ethnic category codes, gender codes 1/2/9/0, LSOA 2011 codes, with eight planted defects."""
    numbers = [n for n in map(_nhs_number, range(401023200, 401023300)) if n][:24]
    ethnic, gender = "ABCHJKNMRSZ", "1290"
    lsoas = ["E01001847", "E01001836", "E01000001", "E01001709"]
    rows = []
    for i in range(24):
        rows.append({
            "Referral ID": f"REF{1000 + i}", "NHS Number": numbers[i],
            "Referral Date": f"{1 + i % 28:02d}/03/2024", "Ethnic Category Code": ethnic[i % 11],
            "Gender Code": gender[i % 4], "Age at Referral": str(18 + 2 * i),
            "LSOA 2011": lsoas[i % 4], "Source of Referral": ["GP", "Self", "A&E"][i % 3],
            "First Contact Date": f"{1 + i % 28:02d}/04/2024" if i % 5 else "",
            "Missed Appointments": str(i % 3), "Discharge Reason": ["Completed", "DNA", ""][i % 3]})
    defects = {4: ("Referral Date", "31/02/2024"), 6: ("Age at Referral", "-7"),
               8: ("Ethnic Category Code", "Q"), 10: ("LSOA 2011", "E01999999"),
               12: ("First Contact Date", "01/01/2024"), 14: ("Missed Appointments", "inf"),
               16: ("Gender Code", "5"), 18: ("Referral Date", "31/12/9999")}
    for file_row, (column, value) in defects.items():
        rows[file_row - 2][column] = value
    p = tmp_path / "cmht_extract.csv"
    pd.DataFrame(rows, columns=HEADERS).to_csv(p, index=False)
    return p, numbers


OUTCOME_HEADERS = ["Referral ID", "NHS Number", "Referral Date", "Ethnic Category Code", "Gender Code",
                   "Age at Referral", "LSOA 2011", "Source of Referral", "First Contact Date",
                   "Missed Appointments", "FFT Response", "Discharge Date", "Discharge Reason",
                   "Back Within 90 Days"]
#: (file row, column, problem) of the defects planted in :func:`nhs_extract_with_outcomes`
PLANTED_WITH_OUTCOMES = [
    (5, "Referral Date", "not a date"),
    (9, "Age at Referral", "negative"),
    (20, "Ethnic Category Code", "not an NHS ethnic category code"),
    (33, "LSOA 2011", "not an LSOA code that exists (in neither the 2011 nor the 2021 list)"),
    (47, "Missed Appointments", "not a finite number"),
    (61, "Gender Code", "not a sex or gender code"),
]


def nhs_extract_with_outcomes(tmp_path, n: int = 400):
    """A larger extract of the same kind, with outcomes: the synthetic teaching service's
    referrals for Hackney (``equitylab.synthetic.service_data``, seed 11) written as a trust's
    system would (dd/mm/yyyy dates, NHS codes, an NHS number, 'Back Within 90 Days' needing a
    mapping), with six planted defects. Returns (path, mapping path, NHS numbers)."""
    from equitylab.synthetic import service_data

    ex = service_data(n=n, seed=11, as_extract=True)
    numbers = [x for x in map(_nhs_number, range(401100000, 401100000 + 2 * n)) if x][:n]

    def ddmmyyyy(col):
        d = pd.to_datetime(ex[col].replace("", None))
        return d.dt.strftime("%d/%m/%Y").fillna("")

    out = pd.DataFrame({
        "Referral ID": [f"R{700000 + i}" for i in range(n)], "NHS Number": numbers,
        "Referral Date": ddmmyyyy("referral_date"), "Ethnic Category Code": ex["ethnic_category"],
        "Gender Code": ex["sex"], "Age at Referral": ex["age"].astype(str),
        "LSOA 2011": ex["lsoa11_code"], "Source of Referral": ex["referral_source"],
        "First Contact Date": ddmmyyyy("first_appointment_date"),
        "Missed Appointments": ex["missed_appointments"].astype(str), "FFT Response": ex["fft_response"],
        "Discharge Date": ddmmyyyy("discharge_date"), "Discharge Reason": ex["discharge_outcome"],
        "Back Within 90 Days": ex["readmitted_90d"]}, columns=OUTCOME_HEADERS)
    values = {"Referral Date": "30/02/2024", "Age at Referral": "-4", "Ethnic Category Code": "Q",
              "LSOA 2011": "E01999999", "Missed Appointments": "inf", "Gender Code": "7"}
    for row, column, _ in PLANTED_WITH_OUTCOMES:
        out.loc[row - 2, column] = values[column]
    path = tmp_path / "cmht_outcomes_extract.csv"
    out.to_csv(path, index=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Back Within 90 Days: readmitted_90d\n", encoding="utf-8")
    return path, mapping, numbers
