"""Reading the official lists: a 10,000-row ESF Council list (CSV and XLSX) and Kohesio file.

    python bench/sources_lists.py                 # 10 000 rows (target: each read ≤ 5 s)
    python bench/sources_lists.py --rows 50000

The files are generated first (not timed) into a temporary folder, in the shapes of
docs/guide/sources.md with the messy cells of the real files (thousands spaces, `90%`, HTML
summaries, empty cells, day/month/year dates); then each is read with
`esfgraph.sources.lists.read_list_file` (table, header matching, every cell parsed, one Record a
row), best of three. `bench/sources.py` calls `bench_lists`. Figures only: nothing asserted.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path
from typing import Any

ESF_HEADER = [
    "Diarienummer / Operation ID", "Stödmottagare / Beneficiary",
    "Projektägare organisationsnummer / Beneficiary ID", "Projektägare ort / Beneficiary city",
    "Stödmottagarens land / Beneficiary country", "Namn på insatsen / Operation Name",
    "Programområde / Priority", "Specifikt mål / Specific objective concerned",
    "Interventionsområde / Intervention field", "Total projektbudget / Total budget SEK",
    "Unionens medfinansieringsgrad / Union co-financing rate",
    "EU-stöd i SEK / EU contribution SEK", "Sammanfattning / Summary",
    "Sammanfattning engelsk / Summary in english", "Startdatum / Start date",
    "Slutdatum / End date", "EU-fond / EU fund", "Program CCI / Program CCI"]
KOHESIO_HEADER = [
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Postal_Code", "Operation_Start_Date",
    "Operation_End_Date", "Cofinancing_Rate", "Total_Eligible_Expenditure_amount",
    "Total_Eligible_Expenditure_Currency", "Project_EU_Budget", "Beneficiary_Unique_Identifier",
    "Location_Indicator_latitude_longitude", "Category_Of_Intervention", "Category_Label",
    "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Fund_Code", "Fund_Name", "Programme_Code", "Programme_Name",
    "Region", "NUTS3_Code", "Programming_Period", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "Image_URL", "InfoRegio_ID",
    "InfoRegio_URL"]
_WORDS = ["arbete", "unga", "vuxna", "insatsen", "kompetens", "stöd", "samverkan", "kommun", "region", "utbildning", "integration", "jämställdhet", "metod", "utveckling"]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


#: Beneficiaries: a few thousand organisations, each with one organisation number (as in the
#: real lists: about 3 projects per beneficiary).
_ORGS = [(f"{kind} {i}", f"{prefix}{i:09d}"[-10:])
         for i in range(3000)
         for kind, prefix in ((("Föreningen Framtid", "8"), ("Kunskap AB", "5"),
                               ("Kommunalförbundet", "2"))[i % 3],)]


def _org(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_ORGS)


def _esf_rows(n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(n):
        budget = rng.randint(100_000, 40_000_000)
        rows.append([
            f"{23 + i // 90000:02d}-{(i // 90) % 1000:03d}-S{i % 90 + 1:02d}",
            *_org(rng), rng.choice(["UPPSALA", "LUND", ""]),
            "Sverige", _text(rng, 4), rng.choice("ABCDEF"), "A2A", "136",
            f"{budget:,}".replace(",", rng.choice([" ", "\u00a0"])), rng.choice(["90%", "40 %"]),
            rng.choice(["", f"{budget // 2:,}".replace(",", " ")]),
            f"<p>{_text(rng, 40)}</p><p>{_text(rng, 20)}</p>", f"<p>{_text(rng, 10)}</p>",
            f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "2025-08-31", "ESF+",
            "2021SE05SFPR"])
    return rows


def _kohesio_rows(n: int, rng: random.Random) -> list[list[Any]]:
    rows = []
    for i in range(n):
        rows.append([
            f"Q{7_000_000 + i}", f"2021SE05SFPR001_{23 + i // 90000:02d}-{(i // 90) % 1000:03d}-"
            f"S{i % 90 + 1:02d}", _text(rng, 4), _text(rng, 4), "Sweden", "75375",
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2023", "31/08/2025", "40.0",
            f"{rng.randint(10_000, 4_000_000)}.{rng.randint(0, 99)}", "EUR",
            f"{rng.randint(5_000, 2_000_000)}.5", f"Q{2_000_000 + i % 500}", "59.85,17.64",
            "117.0", "Measures", "", "", "PO4", "A more social Europe", "ESF+", "ESF+",
            "2021SE05SFPR001", "ESF+ Sverige", "Uppsala län", "SE121", "2021-2027",
            f"<p>{_text(rng, 30)}</p>", f"<p>{_text(rng, 30)}</p>", "Svenska ESF-rådet", "", "",
            ""])
    return rows


def generate(folder: Path, n_rows: int, seed: int = 1) -> dict[str, Path]:
    """Write the three files (ESF list CSV and XLSX, Kohesio CSV) into `folder`."""
    rng = random.Random(seed)
    esf = _esf_rows(n_rows, rng)
    out = {"esf_csv": folder / "lista.csv", "esf_xlsx": folder / "lista.xlsx",
           "kohesio_csv": folder / "kohesio_SE.csv"}
    with out["esf_csv"].open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(ESF_HEADER)
        w.writerows(esf)
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(ESF_HEADER)
    for row in esf:
        sheet.append(row)
    book.save(out["esf_xlsx"])
    with out["kohesio_csv"].open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(KOHESIO_HEADER)
        w.writerows(_kohesio_rows(n_rows, rng))
    return out


def bench_lists(n_rows: int = 10_000, repeat: int = 3) -> dict[str, Any]:
    """Seconds to read each generated list (best of `repeat`), rows read and rows per second."""
    from esfgraph.sources.lists import read_list_file

    result: dict[str, Any] = {"rows": n_rows, "target_s": 5.0}
    with tempfile.TemporaryDirectory(prefix="esfgraph-bench-lists-") as tmp:
        files = generate(Path(tmp), n_rows)
        for name, path in files.items():
            best = float("inf")
            records = 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                read = read_list_file(path)
                best = min(best, time.perf_counter() - t0)
                records = len(read.records)
            result[name] = {"seconds": round(best, 3), "records": records,
                            "rows_per_s": round(n_rows / best), "bytes": path.stat().st_size}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    got = bench_lists(args.rows)
    print(f"reading a {got['rows']:,}-row list (target ≤ {got['target_s']:.0f} s each)")
    for name in ("esf_csv", "esf_xlsx", "kohesio_csv"):
        r = got[name]
        print(f"  {name:<12} {r['seconds']:>7.2f} s  {r['rows_per_s']:>9,} rows/s  "
              f"{r['records']:>7,} records  {r['bytes'] / 1e6:>6.1f} MB")


if __name__ == "__main__":
    main()
