"""Property-based tests: generated pages in each layout parse back to exactly the generated values.

Pages vary field order, spacing (NBSP, narrow NBSP, thin space as thousands separators, extra
blanks and trailing spaces), chrome before the title, and which optional fields are present.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from esfgraph.parse import parse_text
from esfgraph.record import RECORD_KEYS

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["Arbete", "Framtid", "Unga", "Steget", "Nya", "Kompetens", "Lyft", "Bron", "Norr",
         "Vind", "Öppna", "Dörrar", "Väg", "Ljus", "Möjlighet", "Samverkan", "Älv", "Kust"]
LOWER = ["och", "för", "till", "med", "arbete", "unga", "vuxna", "stöd", "jobb", "lärande",
         "projektet", "målgruppen", "insatser", "kommunen", "vägar", "samverkan"]
TOWNS = ["Piteå", "Umeå", "Flen", "Ale", "Mjölby", "Lund", "Kalmar", "Gävle", "Borås", "Visby"]
UNITS = ["Arbetsmarknadsenheten", "Socialförvaltningen", "Vård och omsorg", "AU-Centrum"]
SEPARATORS = [" ", "\u00a0", "\u202f", "\u2009"]
CHROME = ["Logotyp på utskrifter", "Stäng", "In English", "Information med anledning av covid-19",
          "Uppdaterad information med anledning av covid-19\u00a0 \u00a0 ",
          "3 december - Webbinarium om fattigdom i dagens Sverige", "Mer information och anmälan.",
          "Vi använder kakor (cookies) för att webbplatsen ska fungera."]
REGIONS = {
    "Övre Norrland": "Övre Norrland", "Mellersta Norrland": "Mellersta Norrland",
    "Norra Mellansverige": "Norra Mellansverige", "Östra Mellansverige": "Östra Mellansverige",
    "Stockholm": "Stockholm", "Västsverige": "Västsverige",
    "Småland och Öarna": "Småland och öarna", "Småland & Öarna": "Småland och öarna",
    "Sydsverige": "Sydsverige", "Skåne-Blekinge": "Sydsverige", "Nationellt": "Nationellt",
    "ESF Nationellt": "Nationellt",
}

title_st = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)
person_st = st.tuples(st.sampled_from(["Anna", "Per", "Ylva", "Jerry", "Åsa", "Örjan"]),
                      st.sampled_from(["Berg", "Lindström", "Norén", "Brattåsen", "Ek"])
                      ).map(" ".join)
owner_st = st.tuples(st.sampled_from(TOWNS), st.sampled_from(UNITS)).map(
    lambda t: f"{t[0]}s kommun, {t[1]}")
sentence_st = st.lists(st.sampled_from(LOWER), min_size=3, max_size=12).map(
    lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]) + ".")
paragraph_st = st.lists(sentence_st, min_size=1, max_size=3).map(" ".join)
paragraphs_st = st.lists(paragraph_st, min_size=1, max_size=3)
space_st = st.sampled_from(["", " ", "  ", "\u00a0", "\t"])


@st.composite
def amount_st(draw: st.DrawFn, with_kr: bool | None = None) -> tuple[str, int]:
    value = draw(st.integers(min_value=0, max_value=2_000_000_000))
    sep = draw(st.sampled_from(SEPARATORS + [""]))
    digits = f"{value:,}".replace(",", sep)
    kr = draw(st.booleans()) if with_kr is None else with_kr
    return digits + (" kr" if kr else ""), value


@st.composite
def period_st(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    start = draw(st.dates(min_value=dt.date(2007, 1, 1), max_value=dt.date(2030, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(min_value=0, max_value=2500)))
    return start, end


@st.composite
def rate_st(draw: st.DrawFn) -> tuple[str, float]:
    whole = draw(st.integers(min_value=1, max_value=99))
    half = draw(st.booleans())
    space = draw(st.sampled_from(["", " ", "\u00a0"]))
    text = f"{whole},5{space}%" if half else f"{whole}{space}%"
    return text, (whole + (0.5 if half else 0)) / 100


def _pad(draw: st.DrawFn, line: str) -> str:
    """Random spaces around a line (the parser trims them)."""
    return draw(space_st) + line + draw(space_st)


def _check(result, expected: dict) -> None:
    assert result.record is not None, [str(i) for i in result.issues]
    wanted_warnings = expected.pop("_warnings", [])
    got = result.record.to_json()
    for key in RECORD_KEYS:
        if key == "source":
            continue
        want = expected.get(key, {} if key in ("sections", "extra", "provenance") else
                            [] if key in ("municipalities", "cofinanciers", "partners") else None)
        assert got[key] == want, (key, got[key], want)
    assert len(result.warnings) == len(wanted_warnings), [str(i) for i in result.issues]
    for fragment, issue in zip(wanted_warnings, result.warnings):
        assert fragment in issue.message


@st.composite
def old_page(draw: st.DrawFn) -> tuple[str, dict]:
    """A 2007–2013 page: glued labels, headed sections and bullet lists."""
    exp: dict = {"layout": "2007-2013"}
    lines: list[str] = []
    for chrome in draw(st.lists(st.sampled_from(CHROME), max_size=4)):
        lines += [chrome, ""]
    exp["title"] = draw(title_st)
    lines += [_pad(draw, exp["title"]), ""]
    fields: list[str] = []
    start, end = draw(period_st())
    exp["start_date"], exp["end_date"] = start.isoformat(), end.isoformat()
    fields.append(f"Projektperiod{start.isoformat()} till {end.isoformat()}")
    region = draw(st.sampled_from(sorted(REGIONS)))
    exp["region"] = REGIONS[region]
    fields.append("Region" + region)
    exp["owner"] = draw(owner_st)
    fields.append("Projektägare" + exp["owner"])
    if draw(st.booleans()):
        code = draw(st.integers(min_value=1, max_value=9))
        label = draw(title_st)
        exp["programme_area"], exp["programme_area_label"] = str(code), label
        fields.append(f"ProgramområdeProgramområde {code} {label}")
    if draw(st.booleans()):
        exp["phase"] = draw(st.sampled_from(["Genomförande", "Förprojektering", "Analys"]))
        fields.append("Projektfas" + exp["phase"])
    if draw(st.booleans()):
        exp["contact_name"] = draw(person_st)
        fields.append("Kontaktperson" + exp["contact_name"])
    if draw(st.booleans()):
        exp["contact_email"] = draw(st.sampled_from(["a.b@ale.se", "per.noren@flen.se"]))
        fields.append("E-post" + exp["contact_email"])
    if draw(st.booleans()):
        exp["contact_phone"] = draw(st.sampled_from(["0303 330 277", "0157-191 58", "08-123456"]))
        fields.append("Telefonnummer" + exp["contact_phone"])
    for label, key in (("Beviljat ESF-stöd", "esf_grant_sek"),
                       ("Total projektbudget", "total_budget_sek")):
        if draw(st.booleans()):
            text, value = draw(amount_st(with_kr=True))
            exp[key] = value
            fields.append(label + text)
    lines += [_pad(draw, f) for f in draw(st.permutations(fields))]
    lines += ["In English", ""]
    sections = {}
    for heading in draw(st.lists(st.sampled_from(
            ["Sammanfattning", "Bakgrund", "Syfte", "Målsättning", "Jämställdhetsintegrering",
             "Transnationellt samarbete", "Arbetsmetoder"]), unique=True, min_size=1, max_size=4)):
        paras = draw(paragraphs_st)
        sections[heading] = "\n\n".join(paras)
        lines += [heading, ""]
        for p in paras:
            lines += [p, ""] + [""] * draw(st.integers(min_value=0, max_value=1))
        lines += [""] * draw(st.integers(min_value=0, max_value=2))
    exp["sections"] = sections
    for heading, key in (("Medfinansiärer", "cofinanciers"), ("Samarbetspartners", "partners"),
                         ("Kommun", "municipalities")):
        if draw(st.booleans()):
            items = draw(st.lists(st.sampled_from(TOWNS + UNITS), min_size=1, max_size=4,
                                  unique=True))
            exp[key] = items
            lines += [heading, ""] + [f"  • {item}" for item in items] + [""]
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.rstrip("\n")
    return text, exp


@st.composite
def colon_page(draw: st.DrawFn, plus: bool) -> tuple[str, dict]:
    """A 2014–2020 or 2021–2027 page: `Label:` / value lines in any order, then free text."""
    exp: dict = {"layout": "2021-2027" if plus else "2014-2020"}
    lines: list[str] = []
    for chrome in draw(st.lists(st.sampled_from(CHROME), max_size=3)):
        lines += [chrome, ""]
    number = f"{draw(st.integers(2014, 2027))}/{draw(st.integers(1, 99999)):05d}"
    exp["title"] = draw(title_st)
    exp["project_number"] = number
    lines += [f"{number} - {exp['title']}", ""]
    pairs: list[tuple[str, str]] = []

    def add(label: str, value: str) -> None:
        pairs.append((label, value))

    exp["owner"] = draw(owner_st)
    add("Projektägare", exp["owner"] + (", " + exp["owner"] if draw(st.booleans()) else ""))
    region = draw(st.sampled_from(sorted(REGIONS)))
    exp["region"] = REGIONS[region]
    add("Region", region)
    start, end = draw(period_st())
    exp["start_date"], exp["end_date"] = start.isoformat(), end.isoformat()
    if plus:
        add("Startdatum", start.isoformat())
        add("Slutdatum", end.isoformat())
    else:
        add("Projektperiod", f"{start.isoformat()} - {end.isoformat()}")
    if draw(st.booleans()):
        add("Namn", exp["title"])
    if draw(st.booleans()):
        add("Projektnummer", number)
    if draw(st.booleans()):
        exp["case_number"] = f"{draw(st.integers(2014, 2027))}/{draw(st.integers(1, 9999)):05d}"
        add("Diarienummer", exp["case_number"])
    if draw(st.booleans()):
        text, value = draw(rate_st())
        exp["eu_cofinancing_rate"] = value
        add("Unionens medfinansieringsgrad", text)
    if draw(st.booleans()):
        exp["intervention_type"] = draw(title_st)
        add("Interventionstyp", exp["intervention_type"])
    if draw(st.booleans()):
        n = draw(st.integers(0, 99999))
        exp["planned_participants"] = n
        add("Antal deltagare" if plus else "Planerat antal deltagare",
            f"{n:,}".replace(",", draw(st.sampled_from(SEPARATORS))))
    if draw(st.booleans()):
        code = draw(st.integers(10000, 99999))
        exp["beneficiary_postcode"] = str(code)
        add("Stödmottagare postnr", f"{str(code)[:3]} {str(code)[3:]}")
    if plus:
        exp["programme_area"] = draw(st.sampled_from("ABCD"))
        add("Programområde", exp["programme_area"])
        if draw(st.booleans()):
            exp["specific_objective"] = draw(st.sampled_from(["A2A", "A1B", "B1H"]))
            add("Specifikt mål", exp["specific_objective"])
        for label, key in (("Sekundärtema - Motverka barnfattigdom", "child_poverty_theme"),
                           ("Insats av strategisk betydelse", "strategic_importance")):
            if draw(st.booleans()):
                flag = draw(st.booleans())
                exp[key] = flag
                add(label, draw(st.sampled_from(["Ja", "JA", "ja"] if flag else ["Nej", "NEJ"])))
        if draw(st.booleans()):
            exp["owner_org_number"] = f"{draw(st.integers(100000, 999999))}{draw(st.integers(1000, 9999))}"
            add("Projektägare organisationsnummer",
                exp["owner_org_number"][:6] + "-" + exp["owner_org_number"][6:])
        for label, key, value in (("Land som berörs", "country", "Sverige"),
                                  ("Berörd fond", "fund", "ESF+"),
                                  ("Program CCI", "programme_cci", "2021SE05SFPR001"),
                                  ("NUTS-2 kod", "nuts2", "SE33")):
            if draw(st.booleans()):
                exp[key] = value
                add(label, value)
        if draw(st.booleans()):
            exp["beneficiary_city"] = draw(st.sampled_from(TOWNS))
            add("Stödmottagare ort", exp["beneficiary_city"])
    else:
        if draw(st.booleans()):
            exp["programme_area"] = str(draw(st.integers(1, 3)))
            add("Programområde", exp["programme_area"])
        if draw(st.booleans()):
            exp["specific_objective"] = draw(st.sampled_from(["1.1", "2.1", "2.3"]))
            add("Specifikt mål", exp["specific_objective"])
        for label, key in (("Total projektbudget", "total_budget_sek"),
                           ("Beviljat ESF-stöd", "esf_grant_sek"),
                           ("Total Kostnader", "total_cost_sek")):
            if draw(st.booleans()):
                text, value = draw(amount_st())
                exp[key] = value
                add(label, text)
        if draw(st.booleans()):
            exp["contact_name"] = draw(person_st)
            add("Kontaktperson", exp["contact_name"])
        if draw(st.booleans()):
            exp["contact_email"] = "ylva.lindstrom@pitea.se"
            add("E-post", exp["contact_email"])
        if draw(st.booleans()):
            exp["beneficiary_address"] = f"Storgatan {draw(st.integers(1, 99))}"
            add("Stödmottagarens address", exp["beneficiary_address"])
        used = {label for label, _ in pairs}
        free = [lb for lb in ("Kontaktperson", "E-post", "Interventionstyp", "Diarienummer")
                if lb not in used]
        if free and draw(st.booleans()):  # a label printed with an empty value
            add(draw(st.sampled_from(free)), "")
    pairs = draw(st.permutations(pairs))
    for label, value in pairs:
        colon = draw(st.sampled_from([":", " :", ":  "]))
        lines.append(_pad(draw, label) + colon)
        if value:
            lines.append(_pad(draw, value))
    paras = draw(st.lists(paragraph_st, max_size=3))
    if paras:
        lines.append("")
        for p in paras:
            lines += [p, ""] + [""] * draw(st.integers(0, 1))
        exp["description"] = "\n\n".join(paras)
    elif not pairs[-1][1]:
        exp["_warnings"] = ["at the end of the file has no value"]
    return "\n".join(lines), exp


@SETTINGS
@given(old_page())
def test_generated_2007_2013_pages(page: tuple[str, dict]) -> None:
    text, expected = page
    _check(parse_text(text, "gen-old.txt"), expected)


@SETTINGS
@given(colon_page(plus=False))
def test_generated_2014_2020_pages(page: tuple[str, dict]) -> None:
    text, expected = page
    _check(parse_text(text, "gen-2014.txt"), expected)


@SETTINGS
@given(colon_page(plus=True))
def test_generated_2021_2027_pages(page: tuple[str, dict]) -> None:
    text, expected = page
    _check(parse_text(text, "gen-2021.txt"), expected)


@SETTINGS
@given(old_page(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
       st.sampled_from(["\n", "\r\n"]))
def test_generated_pages_survive_encodings(page: tuple[str, dict], encoding: str,
                                           newline: str) -> None:
    from esfgraph.parse.decode import decode_bytes
    text, expected = page
    try:
        data = text.replace("\n", newline).encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    decoded = decode_bytes(data)
    result = parse_text(decoded.text, "gen-enc.txt")
    _check(result, expected)


@SETTINGS
@given(amount_st())
def test_amount_round_trip(amount: tuple[str, int]) -> None:
    from esfgraph.parse.normalise import parse_amount
    text, value = amount
    assert parse_amount(text) == value


@SETTINGS
@given(st.text(max_size=400))
def test_any_text_gives_a_result_not_an_exception(text: str) -> None:
    result = parse_text(text, "fuzz.txt")
    assert result.ok or result.errors
    for issue in result.issues:
        assert issue.source == "fuzz.txt"


_SEED_LINES = [p.read_text(encoding="utf-8").split("\n")
               for p in sorted(__import__("pathlib").Path(__file__).resolve().parent.parent
                               .joinpath("seeds").glob("*.txt"))]


@SETTINGS
@given(st.sampled_from(range(len(_SEED_LINES))), st.data())
def test_mangled_seeds_never_raise(index: int, data: st.DataObject) -> None:
    """Seeds with lines dropped, duplicated, swapped or garbled still give a result."""
    lines = list(_SEED_LINES[index])
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(lines) - 1))
        op = data.draw(st.sampled_from(["drop", "dup", "swap", "garble", "cut"]))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = data.draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "garble":
            lines[i] = data.draw(st.text(max_size=40))
        elif op == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, max(0, len(lines[i]))))]
    result = parse_text("\n".join(lines), "mangled.txt")
    assert result.ok or result.errors
    if result.record is not None:
        rec = result.record
        assert rec.layout in ("2007-2013", "2014-2020", "2021-2027")
        for amount in (rec.esf_grant_sek, rec.total_budget_sek):
            assert amount is None or amount >= 0
