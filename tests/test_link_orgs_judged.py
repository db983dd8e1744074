"""Organisation resolution against a judged set of 85 owner/partner strings (issues 14, 22).

Each string is resolved as a page would have it (its own project, the owner and contact e-mail
given as evidence); nodes are compared by IRI. Merges are scored over pairs of mentions from
different strings: precision = merged pairs that should be one node / all merged pairs,
recall = merged pairs that should be one node / all pairs that should be one node.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, SKOS

from esfgraph.config import Config
from esfgraph.iri import Iris
from esfgraph.link import Gazetteer
from esfgraph.record import Record
from tests.judged import Score, load

ITEMS = load("organisations.yaml")
BASE = Config().base_iri + "id/org/"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


def _record(i: int, item: dict) -> Record:
    return Record(source=f"judged-{i}.txt", layout="2014-2020", title=f"Projekt {i}",
                  start_date=None, owner=item.get("owner"), contact_email=item.get("email"))


def resolved(gaz: Gazetteer, i: int, item: dict) -> list[tuple[str, str | None]]:
    """(node key, parent key) of each body the string names, keys relative to id/org/."""
    record = _record(i, item)
    iris = Iris(Config().base_iri, term=str)
    out = []
    for ref in gaz.resolve_orgs(item["text"], record):
        key = iris.org(ref, record).removeprefix(BASE)
        parent = iris.org(ref.parent, record).removeprefix(BASE) if ref.parent else None
        out.append((key, parent))
    return out


def expected(i: int, item: dict) -> list[tuple[str, str | None]]:
    project = f"projekt-{i}-okand-fas-okant-datum"
    return [(n["key"].replace("PROJECT", project), n.get("parent")) for n in item["nodes"]]


def score(gaz: Gazetteer) -> tuple[Score, int, list[str]]:
    mentions_got, mentions_exp, wrong = [], [], []
    exact = 0
    for i, item in enumerate(ITEMS):
        got, exp = resolved(gaz, i, item), expected(i, item)
        if got == exp:
            exact += 1
        else:
            wrong.append(f"{item['text']!r}: got {got}, expected {exp}")
        for k in range(max(len(got), len(exp))):
            mentions_got.append((i, got[k][0] if k < len(got) else f"missing-{i}-{k}"))
            mentions_exp.append((i, exp[k][0] if k < len(exp) else f"extra-{i}-{k}"))
    merges = Score()
    for (a, b), (x, y) in zip(combinations(mentions_got, 2), combinations(mentions_exp, 2)):
        if a[0] == b[0]:
            continue  # two bodies of one string: not a merge question
        same_got, same_exp = a[1] == b[1], x[1] == y[1]
        if same_got and same_exp:
            merges.true_pos += 1
        elif same_got:
            merges.false_pos += 1
        elif same_exp:
            merges.false_neg += 1
    return merges, exact, wrong


def test_judged_set_is_big_enough() -> None:
    assert len(ITEMS) >= 60


def test_merge_precision_and_recall(gaz: Gazetteer, capsys) -> None:
    merges, exact, wrong = score(gaz)
    with capsys.disabled():
        print(f"\norganisation judged set ({len(ITEMS)} strings): merges {merges}; "
              f"node and parent exactly right for {exact}/{len(ITEMS)}")
    assert merges.precision == 1.0, "\n".join(wrong)
    assert merges.recall >= 0.9, "\n".join(wrong)
    assert exact >= 0.9 * len(ITEMS), "\n".join(wrong)


# ---- issue 22: labels and organisation numbers in the graph ---------------------------------
def _map(gaz: Gazetteer, i: int, **fields):
    from esfgraph.mapping import map_record

    record = Record(source=f"orgs-{i}.txt", layout="2021-2027", title=f"Projekt {i}",
                    case_number=f"22-{i:03d}-S01", **fields)
    return [(str(s), str(p), o) for s, p, o, _ in map_record(record, Config(), gaz).quads]


def test_one_pref_label_per_language_whichever_case_the_pages_print(gaz: Gazetteer) -> None:
    org = BASE + "storstadsregionens-kommunalforbund"
    pref = set()
    for i, owner in enumerate(["Storstadsregionens kommunalförbund",
                               "Storstadsregionens Kommunalförbund",
                               "STORSTADSREGIONENS KOMMUNALFÖRBUND",
                               "Storstadsregionens kommunalförbund (SR)"]):
        quads = _map(gaz, i, owner=owner)
        pref |= {(str(o), o.language) for s, p, o in quads
                 if s == org and p.endswith("core#prefLabel")}
        alts = {str(o) for s, p, o in quads if s == org and p.endswith("core#altLabel")}
        assert owner in alts or owner == "Storstadsregionens kommunalförbund"  # as printed
    assert pref == {("Storstadsregionens kommunalförbund", "sv")}


def test_organisation_number_in_the_owner_field_names_the_body_not_its_label(
        gaz: Gazetteer) -> None:
    unit = _map(gaz, 1, owner="212000-3005, Arbetsmarknadsförvaltningen")
    labels = {str(o) for s, p, o in unit if p.endswith(("#prefLabel", "#altLabel", "#label"))}
    assert not [label for label in labels if "212000" in label and "Organisation" not in label]
    body = BASE + "orgnr-2120003005"
    assert (BASE + "orgnr-2120003005/arbetsmarknadsforvaltning",
            "http://www.w3.org/ns/org#unitOf", URIRef(body)) in unit
    # a page naming the body with that number says it is the same body
    named = _map(gaz, 2, owner="Uppsala kommun", owner_org_number="212000-3005")
    assert (BASE + "uppsala-kommun", str(OWL.sameAs), URIRef(body)) in named
    assert (BASE + "uppsala-kommun", "https://w3id.org/esfgraph/ontology#organisationNumber",
            Literal("2120003005")) in named


def test_a_name_repeated_with_a_slip_is_one_body_with_both_spellings(gaz: Gazetteer) -> None:
    quads = _map(gaz, 3, partners=["Stiftelsen Activa, Stifelsen Activa"])
    orgs = {s for s, p, o in quads if p.endswith("#type") and str(o).endswith("org#Organization")}
    assert BASE + "stiftelsen-activa" in orgs and len(orgs) == 1
    assert (BASE + "stiftelsen-activa", str(SKOS.altLabel), Literal("Stifelsen Activa", lang="sv")) \
        in quads


def test_bare_unit_owner_with_an_organisation_number_hangs_under_that_body(gaz: Gazetteer) -> None:
    """The page's `Projektägare organisationsnummer` is the legal body's: a unit is never
    given it (it used to be, making the unit the body)."""
    quads = _map(gaz, 4, owner="Arbetsmarknadsenheten", owner_org_number="802089-0680")
    unit, body = BASE + "orgnr-8020890680/arbetsmarknadsenhet", BASE + "orgnr-8020890680"
    assert (unit, "http://www.w3.org/ns/org#unitOf", URIRef(body)) in quads
    numbered = {s for s, p, o in quads if p.endswith("#organisationNumber")}
    assert numbered == {body}
    assert not [q for q in quads if q[1] == str(OWL.sameAs) and "/id/org/" in q[0]]
