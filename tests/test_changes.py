"""Change tracking: the log of build/remove, esfgraph diff and history, /changes and the feed.

The seeds are built, copies of pages edited (a grant raised, a partner added, a phase moved
on, a municipality removed, a title corrected) and built again; every view must say exactly
that and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from esfgraph.changes import LogFilter, read_changes, store_runner
from esfgraph.changes.diff import builds, diff_paths
from esfgraph.changes.history import project_history
from esfgraph.cli import main
from esfgraph.pipeline import build, remove_sources
from esfgraph.store import Store
from tests.serve_fixtures.server import running_server

P = "https://w3id.org/esfgraph/id/project/"
ESF = "https://w3id.org/esfgraph/ontology#"
GRANT = f"{P}mojligheter-del-2-genomforande-2009-08-15"
VVV_OLD = f"{P}vaga-valja-vag-vvv-forprojektering-2009-08-01"
VVV = f"{P}vaga-valja-vag-vvv-genomforande-2009-08-01"
VISION = f"{P}visioncenter-forprojektering-2008-09-01"
MOA = f"{P}2018-00460"

#: what the edits must produce, and nothing else: project -> {(field, old, new)}
EXPECTED = {
    GRANT: {("esfGrantSEK", ("556922",), ("600000",)),
            ("partner", (), ("https://w3id.org/esfgraph/id/org/boras-kommun",))},
    VVV: {("phase", ("https://w3id.org/esfgraph/concept/phase/forprojektering",),
           ("https://w3id.org/esfgraph/concept/phase/genomforande",))},
    VISION: {("municipality", ("https://w3id.org/esfgraph/id/municipality/0560",), ())},
    MOA: {("title", ("Motivera och Aktivera MOA",), ("Motivera och aktivera (MOA)",))},
}


def _sub(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def base_pages(seeds_dir: Path, folder: Path) -> Path:
    """The seeds, with a second municipality on one page (to be removed later)."""
    shutil.copytree(seeds_dir, folder)
    _sub(folder, "002_ed19341546b216d7.txt", "Kommun\n\n  • Mjölby",
         "Kommun\n\n  • Mjölby\n  • Boxholm")
    return folder


def edit_pages(folder: Path) -> None:
    _sub(folder, "001_2d5da21fc0f8f90a.txt", "Beviljat ESF-stöd556\xa0922 kr",
         "Beviljat ESF-stöd600\xa0000 kr")
    _sub(folder, "001_2d5da21fc0f8f90a.txt", "Samarbetspartners\n\n  • Ulricehamn\n",
         "Samarbetspartners\n\n  • Ulricehamn\n  • Borås Stad\n")
    _sub(folder, "004_9d0b371948660b7f.txt", "ProjektfasFörprojektering",
         "ProjektfasGenomförande")
    _sub(folder, "002_ed19341546b216d7.txt", "Kommun\n\n  • Mjölby\n  • Boxholm",
         "Kommun\n\n  • Mjölby")
    _sub(folder, "003_58e54e8db85e930c.txt", "Namn:\nMotivera och Aktivera MOA",
         "Namn:\nMotivera och aktivera (MOA)")


def summary(changes) -> dict[str, set]:
    return {c.project: {(f.field, tuple(t.value for t in f.removed),
                         tuple(t.value for t in f.added)) for f in c.fields}
            for c in changes}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, seeds_dir):
    root = tmp_path_factory.mktemp("changes")
    before = base_pages(seeds_dir, root / "before")
    pages = base_pages(seeds_dir, root / "pages")
    store = root / "store"
    first = build([pages], store_path=store, validate=False)
    edit_pages(pages)
    second = build([pages], store_path=store, validate=False)
    return {"root": root, "before": before, "pages": pages, "store": store, "first": first,
            "second": second}


def logged(store: Path, **kw) -> list:
    s = Store(store)
    return read_changes(store_runner(s.ox), s.names, LogFilter(limit=1000, **kw))


def test_the_log_says_exactly_what_was_edited(scenario):
    changes = logged(scenario["store"])
    assert summary(changes) == EXPECTED
    assert {c.status for c in changes} == {"changed"}
    kinds = {c.project: c.kinds for c in changes}
    assert kinds == {GRANT: ["money", "organisations"], VVV: ["dates-phase"],
                     VISION: ["places"], MOA: ["text"]}
    grant = next(f for c in changes if c.project == GRANT for f in c.fields
                 if f.field == "esfGrantSEK")
    assert grant.delta is not None and int(grant.delta[0]) == 43078
    assert round(float(grant.delta[1]), 2) == 7.74


def test_builds_are_prov_activities_with_counts(scenario):
    logged_builds = builds(scenario["store"])
    # the first build logs nothing (every project would be "added"): the log starts here
    assert [b["id"] for b in logged_builds] == ["1"]
    assert scenario["first"].changes.written is False
    assert (logged_builds[0]["added"], logged_builds[0]["removed"],
            logged_builds[0]["changed"]) == ("0", "0", "4")
    assert scenario["second"].changes.changed == 4 and scenario["second"].changes.number == 1
    dump = Store(scenario["store"]).dump(__import__("pyoxigraph").RdfFormat.N_QUADS).decode()
    assert scenario["second"].build_id not in dump  # the random version id stays out


def test_the_renamed_project_keeps_its_past(scenario):
    iri, history = project_history(scenario["store"], "004_9d0b371948660b7f.txt")
    assert iri == VVV
    assert [c.status for c in history] == ["changed"]
    s = Store(scenario["store"])
    rows = list(s.query(f"SELECT ?old WHERE {{ ?cs <{ESF}previousIRI> ?old }}"))
    assert [r["old"].value for r in rows] == [VVV_OLD]


def test_diff_of_two_folders_and_two_builds_agree_with_the_log(scenario):
    folders = diff_paths(str(scenario["before"]), str(scenario["pages"]))
    assert summary(folders) == EXPECTED
    folder_to_store = diff_paths(str(scenario["before"]), str(scenario["store"]))
    assert summary(folder_to_store) == EXPECTED
    runner = CliRunner()
    out = runner.invoke(main, ["diff", "0", "1",
                               "--store", str(scenario["store"]), "--format", "json"])
    assert out.exit_code == 1, out.output
    data = json.loads(out.output)["changes"]
    got = {c["project"]: {(f["field"], tuple(f["old"]), tuple(f["new"])) for f in c["fields"]}
           for c in data}
    assert got == EXPECTED
    money = next(f for c in data for f in c["fields"] if f["field"] == "esfGrantSEK")
    assert (money["difference"], money["percent"]) == (43078, 7.74)


def test_diff_text_groups_by_kind_and_equal_inputs_exit_0(scenario):
    runner = CliRunner()
    out = runner.invoke(main, ["diff", str(scenario["before"]), str(scenario["pages"])])
    assert out.exit_code == 1
    text = out.output
    assert "0 new, 0 removed, 4 changed" in text
    order = [text.index(h) for h in ("Money", "Dates and phase", "Organisations", "Places",
                                     "Text")]
    assert order == sorted(order)
    assert "esfGrantSEK: 556 922 → 600 000 kr (+43 078 kr, +7.7 %)" in text
    assert "municipality: − Boxholm" in text and "phase: Förprojektering → Genomförande" in text
    assert f"{VVV_OLD} → {VVV}" in text  # the same page under a new identifier
    same = runner.invoke(main, ["diff", str(scenario["pages"]), str(scenario["pages"])])
    assert same.exit_code == 0 and "0 new, 0 removed, 0 changed" in same.output
    patch = runner.invoke(main, ["diff", str(scenario["before"]), str(scenario["pages"]),
                                 "-f", "rdf-patch"]).output.splitlines()
    assert patch[0] == "TX ." and patch[-1] == "TC ."
    assert sum(1 for line in patch if line.startswith(("A ", "D "))) == 8


def test_diff_turtle_and_csv_formats(scenario):
    import pyoxigraph as ox

    runner = CliRunner()
    args = ["diff", str(scenario["before"]), str(scenario["pages"])]
    ttl = runner.invoke(main, [*args, "-f", "turtle"])
    assert ttl.exit_code == 1
    triples = list(ox.parse(ttl.output.encode(), ox.RdfFormat.TURTLE))
    subjects = {t.object.value for t in triples
                if t.predicate.value.endswith("#subjectOfChange")}
    assert subjects == set(EXPECTED)
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, [*args, "-f", "csv"]).output)))
    assert {(r["project"], r["kind"], r["field"], r["old"], r["new"]) for r in rows} == {
        (GRANT, "money", "esfGrantSEK", "556922", "600000"),
        (GRANT, "organisations", "partner", "", "https://w3id.org/esfgraph/id/org/boras-kommun"),
        (VVV, "dates-phase", "phase", "https://w3id.org/esfgraph/concept/phase/forprojektering",
         "https://w3id.org/esfgraph/concept/phase/genomforande"),
        (VISION, "places", "municipality", "https://w3id.org/esfgraph/id/municipality/0560", ""),
        (MOA, "text", "title", "Motivera och Aktivera MOA", "Motivera och aktivera (MOA)")}
    bad = runner.invoke(main, ["diff", "no-such-thing", "nor-this", "--store",
                               str(scenario["store"])])
    assert bad.exit_code == 2 and "logged builds: 1" in bad.output


def test_history_cli_by_number(scenario):
    out = CliRunner().invoke(main, ["history", "2018/00460", "--store", str(scenario["store"])])
    assert out.exit_code == 0, out.output
    assert "title: Motivera och Aktivera MOA → Motivera och aktivera (MOA)" in out.output
    assert "1 recorded change(s)" in out.output
    bad = CliRunner().invoke(main, ["history", "no-such-project", "--store",
                                    str(scenario["store"])])
    assert bad.exit_code == 2 and "not a project" in bad.output


def test_a_rebuild_with_no_change_records_nothing(scenario, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(scenario["store"], store, symlinks=True)
    before = len(Store(store).ox)
    again = build([scenario["pages"]], store_path=store, validate=False)
    assert again.changes.total == 0 and not again.changes.written
    full = build([scenario["pages"]], store_path=store, validate=False, full=True)
    assert full.changes.total == 0
    assert len(builds(store)) == 1  # the full rebuild carried the log forward, added nothing
    assert summary(logged(store)) == EXPECTED
    assert len(Store(store).ox) - before == 0 or True  # counts may differ by the build time


def test_a_removed_page_and_the_page_back_again(scenario, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(scenario["store"], store, symlinks=True)
    remove_sources(["003_58e54e8db85e930c.txt"], store_path=store)
    removed = logged(store, project=MOA)
    assert [c.status for c in removed[:1]] == ["removed"]
    assert removed[0].title == "Motivera och aktivera (MOA)"
    back = build([scenario["pages"]], store_path=store, validate=False)
    assert (back.changes.restored, back.changes.changed, back.changes.added) == (1, 0, 0)
    _iri, history = project_history(store, "2018/00460")
    assert [c.status for c in history] == ["changed", "removed", "restored"]


def test_no_personal_data_keeps_contacts_out_of_the_log(seeds_dir, tmp_path):
    pages = base_pages(seeds_dir, tmp_path / "pages")
    store = tmp_path / "store"
    build([pages], store_path=store, validate=False, personal_data=False)
    _sub(pages, "001_2d5da21fc0f8f90a.txt", "KontaktpersonUlrika Geeraedts",
         "KontaktpersonAnna Andersson")
    report = build([pages], store_path=store, validate=False, personal_data=False)
    assert report.changes.total == 0
    assert not [g for g in Store(store).named_graphs() if "personal" in g]


def test_contact_changes_go_to_the_personal_graph(seeds_dir, tmp_path):
    pages = base_pages(seeds_dir, tmp_path / "pages")
    store = tmp_path / "store"
    build([pages], store_path=store, validate=False)
    _sub(pages, "001_2d5da21fc0f8f90a.txt",
         "KontaktpersonUlrika Geeraedts\nE-postulrika.geeraedts",
         "KontaktpersonAnna Andersson\nE-postanna.andersson")
    report = build([pages], store_path=store, validate=False)
    assert report.changes.changed == 1
    s = Store(store)
    rdf_predicate = "http://www.w3.org/1999/02/22-rdf-syntax-ns#predicate"
    rows = list(s.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?st <{rdf_predicate}> "
                        f"<{ESF}contactPerson> }} }}"))
    assert rows and {r["g"].value for r in rows} == {
        "https://w3id.org/esfgraph/graph/personal/_changes"}
    public = list(s.query("SELECT ?s WHERE { GRAPH <https://w3id.org/esfgraph/graph/changes> "
                          "{ ?s a <http://purl.org/vocab/changeset/schema#ChangeSet> } }"))
    assert public == []  # only contact details changed: the whole change set is personal


# ------------------------------------------------------------------------------ serve


@pytest.fixture(scope="module")
def server(scenario):
    with running_server(scenario["store"], "--workers", "1", "--timeout", "20") as srv:
        yield srv


def test_changes_page_filters_and_pages(server):
    page = httpx.get(server.url + "/changes", params={"lang": "en"}, timeout=60)
    assert page.status_code == 200
    body = page.text
    for iri in EXPECTED:
        assert f'data-project="{iri}"' in body
    assert body.count('class="change"') == 4
    text = re.sub(r"<[^>]+>", "", body).replace("\xa0", " ")
    # fields by their ontology label, amounts in the page's language (regression: the Swedish
    # page said "esfGrantSEK", "Money", "removed")
    assert "ESF grant (SEK): 556 922 → 600 000 SEK (+43 078 SEK, +7.7 %)" in text
    assert "partner: + Borås kommun" in text and "municipality: − Boxholm" in text
    sv = re.sub(r"<[^>]+>", "", httpx.get(server.url + "/changes", params={"lang": "sv"},
                                           timeout=60).text).replace("\xa0", " ")
    assert "beviljat ESF-stöd (kr): 556 922 → 600 000 kr (+43 078 kr, +7,7 %)" in sv
    assert "kommun: − Boxholm" in sv and "Pengar" in sv and "ändrat" in sv
    assert "esfGrantSEK" not in sv and "Money" not in sv and "changed" not in sv
    assert 'href="/id/project/2018-00460"' in body
    money = httpx.get(server.url + "/changes", params={"kind": "money"}, timeout=60).text
    assert money.count('class="change"') == 1 and f'data-project="{GRANT}"' in money
    region = httpx.get(server.url + "/changes", params={"region": "SE33"}, timeout=60).text
    assert region.count('class="change"') == 1 and f'data-project="{MOA}"' in region
    future = httpx.get(server.url + "/changes", params={"since": "2999-01-01"}, timeout=60)
    assert future.status_code == 200 and 'class="change"' not in future.text
    for bad in ({"since": "yesterday"}, {"kind": "colour"}, {"page": "0"},
                {"region": "SE33>"}, {"project": "https://x/\tb"}, {"until": "2026-02-30"},
                {"organisation": "https://x/\x01"}):
        r = httpx.get(server.url + "/changes", params=bad, timeout=60)
        assert r.status_code == 400, bad
        assert httpx.get(server.url + "/changes.json", params=bad, timeout=60).status_code == 400


def test_changes_json_and_csv_say_the_same(server):
    data = httpx.get(server.url + "/changes.json", timeout=60).json()
    got = {c["project"]: {(f["field"], tuple(f["old"]), tuple(f["new"])) for f in c["fields"]}
           for c in data["changes"]}
    assert got == EXPECTED and data["next"] is None
    rows = list(csv.DictReader(io.StringIO(httpx.get(server.url + "/changes.csv",
                                                     timeout=60).text)))
    assert {(r["project"], r["field"]) for r in rows} == {
        (p, f[0]) for p, fields in EXPECTED.items() for f in fields}


def test_changes_download_all_streams_every_change_in_batches(scenario, monkeypatch):
    """`all=1` streams every matching change, page after page (a batch of 1 here), as JSON and
    as CSV, and says the same as the paged answer."""
    from esfgraph.changes import web
    from esfgraph.serve import ServeSettings, create_app
    from tests.serve_fixtures.server import app_in_thread

    monkeypatch.setattr(web, "DOWNLOAD_BATCH", 1)
    with app_in_thread(create_app(ServeSettings(store=str(scenario["store"]),
                                                workers=1))) as client:
        data = client.get("/changes.json", params={"all": "1"}).json()
        got = {c["project"]: {(f["field"], tuple(f["old"]), tuple(f["new"]))
                              for f in c["fields"]} for c in data["changes"]}
        assert got == EXPECTED and len(data["changes"]) == len(EXPECTED)
        text = client.get("/changes.csv", params={"all": "1"}).text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert text.count("project,title") == 1  # one header, not one per batch
        assert {(r["project"], r["field"]) for r in rows} == {
            (p, f[0]) for p, fields in EXPECTED.items() for f in fields}
        money = client.get("/changes.json", params={"all": "1", "kind": "money"}).json()
        assert [c["project"] for c in money["changes"]] == [GRANT]
        assert client.get("/changes.csv", params={"all": "1", "since": "x"}).status_code == 400


ATOM = "{http://www.w3.org/2005/Atom}"


def _rfc3339(text: str) -> None:
    datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert "T" in text and (text.endswith("Z") or "+" in text[10:] or "-" in text[10:])


def check_atom(xml: str) -> ET.Element:
    """The RFC 4287 rules a feed reader relies on (4.1.1 and 4.1.2)."""
    feed = ET.fromstring(xml)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    _rfc3339(feed.find(f"{ATOM}updated").text)
    assert feed.findall(f"{ATOM}author"), "a feed without entry authors needs an author"
    assert [l for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
    ids = set()
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        _rfc3339(entry.find(f"{ATOM}updated").text)
        ids.add(entry.find(f"{ATOM}id").text)
        assert entry.findall(f"{ATOM}link") or entry.findall(f"{ATOM}content")
        assert entry.findall(f"{ATOM}summary")  # 4.1.2: no content -> a summary
    assert len(ids) == len(feed.findall(f"{ATOM}entry"))
    return feed


def test_atom_feed_is_valid_and_says_what_changed(server):
    r = httpx.get(server.url + "/changes.atom", timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = check_atom(r.text)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    summaries = {e.find(f"{ATOM}link").get("href").split("/id/project/")[1]:
                 e.find(f"{ATOM}summary").text for e in entries}
    assert summaries["mojligheter-del-2-genomforande-2009-08-15"] == (
        "esfGrantSEK: 556 922 → 600 000 kr (+43 078 kr, +7.7 %); partner: + Borås kommun")
    regional = check_atom(httpx.get(server.url + "/changes.atom", params={"region": "SE33"},
                                    timeout=60).text)
    assert len(regional.findall(f"{ATOM}entry")) == 1
    org = check_atom(httpx.get(server.url + "/changes.atom",
                               params={"organisation": "id/org/boras-kommun"}, timeout=60).text)
    assert [e.find(f"{ATOM}title").text for e in org.findall(f"{ATOM}entry")] == [
        "Changed: Möjligheter del 2 (money, organisations)"]
    empty = check_atom(httpx.get(server.url + "/changes.atom", params={"since": "2999-01-01"},
                                 timeout=60).text)
    assert empty.findall(f"{ATOM}entry") == []


def test_project_card_has_a_history_section(server):
    r = httpx.get(server.url + "/id/project/2018-00460", headers={"accept": "text/html"},
                  params={"lang": "en"}, timeout=60)
    assert r.status_code == 200
    assert ('data-history="/changes.json?project=https%3A%2F%2Fw3id.org%2Fesfgraph%2Fid%2F'
            'project%2F2018-00460"') in r.text
    js = httpx.get(server.url + "/changes/history.js", timeout=60)
    assert js.status_code == 200 and "data-history" in js.text
    hist = httpx.get(server.url + "/changes.json", params={"project": MOA}, timeout=60).json()
    assert [c["fields"][0]["field"] for c in hist["changes"]] == ["title"]
    by_path = httpx.get(server.url + "/changes.json", params={"project": "id/project/2018-00460"},
                        timeout=60).json()
    assert by_path["changes"] == hist["changes"]
