"""Realistic synthetic Projektbanken pages in all three layouts, deterministic from a seed.

Benchmarks and tests need many pages that look exactly like the real ones as a parser sees
them (site chrome, glued labels, `Label:` lines in varying order, long Swedish text, shared
partners, real municipalities) together with the values a correct parser must return.

    python bench/generate.py --count 10000 --seed 1 --out /tmp/pages
    python bench/generate.py --count 500 --seed 7 --out /tmp/p --bad-rate 0 --layouts 2021-2027

Library use::

    from bench.generate import generate_pages
    for name, text, truth in generate_pages(1000, seed=1):
        ...   # truth has the `esfgraph parse` JSON keys plus "bad" (None or the kind of damage)

Determinism: only `random.Random(seed)` is used and no set or hash order is ever iterated, so
the same seed, count and options give byte-identical files; page i does not depend on the
count (a run of 10 pages is a prefix of a run of 100). The municipality table is read from
`esfgraph/data/municipalities.csv` when it exists, else a small embedded list is used, so the
output also depends on which of the two is present.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from esfgraph.record import LAYOUTS, RECORD_KEYS

#: Share of good pages saved in Unicode NFD form (the truth stays NFC, as the parser returns it).
NFD_RATE = 0.02
BAD_KINDS = ("empty", "truncated", "impossible-date", "end-before-start", "binary")

# --------------------------------------------------------------------------------------------
# Reference data (real names only; identifiers such as SCB codes come from the CSV when present)
# --------------------------------------------------------------------------------------------

#: County code → (county name as in "Länsstyrelsen i …", regional authority name, ESF region).
COUNTIES: dict[str, tuple[str, str, str]] = {
    "01": ("Stockholms län", "Region Stockholm", "Stockholm"),
    "03": ("Uppsala län", "Region Uppsala", "Östra Mellansverige"),
    "04": ("Södermanlands län", "Region Sörmland", "Östra Mellansverige"),
    "05": ("Östergötlands län", "Region Östergötland", "Östra Mellansverige"),
    "06": ("Jönköpings län", "Region Jönköpings län", "Småland och öarna"),
    "07": ("Kronobergs län", "Region Kronoberg", "Småland och öarna"),
    "08": ("Kalmar län", "Region Kalmar län", "Småland och öarna"),
    "09": ("Gotlands län", "Region Gotland", "Småland och öarna"),
    "10": ("Blekinge län", "Region Blekinge", "Sydsverige"),
    "12": ("Skåne län", "Region Skåne", "Sydsverige"),
    "13": ("Hallands län", "Region Halland", "Västsverige"),
    "14": ("Västra Götalands län", "Västra Götalandsregionen", "Västsverige"),
    "17": ("Värmlands län", "Region Värmland", "Norra Mellansverige"),
    "18": ("Örebro län", "Region Örebro län", "Östra Mellansverige"),
    "19": ("Västmanlands län", "Region Västmanland", "Östra Mellansverige"),
    "20": ("Dalarnas län", "Region Dalarna", "Norra Mellansverige"),
    "21": ("Gävleborgs län", "Region Gävleborg", "Norra Mellansverige"),
    "22": ("Västernorrlands län", "Region Västernorrland", "Mellersta Norrland"),
    "23": ("Jämtlands län", "Region Jämtland Härjedalen", "Mellersta Norrland"),
    "24": ("Västerbottens län", "Region Västerbotten", "Övre Norrland"),
    "25": ("Norrbottens län", "Region Norrbotten", "Övre Norrland"),
}

#: ESF region → NUTS-2 code (Nationellt has none).
REGION_NUTS2 = {
    "Stockholm": "SE11",
    "Östra Mellansverige": "SE12",
    "Småland och öarna": "SE21",
    "Sydsverige": "SE22",
    "Västsverige": "SE23",
    "Norra Mellansverige": "SE31",
    "Mellersta Norrland": "SE32",
    "Övre Norrland": "SE33",
}

#: Other spellings seen on pages for a canonical region (the parser must map them back).
REGION_VARIANTS = {
    "Småland och öarna": ("Småland och Öarna", "Småland & Öarna"),
    "Nationellt": ("ESF Nationellt",),
    "Sydsverige": ("Skåne-Blekinge",),
}

#: County code → first two postcode digits typical of the county (approximate, for realism).
POSTCODE_PREFIX = {
    "01": (11, 19), "03": (74, 75), "04": (61, 64), "05": (58, 60), "06": (55, 57),
    "07": (34, 36), "08": (38, 39), "09": (62, 62), "10": (37, 37), "12": (21, 29),
    "13": (30, 31), "14": (41, 54), "17": (65, 68), "18": (69, 71), "19": (72, 73),
    "20": (77, 79), "21": (80, 82), "22": (85, 89), "23": (83, 84), "24": (90, 93),
    "25": (94, 98),
}

#: Fallback until esfgraph/data/municipalities.csv exists: (SCB code, name) of real municipalities.
_EMBEDDED_MUNICIPALITIES = (
    ("0114", "Upplands Väsby"), ("0180", "Stockholm"), ("0181", "Södertälje"), ("0182", "Nacka"),
    ("0380", "Uppsala"), ("0381", "Enköping"), ("0480", "Nyköping"), ("0482", "Flen"),
    ("0484", "Eskilstuna"), ("0509", "Ödeshög"), ("0560", "Boxholm"), ("0580", "Linköping"),
    ("0581", "Norrköping"), ("0586", "Mjölby"), ("0680", "Jönköping"), ("0780", "Växjö"),
    ("0880", "Kalmar"), ("0980", "Gotland"), ("1080", "Karlskrona"), ("1280", "Malmö"),
    ("1281", "Lund"), ("1283", "Helsingborg"), ("1380", "Halmstad"), ("1440", "Ale"),
    ("1480", "Göteborg"), ("1488", "Trollhättan"), ("1490", "Borås"), ("1491", "Ulricehamn"),
    ("1780", "Karlstad"), ("1880", "Örebro"), ("1980", "Västerås"), ("2080", "Falun"),
    ("2180", "Gävle"), ("2281", "Sundsvall"), ("2380", "Östersund"), ("2480", "Umeå"),
    ("2482", "Skellefteå"), ("2580", "Luleå"), ("2581", "Piteå"), ("2584", "Kiruna"),
)
_SPECIAL_ORG_NAMES = {
    "Stockholm": "Stockholms stad", "Göteborg": "Göteborgs Stad", "Malmö": "Malmö stad",
    "Gotland": "Region Gotland",
}


def _org_name(name: str) -> str:
    """Swedish genitive 'X kommun' form used when the table has no org name."""
    if name in _SPECIAL_ORG_NAMES:
        return _SPECIAL_ORG_NAMES[name]
    if name[-1] in "sxzaeiouyåäö":
        return f"{name} kommun"
    return f"{name}s kommun"


#: Other names of a municipal body ("Stockholms stad"), filled from the table's aliases column.
ALIASES: dict[str, tuple[str, ...]] = {}


def load_municipalities() -> list[tuple[str, str, str, str]]:
    """(code, name, org_name, county_code) of every municipality: the real table, else the fallback."""
    try:
        from esfgraph.resources import data_path

        path = data_path("municipalities.csv")
    except Exception:  # pragma: no cover - package layout changed
        path = None
    rows: list[tuple[str, str, str, str]] = []
    if path is not None and path.is_file():
        with path.open(encoding="utf-8", newline="") as fh:
            lines = (line for line in fh if not line.startswith("#"))
            for row in csv.DictReader(lines):
                code = (row.get("code") or "").strip()
                name = (row.get("name") or "").strip()
                county = (row.get("county_code") or code[:2]).strip().zfill(2)
                if not code or not name or county not in COUNTIES:
                    continue
                org = (row.get("org_name") or "").strip() or _org_name(name)
                rows.append((code, name, org, county))
                aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
                if aliases:
                    ALIASES[org] = tuple(aliases)
    if len(rows) < 20:
        rows = [(c, n, _org_name(n), c[:2]) for c, n in _EMBEDDED_MUNICIPALITIES]
    rows.sort()
    return rows


# --------------------------------------------------------------------------------------------
# Vocabulary (Swedish, from the seeds' domain)
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Kerstin", "Emma", "Ulrika", "Johanna",
    "Ylva", "Malin", "Sofia", "Helena", "Lars", "Anders", "Johan", "Per", "Erik", "Karl",
    "Peter", "Mikael", "Jerry", "Fredrik", "Magnus", "Jonas", "Ahmed", "Fatima", "Mehmet",
    "Leila", "Björn", "Åsa", "Örjan", "Göran", "Jörgen", "Tove", "Linnéa", "André",
)
LAST_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Lindström", "Lindqvist", "Berg",
    "Forsell", "Brattåsen", "Norén", "Geeraedts", "Ekström", "Sjöberg", "Wallin", "Holm",
    "Nyström", "Åberg", "Hedlund", "Lundgren", "Bergström", "Öberg", "Hassan", "Yilmaz",
)
MUNICIPAL_UNITS = (
    "Arbetsmarknadsenheten", "Socialförvaltningen", "Vård- och omsorgsförvaltningen",
    "Utbildningsförvaltningen", "Arbetsmarknads- och vuxenutbildningsförvaltningen",
    "Individ- och familjeomsorgen", "AU-Centrum", "Samhällsbyggnad Kompetensförsörjning",
    "Barn- och utbildningsförvaltningen", "Kultur- och fritidsförvaltningen",
    "Arbetsmarknadsavdelningen", "Arbete och välfärd", "Vuxenutbildningen",
)
BARE_UNITS = (
    "Arbetsmarknadsenheten (AME)", "Omsorgs- och socialförvaltningen",
    "Individ och Familjeomsorg", "Kultur och Fritidsförvaltning", "Arbetsmarknadsenheten",
    "Socialtjänsten", "Vuxenutbildningen", "Kompetenscentrum",
)
AGENCIES = (
    "Arbetsförmedlingen", "Försäkringskassan", "Kriminalvården", "Migrationsverket",
    "Skatteverket", "Myndigheten för ungdoms- och civilsamhällesfrågor",
)
COMPANY_WORDS = (
    "Nordisk", "Kompetens", "Jobbpartner", "Framtid", "Lärande", "Utveckling", "Bygg",
    "Vård", "Omsorg", "Konsult", "Tillväxt", "Resurs", "Nova", "Norr", "Syd", "Väst", "Öst",
)
GROUPS = (
    "ungdomar", "unga vuxna", "långtidsarbetslösa", "nyanlända", "personer med funktionsnedsättning",
    "unga i åldern 16-29 år", "kvinnor som står långt från arbetsmarknaden", "äldre arbetslösa",
    "personer med försörjningsstöd", "sjukskrivna", "utrikes födda kvinnor", "anställda i vården",
    "personer som varken arbetar eller studerar", "deltagarna", "målgruppen",
)
ACTORS = (
    "Arbetsförmedlingen", "Försäkringskassan", "kommunen", "socialtjänsten", "näringslivet",
    "föreningslivet", "regionen", "samordningsförbundet", "vuxenutbildningen", "skolan",
    "arbetsmarknadsenheten", "landstinget", "civilsamhället", "arbetsgivarna",
)
METHODS = (
    "individuella handlingsplaner", "coachning", "arbetsträning", "praktik", "validering",
    "studie- och yrkesvägledning", "mentorskap", "språkstöd", "motiverande samtal",
    "kartläggning", "kompetensutveckling", "handledning", "samverkansmodeller", "utbildning",
)
GOALS = (
    "arbete eller studier", "egen försörjning", "arbetsmarknaden", "en meningsfull sysselsättning",
    "ökad anställningsbarhet", "varaktiga förändringar", "en stärkt självkänsla",
)
FOREIGN_PLACES = (
    "Bryssel", "Skottland", "Tyskland", "Finland", "Antwerpen", "Gent", "East Lothian",
    "Danmark", "Norge", "Nederländerna", "Spanien", "Italien", "Polen", "Estland", "Irland",
    "Berlin", "Hamburg", "Helsingfors", "Köpenhamn", "Barcelona", "Glasgow", "Tallinn",
)

# Sentence templates; {g} group, {a}/{b} actors, {m}/{n} methods, {o} goal, {t} a count,
# {p} a percentage.
# {K} is left in the pooled sentence and replaced by the page's municipality name.
_SENTENCES = (
    "Projektet vänder sig till {g} och syftar till att öka deras möjligheter att nå {o}.",
    "Förutsättningarna för {g} förändras i allt snabbare takt.",
    "{K} har en tradition av samverkan mellan {a} och {b}.",
    "Samarbetet mellan {a} och {b} har under många år varit problematiskt, inte minst beroende av bemanningen.",
    "Genom {m} och {n} får {g} stöd att ta nästa steg mot {o}.",
    "Det finns ett stort behov av att ta fram gemensamma synsätt och rutiner för att snabba på processen.",
    "En stor del av projektet kommer att handla om metodutveckling.",
    "I projektet samverkar {a}, {b} och {K}.",
    "Under en längre tid har antalet {g} som hamnat i utanförskap ökat i {K}.",
    "Vi vill stärka de strukturer vi arbetat med och utveckla {m} tillsammans med {a}.",
    "Tidshorisonten är på 3 – 5 års sikt, då vi letar efter positiva systemeffekter.",
    "Ungefär {t} personer ur målgruppen beräknas delta under projekttiden.",
    "Arbetet med att förankra projektet har redan börjat i och med att denna ansökan skrivs.",
    "Resultaten ska spridas internt och externt så att kunskapen förankras i ordinarie verksamhet.",
    "Det är fler män än kvinnor som har ansökt om att få ta del av insatserna.",
    "Projektet kommer att inledas med att styrgrupp och referensgrupp sammankallas.",
    "Lokalerna är anpassade till personer med olika funktionshinder.",
    "Genom {m} ska {g} få en tryggare väg till arbetslivet.",
    "Fokus kommer att se olika ut i de medverkande kommunerna beroende på olika problembilder.",
    "Denna utveckling är särskilt tydlig i {K} där {a} har svårt att nå {g}.",
    "Med den demografiska utvecklingen är det extra viktigt att alla som kan också får möjlighet att arbeta.",
    "Målet är att minst {p} procent av deltagarna ska gå vidare till {o}.",
    "Det handlar om att tydliggöra processen internt, förbättra rutiner och klargöra överlämningar.",
    "Flera framtidsprognoser visar på att arbetsbrist kommer att uppstå inom den offentliga sektorn.",
    "Vi tror att {m} i kombination med {n} ger de bästa förutsättningarna.",
    "I förstudien avses att göra en ny kartläggning för att studera var bristerna finns.",
    "Vikten av att tänka i nya banor och att pröva nya angreppssätt blir avgörande för resultatet.",
    "Deltagarna träffas tre förmiddagar i veckan och får mycket individuell ledning och stöd.",
    "Samverkan med {a} ska fördjupas så att ingen hamnar mellan stolarna.",
    "Personalen kommer att utbildas i {m} för att bättre kunna möta {g}.",
    "Idag är det en stor personalomsättning, vilket påverkar struktur och metoder.",
    "En samverkanspart i arbetet med målgruppen är {a}.",
    "Projektet ska ge svar på hur en förbättrad samverkan kan öka möjligheterna för {g}.",
    "Erfarenheterna från tidigare projekt i {K} visar att metoden fungerar mycket väl.",
)
_OPENERS = {
    "Sammanfattning": (
        "Projektet vänder sig till {g} i {K}.",
        "Förprojekteringens uppgift är att identifiera {g} som befinner sig i ett utanförskap.",
        "Projektet avser att utveckla {m} för {g}.",
    ),
    "Bakgrund": (
        "{K} är en kommun som består av mindre orter med stor geografisk spridning.",
        "Under flera år har {a} och {b} arbetat med {g} med varierande resultat.",
        "Ungas etablering på arbetsmarknaden har under många år engagerat många.",
    ),
    "Syfte": (
        "Syftet med projektet är att {g} ska närma sig {o}.",
        "Syftet är att genom {m} minska antalet {g} i utanförskap.",
    ),
    "Målsättning": (
        "Målet med projektet är att stärka {g} så att de vågar ta steget till {o}.",
        "När projektet är avslutat förväntar vi oss att tydligt ha definierat vilka samverkansområden som ger effekt.",
    ),
    "Tillgänglighet för personer med funktionsnedsättning": (
        "Projektet beaktar både informativ, kommunikativ och fysisk tillgänglighet.",
        "För personer som har särskilda svårigheter kommer projektet att erbjuda individuella lösningar.",
    ),
    "Jämställdhetsintegrering": (
        "Vi utgår från den jämställdhetspolicy som kommunen har antagit.",
        "Projektet arbetar med både en kvantitativ och kvalitativ jämställdhetsintegrering.",
    ),
}
_TRANSNATIONAL = (
    "Förprojekteringen ska undersöka möjligheterna till erfarenhetsutbyte med liknande projekt i {F}.",
    "I {F} har man genomfört ett liknande projekt som vänder sig till {g}.",
    "Vi planerar studiebesök i {F} och {F2} för att ta del av deras arbete med {m}.",
    "Projektet har under hösten varit på studieresa till {F}.",
)
SECTIONS_2007 = (
    "Sammanfattning", "Bakgrund", "Syfte", "Målsättning",
    "Tillgänglighet för personer med funktionsnedsättning", "Jämställdhetsintegrering",
    "Transnationellt samarbete",
)
TITLE_NOUNS = (
    "Nystart", "Jobbspår", "Vägen", "Steget", "Bron", "Lyftet", "Språngbrädan", "Navet",
    "Kompassen", "Framtid", "Möjligheter", "Kraftsamling", "Nya vägar", "Visioncenter",
    "Kompetenslyft", "Jobbcenter", "Ungdomslyftet", "Startpunkt", "Resursen", "Växthuset",
)
TITLE_ADJ = ("Ung", "Aktiv", "Trygg", "Delaktig", "Stark", "Modig", "Fri", "Redo", "Nyfiken")
TITLE_VERBS = ("Våga", "Välja", "Motivera", "Aktivera", "Lära", "Växa", "Starta", "Bygga", "Leda")
TITLE_GOALS = ("arbete", "egen försörjning", "studier", "framtiden", "jobb", "nya möjligheter")
EVENTS = ("Webbinarium", "Konferens", "Seminarium", "Frukostmöte")
EVENT_TOPICS = (
    "fattigdom i dagens Sverige", "ungas etablering på arbetsmarknaden", "social innovation",
    "jämställdhetsintegrering", "kompetensförsörjning i välfärden", "det nya programmet",
)
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december")
STREETS = ("Storgatan", "Kyrkogatan", "Drottninggatan", "Stationsgatan", "Skolgatan",
           "Järnvägsgatan", "Torget", "Rådhusgatan", "Nygatan", "Köpmangatan")
PHASES = ("Genomförande", "Förprojektering")
PROGRAMME_AREAS_2007 = (("1", "Kompetensförsörjning"), ("2", "Ökat arbetskraftsutbud"))
SPECIFIC_OBJECTIVES_2014 = {"1": ("1.1", "1.2"), "2": ("2.1", "2.2", "2.3"), "3": ("3.1",)}
INTERVENTION_TYPES = ("Förstudie", "Genomförande", "Kompetensutveckling", "Arbetsmarknadsinsats")
SEPARATORS = (" ", "\u00a0", "\u202f")

_COVID_1 = "Information med anledning av covid-19"
_COVID_2 = "Uppdaterad information med anledning av covid-19\u00a0\u00a0 "


def _luhn_complete(digits9: str) -> str:
    """Append the Luhn check digit that Swedish organisation numbers carry."""
    total = 0
    for i, ch in enumerate(digits9):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits9 + str((10 - total % 10) % 10)


def _dedupe(items: list[str]) -> list[str]:
    """Drop exact repeats, keeping the first occurrence (order matters for determinism)."""
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _capital(sentence: str) -> str:
    """Capitalise a sentence that starts with a lower-case placeholder value."""
    return sentence[:1].upper() + sentence[1:]


def _slugish(text: str) -> str:
    """Lower-case ASCII form used for e-mail addresses and domains."""
    table = str.maketrans("åäöéüÅÄÖÉÜ", "aaoeuAAOEU")
    return "".join(ch for ch in text.translate(table).lower() if ch.isalnum() or ch in ".-")


# --------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------


class PageGenerator:
    """Holds the shared pools (organisations, sentences) and renders page after page."""

    def __init__(self, seed: int, *, bad_rate: float = 0.01,
                 layouts: Sequence[str] = LAYOUTS) -> None:
        unknown = [lay for lay in layouts if lay not in LAYOUTS]
        if unknown or not layouts:
            raise ValueError(f"unknown layout(s) {unknown}; choose from {', '.join(LAYOUTS)}")
        if not 0.0 <= bad_rate <= 1.0:
            raise ValueError(f"bad_rate must be between 0 and 1, got {bad_rate}")
        self.rng = random.Random(seed)
        self.bad_rate = bad_rate
        self.layouts = tuple(layouts)
        self.municipalities = load_municipalities()
        self.by_county: dict[str, list[tuple[str, str, str, str]]] = {}
        for m in self.municipalities:
            self.by_county.setdefault(m[3], []).append(m)
        self.org_numbers: dict[str, str] = {}
        self.used_2007_keys: dict[tuple[str, str, str], None] = {}
        self.number_counters: dict[tuple[str, int], int] = {}
        self._build_sentence_pools()
        self._build_org_pool()

    # ---- pools -------------------------------------------------------------------------------

    def _fill(self, template: str) -> str:
        rng = self.rng
        a, b = rng.sample(ACTORS, 2)
        m, n = rng.sample(METHODS, 2)
        return template.format(g=rng.choice(GROUPS), a=a, b=b, m=m, n=n, o=rng.choice(GOALS),
                               t=rng.randint(5, 150), p=rng.randint(20, 80), K="{K}")

    def _build_sentence_pools(self) -> None:
        rng = self.rng
        pool = _dedupe([self._fill(rng.choice(_SENTENCES)) for _ in range(4000)])
        self.sentences = [_capital(s) for s in pool]
        self.openers = {h: [_capital(self._fill(t)) for t in ts for _ in range(30)]
                        for h, ts in _OPENERS.items()}
        trans = []
        for _ in range(600):
            f1, f2 = rng.sample(FOREIGN_PLACES, 2)
            t = self._fill(rng.choice(_TRANSNATIONAL).replace("{F}", f1).replace("{F2}", f2))
            trans.append(_capital(t))
        self.transnational = trans

    def _org(self, rng: random.Random) -> str:
        """One organisation name of a random kind, anchored in a real municipality."""
        code, name, org, county = rng.choice(self.municipalities)
        kind = rng.random()
        if kind < 0.22:
            return org
        if kind < 0.45:
            return f"{org}, {rng.choice(MUNICIPAL_UNITS)}"
        if kind < 0.55:
            return rng.choice(AGENCIES)
        if kind < 0.60:
            return f"Arbetsförmedlingen {name}"
        if kind < 0.66:
            return f"Länsstyrelsen i {COUNTIES[county][0]}"
        if kind < 0.72:
            return COUNTIES[county][1]
        if kind < 0.80:
            return f"Samordningsförbundet {name}"
        if kind < 0.86:
            return rng.choice(("ABF", "Studieförbundet Vuxenskolan", "Folkuniversitetet",
                               "Coompanion", "Röda Korset", "Stadsmissionen")) + f" {name}"
        if kind < 0.90:
            return rng.choice(BARE_UNITS)
        w1, w2 = rng.sample(COMPANY_WORDS, 2)
        return rng.choice((f"{w1} {w2} AB", f"{w1}{w2.lower()} i {name} AB", f"{w1} AB"))

    def _build_org_pool(self) -> None:
        rng = self.rng
        pool = _dedupe(["Arbetsförmedlingen", "Försäkringskassan"]
                       + [self._org(rng) for _ in range(2500)])
        self.org_pool = pool
        # Zipf-like weights: a few organisations recur on many pages, most on a few.
        cum, total = [], 0.0
        for rank in range(len(pool)):
            total += 1.0 / (rank + 1) ** 0.9
            cum.append(total)
        self.org_cum = cum

    def _shared_orgs(self, k: int) -> list[str]:
        return self.rng.choices(self.org_pool, cum_weights=self.org_cum, k=k)

    def _org_number(self, owner: str) -> str:
        """A stable, Luhn-valid org number per owner (synthetic; prefixes follow the legal form)."""
        number = self.org_numbers.get(owner)
        if number is None:
            rng = self.rng
            if owner.startswith("Region ") or "regionen" in owner:
                head = "232100" + f"{rng.randint(0, 999):03d}"
            elif "kommun" in owner or owner.endswith((" stad", " Stad")):
                head = "212000" + f"{rng.randint(0, 999):03d}"
            elif owner.endswith(" AB"):
                head = "556" + f"{rng.randint(0, 999999):06d}"
            elif owner in AGENCIES or owner.startswith(("Länsstyrelsen", "Arbetsförmedlingen")):
                head = "202100" + f"{rng.randint(0, 999):03d}"
            else:
                head = "802" + f"{rng.randint(0, 999999):06d}"
            number = _luhn_complete(head)
            self.org_numbers[owner] = number
        return number

    # ---- small values ------------------------------------------------------------------------

    def _amount(self, value: int, kr: float) -> str:
        rng = self.rng
        sep = rng.choice(SEPARATORS)
        text = f"{value:,}".replace(",", sep)
        return text + " kr" if rng.random() < kr else text

    def _dates(self, first_year: int, last_year: int) -> tuple[dt.date, dt.date]:
        rng = self.rng
        lo = dt.date(first_year, 1, 1).toordinal()
        hi = dt.date(last_year, 12, 31).toordinal()
        start = dt.date.fromordinal(rng.randint(lo, hi))
        if rng.random() < 0.5:  # many projects start on the 1st or 15th
            start = start.replace(day=rng.choice((1, 15)))
        end = start + dt.timedelta(days=rng.randint(90, 1460))
        return start, end

    def _person(self, domain: str) -> tuple[str, str]:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        return f"{first} {last}", f"{_slugish(first)}.{_slugish(last)}@{domain}"

    def _phone(self) -> str:
        rng = self.rng
        area = rng.choice(("08", "031", "0303", "0321", "0142", "0157", "0911", "090", "040"))
        a, b = rng.randint(100, 999), rng.randint(10, 99)
        return rng.choice((f"{area}-{a}{b}", f"{area} {a} {b:02d}", f"{area}-{a} {b:02d}",
                           f"{area}-{a}{b} {rng.randint(10, 99)}"))

    def _title(self, place: str) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.2:
            return f"{rng.choice(TITLE_NOUNS)} {place}"
        if r < 0.35:
            a, b = rng.sample(TITLE_ADJ, 2)
            return f"{a} och {b.lower()}"
        if r < 0.5:
            return f"Vägen till {rng.choice(TITLE_GOALS)} i {place}"
        if r < 0.62:
            return f"{rng.choice(TITLE_NOUNS)} del {rng.randint(2, 4)}"
        if r < 0.77:
            v1, v2, v3 = rng.sample(TITLE_VERBS, 3)
            return f"{v1} {v2} {v3} ({v1[0]}{v2[0]}{v3[0]})"
        if r < 0.88:
            v1, v2 = rng.sample(TITLE_VERBS, 2)
            return f"{v1} och {v2} {(v1[:2] + v2[0]).upper()}"
        return f"{rng.choice(TITLE_NOUNS)} {rng.choice(TITLE_NOUNS).lower()} {place}"

    def _paragraphs(self, heading: str | None, place: str, lo: int, hi: int) -> list[str]:
        rng = self.rng
        paras = []
        for i in range(rng.randint(lo, hi)):
            sents = rng.choices(self.sentences, k=rng.randint(2, 7))
            if i == 0 and heading in self.openers:
                sents[0] = rng.choice(self.openers[heading])
            # some paragraphs are hard-wrapped into several lines (as on the real pages)
            joiner = "\n" if rng.random() < 0.15 else " "
            paras.append(joiner.join(sents).replace("{K}", place))
        return paras

    # ---- page layouts ------------------------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        """Values shared by all layouts: place, owner, partners, amounts."""
        rng = self.rng
        muni = rng.choice(self.municipalities)
        code, name, org, county = muni
        national = rng.random() < 0.08
        region = "Nationellt" if national else COUNTIES[county][2]
        if org in ALIASES and rng.random() < 0.3:
            org = rng.choice(ALIASES[org])
        r = rng.random()
        if r < 0.3:
            owner = org
        elif r < 0.62:
            owner = f"{org}, {rng.choice(MUNICIPAL_UNITS)}"
        elif r < 0.7:
            owner = rng.choice(BARE_UNITS)
        elif r < 0.8:
            owner = rng.choice(AGENCIES) if national else COUNTIES[county][1]
        elif r < 0.9:
            owner = f"Samordningsförbundet {name}"
        else:
            w1, w2 = rng.sample(COMPANY_WORDS, 2)
            owner = f"{w1} {w2} AB"
        neighbours = self.by_county[county] if not national else self.municipalities
        extra = rng.sample(neighbours, min(len(neighbours), rng.choice((0, 0, 0, 1, 1, 2, 3))))
        munis = _dedupe([name] + [m[1] for m in extra])
        grant = int(10 ** rng.uniform(5, 7.5))
        if rng.random() < 0.3:
            grant = grant // 1000 * 1000
        budget = grant if rng.random() < 0.15 else int(grant * rng.uniform(1.05, 2.6))
        domain = _slugish(name) + ".se"
        return {"muni": muni, "name": name, "county": county, "region": region,
                "owner": owner, "munis": munis, "grant": grant, "budget": budget,
                "domain": domain}

    def _region_text(self, region: str) -> str:
        variants = REGION_VARIANTS.get(region)
        if variants and self.rng.random() < 0.3:
            return self.rng.choice(variants)
        return region

    def _unique_title_2007(self, name: str, phase: str, start: dt.date) -> str:
        title = self._title(name)
        key = (_slugish(title), phase, start.isoformat())
        n = 2
        while key in self.used_2007_keys:  # the 2007 project IRI is title+phase+start: keep it unique
            candidate = f"{title} {n}"
            key = (_slugish(candidate), phase, start.isoformat())
            n += 1
            if key not in self.used_2007_keys:
                title = candidate
        self.used_2007_keys[key] = None
        return title

    def _project_number(self, first_year: int, last_year: int, space: str = "project") -> str:
        rng = self.rng
        year = rng.randint(first_year, last_year)
        # unique per counter space and year; five digits up to 99 999 projects a year
        serial = self.number_counters.get((space, year), 0) + 1
        self.number_counters[(space, year)] = serial
        return f"{year}/{serial:05d}"

    def page_2007(self, truth: dict[str, Any]) -> str:
        """Old layout: chrome, title, glued labels, headed sections, bullet lists."""
        rng = self.rng
        c = self._common()
        phase = rng.choice(PHASES)
        start, end = self._dates(2008, 2014)
        title = self._unique_title_2007(c["name"], phase, start)
        pa_code, pa_label = rng.choice(PROGRAMME_AREAS_2007)
        contact, email = self._person(c["domain"])
        phone = self._phone()
        owner_text = c["owner"]
        if "," in owner_text and rng.random() < 0.05:
            owner_text = f"{owner_text}, {owner_text}"  # printed twice on some real pages
        lines: list[str] = ["Logotyp på utskrifter", ""]
        r = rng.random()
        if r < 0.8:
            lines += [_COVID_1, "", _COVID_2, ""]
        if r >= 0.75:
            lines += ["Stäng", "", f"{rng.randint(1, 28)} {rng.choice(MONTHS)} - "
                      f"{rng.choice(EVENTS)} om {rng.choice(EVENT_TOPICS)}", "",
                      "Mer information och anmälan.", ""]
        lines += [title, ""]
        lines += [
            f"ProgramområdeProgramområde {pa_code} {pa_label}",
            f"Projektfas{phase}",
            f"Projektägare{owner_text}",
            f"Kontaktperson{contact}",
            f"E-post{email}",
            f"Telefonnummer{phone}",
            f"Beviljat ESF-stöd{self._amount(c['grant'], 0.9)}",
            f"Total projektbudget{self._amount(c['budget'], 0.9)}",
            f"Projektperiod{start.isoformat()} till {end.isoformat()}",
            f"Region{self._region_text(c['region'])}",
            "In English",
            "",
        ]
        sections: dict[str, str] = {}
        for heading in SECTIONS_2007:
            if heading == "Transnationellt samarbete":
                if rng.random() < 0.4:
                    text = "Inte aktuellt i detta projekt."
                else:
                    text = " ".join(rng.choices(self.transnational, k=rng.randint(1, 3)))
                paras = [text]
            elif heading in ("Sammanfattning", "Bakgrund") or rng.random() < 0.7:
                big = heading in ("Bakgrund", "Syfte")
                paras = self._paragraphs(heading, c["name"], 1, 4 if big else 2)
                if heading == "Sammanfattning" and rng.random() < 0.1:
                    paras.insert(0, f"\u201d{title}\u201d")
            else:
                continue
            text = "\n\n".join(paras)
            sections[heading] = text
            lines += [heading, "", text, ""]
        # the bare municipality name also appears as a partner or co-financier (seed 001)
        partners = _dedupe(self._shared_orgs(rng.randint(0, 4))
                           + ([c["name"]] if rng.random() < 0.15 else []))
        cofin: list[str] = []
        if rng.random() < 0.6:
            cofin = _dedupe(self._shared_orgs(rng.randint(1, 3))
                            + ([c["owner"]] if rng.random() < 0.3 else [])
                            + ([c["name"]] if rng.random() < 0.15 else []))
        for heading, items in (("Medfinansiärer", cofin), ("Samarbetspartners", partners),
                               ("Kommun", c["munis"])):
            if items:
                lines += [heading, ""] + [f"  \u2022 {item}" for item in items] + [""]
        truth.update(
            title=title, programme_area=pa_code, programme_area_label=pa_label, phase=phase,
            owner=c["owner"], contact_name=contact, contact_email=email, contact_phone=phone,
            esf_grant_sek=c["grant"], total_budget_sek=c["budget"],
            start_date=start.isoformat(), end_date=end.isoformat(), region=c["region"],
            municipalities=c["munis"], cofinanciers=cofin, partners=partners, sections=sections,
        )
        return "\n".join(lines).rstrip("\n")

    def _label_page(self, heading: str, fields: list[tuple[str, str]], paras: list[str]) -> str:
        """`Label:` then value lines in shuffled order, then the free text."""
        rng = self.rng
        rng.shuffle(fields)
        # never end the label block on an empty value: the free text would look like its value
        while fields and not fields[-1][1]:
            fields.insert(0, fields.pop())
            if all(not v for _, v in fields):
                break
        lines = [heading, ""]
        for label, value in fields:
            lines.append(f"{label}:")
            if value:
                lines.append(value)
        lines.append("")
        lines.append("\n\n".join(paras))
        return "\n".join(lines)

    def page_2014(self, truth: dict[str, Any]) -> str:
        """2014–2020 layout: `NNNN/NNNNN - Title`, `Label:` / value lines, free text."""
        rng = self.rng
        c = self._common()
        number = self._project_number(2015, 2021)
        title = self._title(c["name"])
        start, end = self._dates(2015, 2021)
        area = rng.choice(("1", "2", "2", "3"))
        objective = rng.choice(SPECIFIC_OBJECTIVES_2014[area])
        contact, email = self._person(c["domain"])
        participants = rng.randint(10, 600)
        total_cost = int(c["budget"] * rng.uniform(0.7, 1.0)) if rng.random() < 0.4 else None
        case_number = number if rng.random() < 0.3 else None
        rate = 0.5
        itype = rng.choice(INTERVENTION_TYPES) if rng.random() < 0.3 else None
        postcode = address = None
        if rng.random() < 0.4:
            lo, hi = POSTCODE_PREFIX[c["county"]]
            postcode = f"{rng.randint(lo, hi)}{rng.randint(0, 9)} {rng.randint(10, 99)}"
            address = f"{rng.choice(STREETS)} {rng.randint(1, 60)}"
        optional: list[tuple[str, str | None, str]] = [
            ("Diarienummer", case_number, "case_number"),
            ("Planerat antal deltagare", str(participants), "planned_participants"),
            ("Total Kostnader", None if total_cost is None else self._amount(total_cost, 0.1),
             "total_cost_sek"),
            ("Kontaktperson", contact, "contact_name"),
            ("E-post", email, "contact_email"),
            ("Specifikt mål", objective, "specific_objective"),
            ("Programområde", area, "programme_area"),
            ("Unionens medfinansieringsgrad", "50%", "eu_cofinancing_rate"),
            ("Interventionstyp", itype, "intervention_type"),
            ("Stödmottagare postnr", postcode, "beneficiary_postcode"),
            ("Stödmottagarens address", address, "beneficiary_address"),
        ]
        truth_values = {"case_number": case_number, "planned_participants": participants,
                        "total_cost_sek": total_cost, "contact_name": contact,
                        "contact_email": email, "specific_objective": objective,
                        "programme_area": area, "eu_cofinancing_rate": rate,
                        "intervention_type": itype,
                        "beneficiary_postcode": postcode and postcode.replace(" ", ""),
                        "beneficiary_address": address}
        fields: list[tuple[str, str]] = [
            ("Namn", title), ("Region", self._region_text(c["region"])),
            ("Projektägare", c["owner"]), ("Projektnummer", number),
            ("Projektperiod", f"{start.isoformat()} - {end.isoformat()}"),
            ("Total projektbudget", self._amount(c["budget"], 0.1)),
            ("Beviljat ESF-stöd", self._amount(c["grant"], 0.1)),
        ]
        for label, value, key in optional:
            r = rng.random()
            if value is None:
                if r < 0.5:  # label printed with an empty value
                    fields.append((label, ""))
            elif r < 0.8:
                fields.append((label, value))
            else:
                truth_values[key] = None  # label left out of this page
        paras = self._paragraphs(None, c["name"], 3, 8)
        text = self._label_page(f"{number} - {title}", fields, paras)
        truth.update(
            title=title, project_number=number, owner=c["owner"], esf_grant_sek=c["grant"],
            total_budget_sek=c["budget"], start_date=start.isoformat(),
            end_date=end.isoformat(), region=c["region"], description="\n\n".join(paras),
            **truth_values,
        )
        return text

    def page_2021(self, truth: dict[str, Any]) -> str:
        """ESF+ layout: `Label:` / value lines with fund, CCI, NUTS-2 and org number; no money."""
        rng = self.rng
        c = self._common()
        number = self._project_number(2022, 2026)
        case_number = self._project_number(2022, 2026, "case")
        title = self._title(c["name"])
        start, end = self._dates(2022, 2026)
        area = rng.choice("ABCD")
        objective = f"{area}{rng.randint(1, 3)}{rng.choice('ABCDEFGH')}"
        rate_pct = rng.choice((40, 50, 60))
        lo, hi = POSTCODE_PREFIX[c["county"]]
        postcode = f"{rng.randint(lo, hi)}{rng.randint(0, 9)} {rng.randint(10, 99)}"
        nuts2 = REGION_NUTS2.get(c["region"])
        org_number = self._org_number(c["owner"])
        org_text = f"{org_number[:6]}-{org_number[6:]}" if rng.random() < 0.8 else org_number
        child = rng.random() < 0.2
        strategic = rng.random() < 0.1
        participants = rng.randint(10, 900)
        itype = rng.choice(INTERVENTION_TYPES)
        values = {
            "Land som berörs": ("Sverige", "country"),
            "Berörd fond": ("Europeiska socialfonden+", "fund"),
            "Program CCI": ("2021SE05SFPR001", "programme_cci"),
            "Diarienummer": (case_number, "case_number"),
            "Projektägare organisationsnummer": (org_text, "owner_org_number"),
            "Projektägare": (c["owner"], "owner"),
            "Namn": (title, "title"),
            "Startdatum": (start.isoformat(), "start_date"),
            "Slutdatum": (end.isoformat(), "end_date"),
            "Unionens medfinansieringsgrad": (f"{rate_pct}%", "eu_cofinancing_rate"),
            "Programområde": (area, "programme_area"),
            "Specifikt mål": (objective, "specific_objective"),
            "Sekundärtema - Motverka barnfattigdom": ("Ja" if child else "Nej",
                                                      "child_poverty_theme"),
            "Region": (self._region_text(c["region"]), "region"),
            "NUTS-2 kod": (nuts2 or "", "nuts2"),
            "Stödmottagare postnr": (postcode, "beneficiary_postcode"),
            "Stödmottagare ort": (c["name"], "beneficiary_city"),
            "Interventionstyp": (itype, "intervention_type"),
            "Antal deltagare": (str(participants), "planned_participants"),
            "Insats av strategisk betydelse": ("Ja" if strategic else "Nej",
                                               "strategic_importance"),
            "Projektnummer": (number, "project_number"),
        }
        typed = {"country": "Sverige", "fund": "Europeiska socialfonden+",
                 "programme_cci": "2021SE05SFPR001", "case_number": case_number,
                 "owner_org_number": org_number, "owner": c["owner"], "title": title,
                 "start_date": start.isoformat(), "end_date": end.isoformat(),
                 "eu_cofinancing_rate": rate_pct / 100, "programme_area": area,
                 "specific_objective": objective, "child_poverty_theme": child,
                 "region": c["region"], "nuts2": nuts2, "beneficiary_postcode": postcode.replace(" ", ""),
                 "beneficiary_city": c["name"], "intervention_type": itype,
                 "planned_participants": participants, "strategic_importance": strategic,
                 "project_number": number}
        required = ("Namn", "Projektnummer", "Projektägare", "Startdatum", "Slutdatum", "Region")
        fields: list[tuple[str, str]] = []
        for label, (value, key) in values.items():
            r = rng.random()
            if label in required or r < 0.85:
                fields.append((label, value))
            elif r < 0.93:
                fields.append((label, ""))
                typed[key] = None
            else:
                typed[key] = None
        paras = self._paragraphs(None, c["name"], 3, 8)
        text = self._label_page(f"{number} - {title}", fields, paras)
        truth.update(description="\n\n".join(paras), **typed)
        return text

    # ---- damage ------------------------------------------------------------------------------

    def _damage(self, kind: str, text: str, truth: dict[str, Any]) -> str:
        rng = self.rng
        if kind == "empty":
            return rng.choice(("", "", "\n", "   \n\n"))
        if kind == "truncated":
            return text[: max(1, int(len(text) * rng.uniform(0.02, 0.4)))]
        if kind == "binary":
            # raw bytes (a file of another type saved as .txt) carried in the str by
            # surrogateescape, so writing with encode("utf-8", "surrogateescape") restores them
            head = rng.choice((b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"%PDF-1.4\n", b"\xff\xd8\xff"))
            body = bytes(rng.choices(range(256), k=rng.randint(64, 4096)))
            return (head + body).decode("utf-8", "surrogateescape")
        start, end = truth["start_date"], truth["end_date"]
        if kind == "impossible-date":
            year = start[:4]
            bad = rng.choice((f"{year}-02-30", f"{year}-04-31", f"{year}-13-01", f"{year}-00-10"))
            return text.replace(start, bad, 1)
        # end-before-start: the two dates swapped on the page
        return text.replace(start, "\x00S\x00").replace(end, start).replace("\x00S\x00", end)

    # ---- public ------------------------------------------------------------------------------

    def page(self, index: int) -> tuple[str, str, dict[str, Any]]:
        """Render page number `index` (1-based; call in order) → (file name, text, truth)."""
        rng = self.rng
        layout = rng.choice(self.layouts)
        name = f"gen_{index:07d}.txt"
        truth: dict[str, Any] = dict.fromkeys(RECORD_KEYS)
        truth.update(source=name, layout=layout, municipalities=[], cofinanciers=[],
                     partners=[], sections={}, extra={}, provenance={})
        if layout == "2007-2013":
            text = self.page_2007(truth)
        elif layout == "2014-2020":
            text = self.page_2014(truth)
        else:
            text = self.page_2021(truth)
        if rng.random() < NFD_RATE:  # saved on a system that decomposes å, ä, ö
            text = unicodedata.normalize("NFD", text)
        truth["bad"] = None
        if self.bad_rate and rng.random() < self.bad_rate:
            kind = rng.choice(BAD_KINDS)
            text = self._damage(kind, text, truth)
            truth["bad"] = kind
        return name, text, truth


def generate_pages(count: int, seed: int = 0, *, bad_rate: float = 0.01,
                   layouts: Sequence[str] = LAYOUTS) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield `count` synthetic pages as (file name, page text, true values), deterministically.

    The true values use the `esfgraph parse` JSON keys (dates as ISO strings) plus "bad":
    None for a good page, else the kind of damage (see BAD_KINDS); for a bad page the other
    values describe the page before it was damaged. A "binary" page holds raw bytes through
    surrogateescape: write it with `text.encode("utf-8", "surrogateescape")` (as `write_pages`).
    """
    gen = PageGenerator(seed, bad_rate=bad_rate, layouts=layouts)
    for i in range(1, count + 1):
        yield gen.page(i)


def write_pages(out: str | os.PathLike[str], count: int, seed: int = 0, *,
                bad_rate: float = 0.01, layouts: Sequence[str] = LAYOUTS) -> int:
    """Write `count` pages as UTF-8 files into `out` (created if needed); return bytes written."""
    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, text, _truth in generate_pages(count, seed, bad_rate=bad_rate, layouts=layouts):
        data = text.encode("utf-8", "surrogateescape")
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        total += len(data)
    return total


def _parse_layouts(value: str) -> tuple[str, ...]:
    if value.strip().lower() == "all":
        return LAYOUTS
    return tuple(part.strip() for part in value.split(",") if part.strip())


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write N synthetic pages into a folder and print the speed to stderr."""
    parser = argparse.ArgumentParser(
        description="Write realistic synthetic Projektbanken pages (deterministic from --seed).",
        epilog="example: python bench/generate.py --count 10000 --seed 1 --out /tmp/pages",
    )
    parser.add_argument("--count", type=int, required=True, help="number of pages")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", required=True, help="output folder (created if missing)")
    parser.add_argument("--bad-rate", type=float, default=0.01,
                        help="share of damaged pages, 0..1 (default 0.01)")
    parser.add_argument("--layouts", default="all",
                        help="'all' or a comma list of " + ", ".join(LAYOUTS))
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be 0 or more")
    try:
        layouts = _parse_layouts(args.layouts)
        began = time.perf_counter()
        size = write_pages(args.out, args.count, args.seed, bad_rate=args.bad_rate,
                           layouts=layouts)
    except ValueError as exc:
        parser.error(str(exc))
    elapsed = time.perf_counter() - began
    rate = args.count / elapsed if elapsed else float("inf")
    print(f"wrote {args.count} pages ({size / 1e6:.1f} MB) to {args.out} in {elapsed:.2f} s "
          f"({rate:,.0f} pages/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
