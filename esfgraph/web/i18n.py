"""UI text in Swedish and English, and the choice of language for a request.

The language comes from `?lang=sv|en` (remembered in a cookie), else the `lang` cookie, else the
best of sv/en in Accept-Language, else Swedish (the data is Swedish). Data labels come from the
graph's @sv/@en literals (format.pick_label); this table only holds the pages' own words.
"""

from __future__ import annotations

LANGS = ("sv", "en")
DEFAULT_LANG = "sv"
COOKIE = "lang"

TEXT: dict[str, tuple[str, str]] = {  # key: (Swedish, English)
    "site": ("ESF-projekt i Sverige", "ESF projects in Sweden"),
    "skip": ("Hoppa till innehållet", "Skip to content"),
    "nav.home": ("Start", "Home"),
    "nav.projects": ("Sök projekt", "Search projects"),
    "nav.map": ("Karta", "Map"),
    "nav.query": ("SPARQL-frågor", "SPARQL queries"),
    "lang.switch": ("In English", "På svenska"),
    "lang.label": ("Språk", "Language"),
    "search.label": ("Sök bland projekten", "Search the projects"),
    "search.placeholder": ("t.ex. unga nyanlända Norrbotten", "e.g. young newly arrived"),
    "search.button": ("Sök", "Search"),
    "landing.lead": (("Projekt som Europeiska socialfonden har finansierat i Sverige, med "
                      "projektägare, partner, kommuner och pengar, sökbara och länkade."),
                     ("Projects funded by the European Social Fund in Sweden, with owners, "
                      "partners, municipalities and money, searchable and linked.")),
    "fig.projects": ("projekt", "projects"),
    "fig.grant": ("ESF-stöd", "ESF grant"),
    "fig.per_period": ("Per programperiod", "Per programming period"),
    "chart.year": ("ESF-stöd per startår", "ESF grant per start year"),
    "chart.region": ("ESF-stöd per region", "ESF grant per region"),
    "chart.area": ("ESF-stöd per programområde", "ESF grant per programme area"),
    "chart.owner_year": ("ESF-stöd som projektägare per startår",
                         "ESF grant as owner per start year"),
    "landing.map": ("Se kartan över ESF-stödet", "See the map of ESF grants"),
    "landing.query": ("Ställ egna frågor i SPARQL", "Ask your own questions in SPARQL"),
    "field.project_number": ("Projektnummer", "Project number"),
    "field.case_number": ("Diarienummer", "Case number"),
    "field.period": ("Programperiod", "Programming period"),
    "field.phase": ("Fas", "Phase"),
    "field.dates": ("Projekttid", "Project period"),
    "field.programme_area": ("Programområde", "Programme area"),
    "field.specific_objective": ("Specifikt mål", "Specific objective"),
    "field.fund": ("Fond", "Fund"),
    "field.intervention": ("Insatsområde", "Type of intervention"),
    "field.cci": ("Programmets CCI-nummer", "Programme CCI"),
    "field.child_poverty": ("Barnfattigdom som tema", "Child poverty theme"),
    "field.strategic": ("Strategisk betydelse", "Strategic importance"),
    "field.region": ("Region", "Region"),
    "field.county": ("Län", "County"),
    "field.municipalities": ("Kommuner", "Municipalities"),
    "field.owner": ("Projektägare", "Project owner"),
    "field.part_of": ("del av", "part of"),
    "field.grant": ("ESF-stöd", "ESF grant"),
    "field.budget": ("Total budget", "Total budget"),
    "field.cost": ("Total kostnad", "Total cost"),
    "field.rate": ("EU:s medfinansieringsgrad", "EU co-financing rate"),
    "field.participants": ("Planerade deltagare", "Planned participants"),
    "field.partners": ("Samarbetspartner", "Partners"),
    "field.cofinanciers": ("Medfinansiärer", "Co-financiers"),
    "field.contacts": ("Kontakter utomlands", "Contacts abroad"),
    "field.evidence": ("Belägg i texten", "Evidence in the text"),
    "field.description": ("Beskrivning", "Description"),
    "field.links": ("Länkar ut", "Links out"),
    "field.formats": ("Data", "Data"),
    "field.related": ("Relaterade projekt", "Related projects"),
    "field.source": ("Källa", "Source"),
    "field.fetched": ("hämtad", "fetched"),
    "field.last_modified": ("ändrad enligt webbplatsen", "modified according to the site"),
    "field.org_number": ("Organisationsnummer", "Organisation number"),
    "field.statements": ("Alla påståenden", "All statements"),
    "field.location": ("Plats", "Location"),
    "related.owner": ("samma ägare", "same owner"),
    "related.municipality": ("samma kommun", "same municipality"),
    "related.text": ("liknande text", "similar text"),
    "related.none": ("Inga relaterade projekt hittades.", "No related projects found."),
    "related.noindex": ("Relaterade projekt kräver sökindexet, som inte är klart än.",
                        "Related projects need the search index, which is not ready yet."),
    "role.owner": ("Som projektägare", "As owner"),
    "role.partner": ("Som samarbetspartner", "As partner"),
    "role.cofinancier": ("Som medfinansiär", "As co-financier"),
    "role.transnational-contact": ("Som kontakt utomlands", "As contact abroad"),
    "role.via": ("via", "via"),
    "org.units": ("Enheter", "Units"),
    "org.parent": ("Tillhör", "Belongs to"),
    "org.copartners": ("Samarbetar med", "Works together with"),
    "org.area": ("Verksam i", "Serves"),
    "org.kind": ("Organisation", "Organisation"),
    "place.municipality": ("Kommun", "Municipality"),
    "place.county": ("Län", "County"),
    "place.region": ("ESF-region", "ESF region"),
    "place.projects": ("Projekt här", "Projects here"),
    "place.top_owners": ("Största projektägare", "Largest owners"),
    "place.contains": ("Består av", "Contains"),
    "total.projects": ("Projekt", "Projects"),
    "total.grant_owner": ("ESF-stöd som ägare", "ESF grant as owner"),
    "total.grant": ("ESF-stöd", "ESF grant"),
    "total.budget": ("Total budget", "Total budget"),
    "more": ("Visa alla i sökningen", "Show all in the search"),
    "list.shown": ("visar {shown} av {total}", "showing {shown} of {total}"),
    "th.project": ("Projekt", "Project"),
    "th.start": ("Start", "Start"),
    "th.owner": ("Ägare", "Owner"),
    "th.grant": ("ESF-stöd", "ESF grant"),
    "th.count": ("Projekt", "Projects"),
    "th.name": ("Namn", "Name"),
    "th.property": ("egenskap", "property"),
    "th.value": ("värde", "value"),
    "th.graph": ("graf", "graph"),
    "results.summary": ("{total} projekt · ESF-stöd {grant} · total budget {budget}",
                        "{total} projects · ESF grant {grant} · total budget {budget}"),
    "results.none": ("Inga projekt matchar sökningen.", "No projects match the search."),
    "results.didyoumean": ("Menade du", "Did you mean"),
    "results.sparql": ("Visa som SPARQL", "Show as SPARQL"),
    "results.download": ("Ladda ner", "Download"),
    "sort.label": ("Sortera", "Sort"),
    "sort.relevance": ("relevans", "relevance"),
    "sort.grant": ("ESF-stöd", "ESF grant"),
    "sort.start": ("startdatum", "start date"),
    "sort.title": ("titel", "title"),
    "order.desc": ("fallande", "descending"),
    "order.asc": ("stigande", "ascending"),
    "facet.period": ("Programperiod", "Programming period"),
    "facet.region": ("Region", "Region"),
    "facet.county": ("Län", "County"),
    "facet.municipality": ("Kommun", "Municipality"),
    "facet.programme_area": ("Programområde", "Programme area"),
    "facet.specific_objective": ("Specifikt mål", "Specific objective"),
    "facet.phase": ("Fas", "Phase"),
    "facet.owner": ("Projektägare", "Owner"),
    "facet.owner_type": ("Typ av ägare", "Owner type"),
    "facet.abroad": ("Kontakter utomlands", "Contacts abroad"),
    "facet.years": ("Startår", "Start year"),
    "facet.q": ("Sökord", "Search words"),
    "facet.start_from": ("Startår från", "Start year from"),
    "facet.start_to": ("Startår till", "Start year to"),
    "facet.grant_min": ("ESF-stöd minst", "ESF grant at least"),
    "facet.grant_max": ("ESF-stöd högst", "ESF grant at most"),
    "facet.grant": ("ESF-stöd (kr)", "ESF grant (SEK)"),
    "facet.from": ("från", "from"),
    "facet.to": ("till", "to"),
    "facet.min": ("minst", "at least"),
    "facet.max": ("högst", "at most"),
    "facet.apply": ("Filtrera", "Filter"),
    "facet.clear": ("Rensa alla filter", "Clear all filters"),
    "facet.selected": ("Valda filter", "Selected filters"),
    "facet.remove": ("ta bort", "remove"),
    "abroad.true": ("Ja", "Yes"),
    "abroad.false": ("Nej", "No"),
    "page.prev": ("Föregående", "Previous"),
    "page.next": ("Nästa", "Next"),
    "page.of": ("Sida {page} av {pages}", "Page {page} of {pages}"),
    "noindex.title": ("Sökindex saknas", "No search index"),
    "noindex.text": (("Den här sidan bygger på sökindexet, som inte kan användas just nu "
                      "(se nedan; med --endpoint byggs det från SPARQL-servern när servern "
                      "startar). Projektsidor, organisationer, platser och SPARQL-frågor "
                      "fungerar ändå."),
                     ("This page runs on the search index, which cannot be used right now "
                      "(see below; with --endpoint it is built from the SPARQL server when "
                      "the server starts). Project, organisation and place pages and SPARQL "
                      "queries work anyway.")),
    "map.title": ("Karta över ESF-stödet", "Map of ESF grants"),
    "map.level": ("Nivå", "Level"),
    "map.metric": ("Mått", "Measure"),
    "map.level.municipality": ("Kommun", "Municipality"),
    "map.level.county": ("Län", "County"),
    "map.level.region": ("Region", "Region"),
    "map.metric.grant": ("ESF-stöd", "ESF grant"),
    "map.metric.projects": ("Antal projekt", "Number of projects"),
    "map.show": ("Visa", "Show"),
    "map.legend": ("Teckenförklaring", "Legend"),
    "map.hint": (("Peka på eller tabba till ett område för att se dess värde; klicka för "
                  "platsens sida."),
                 "Point at or tab to an area to see its value; click for its page."),
    "map.none": ("inga projekt", "no projects"),
    "map.filters": ("Kartan följer sökningens filter:", "The map follows the search filters:"),
    "map.to_search": ("Visa projekten i sökningen", "Show the projects in the search"),
    "map.table": ("Värden som tabell", "Values as a table"),
    "map.attribution": ("Kartdata", "Map data"),
    "query.title": ("SPARQL-frågor", "SPARQL queries"),
    "query.examples": ("Färdiga frågor", "Ready-made queries"),
    "query.run": ("Kör frågan", "Run query"),
    "query.hint": ("Ctrl+Enter kör frågan. De fördeklarerade prefixen behöver ingen PREFIX-rad.",
                   "Ctrl+Enter runs the query. Predeclared prefixes need no PREFIX line."),
    "query.label": ("SPARQL-fråga", "SPARQL query"),
    "query.endpoint": ("SPARQL-ändpunkt", "SPARQL endpoint"),
    "query.void": ("beskrivning av datasetet", "dataset description"),
    "query.prefixes": ("Fördeklarerade prefix", "Predeclared prefixes"),
    "query.download": ("Ladda ner resultatet:", "Download the result:"),
    "notfound.title": ("Hittades inte", "Not found"),
    "notfound.text": ("Inget i grafen heter", "Nothing in this graph is called"),
    "error.title": ("Felaktig sökning", "Bad search"),
    # ---- one language per page (helper "lang"): /changes, errors, filters on small screens
    "changes.title": ("Ändringar", "What changed"),
    "changes.since": ("Från", "Since"),
    "changes.until": ("Till", "Until"),
    "changes.region": ("Region", "Region"),
    "changes.organisation": ("Organisation", "Organisation"),
    "changes.kind": ("Slag", "Kind"),
    "changes.all": ("alla", "all"),
    "changes.show": ("Visa", "Show"),
    "changes.none": ("Inga ändringar matchar.", "No changes match."),
    "changes.previous": ("tidigare identifierare", "earlier identifier"),
    "changes.status.added": ("nytt", "new"),
    "changes.status.removed": ("borttaget", "removed"),
    "changes.status.restored": ("tillbaka", "back again"),
    "changes.status.changed": ("ändrat", "changed"),
    "changes.kind.added": ("nya projekt", "new projects"),
    "changes.kind.removed": ("borttagna projekt", "removed projects"),
    "changes.kind.restored": ("projekt som kommit tillbaka", "projects back again"),
    "changes.kind.money": ("Pengar", "Money"),
    "changes.kind.dates-phase": ("Datum och fas", "Dates and phase"),
    "changes.kind.organisations": ("Organisationer", "Organisations"),
    "changes.kind.places": ("Platser", "Places"),
    "changes.kind.text": ("Text", "Text"),
    "changes.kind.other": ("Övriga fält", "Other fields"),
    "changes.kind.contact": ("Kontaktuppgifter", "Contact details"),
    "changes.field.title": ("titel", "title"),
    "changes.field.startDate": ("startdatum", "start date"),
    "changes.field.endDate": ("slutdatum", "end date"),
    "changes.field.abstract": ("sammanfattning", "summary"),
    "changes.field.description": ("beskrivning", "description"),
    "changes.field.identifier": ("identifierare", "identifier"),
    "changes.field.name": ("namn", "name"),
    "changes.field.email": ("e-post", "email"),
    "changes.field.telephone": ("telefon", "telephone"),
    "changes.history": ("Historik", "History"),
    "changes.history.all": ("Alla registrerade ändringar av projektet",
                            "Every recorded change of this project"),
    "changes.link": ("Ändringar", "Changes"),
    "error.detail": ("Felet i detalj (på engelska):", "The error in detail:"),
    "error.status": ("Sidan kunde inte visas ({status}).", "The page could not be shown ({status})."),
    "filters.button": ("Filter", "Filters"),
    "skip.results": ("Hoppa till resultaten", "Skip to the results"),
    "field.abstract": ("Sammanfattning", "Summary"),
}

#: Totals, missing amounts, whole downloads and countries (kept together: one topic).
TEXT.update({
    "facet.country": ("Land (kontakter utomlands)", "Country (contacts abroad)"),
    "facet.organisation": ("Organisation (alla roller)", "Organisation (any role)"),
    "org.all_roles": ("i alla roller", "in every role"),
    "results.covers": ("Summorna gäller {covers}.", "The sums cover {covers}."),
    "results.summary_all": ("{total} projekt · ESF-stöd {grant} · total budget {budget}",
                            "{total} projects · ESF grant {grant} · total budget {budget}"),
    "download.all": ("Ladda ner alla {total}", "Download all {total}"),
    "download.page": ("bara denna sida", "this page only"),
    "download.table": ("Ladda ner tabellen", "Download the table"),
    "download.every_change": ("Ladda ner alla ändringar som matchar", "Download every matching change"),
    "field.countries": ("Kontakter i", "Contacts in"),
    "map.unplaced": ("utan plats på denna nivå", "no place at this level"),
    "map.national": ("Nationellt", "National"),
    "map.unplaced_note": (("{count} projekt som matchar finns inte på kartan (nationella, "
                           "eller utan plats på denna nivå): se tabellen."),
                          ("{count} matching projects are not on the map (national, or "
                           "with no place at this level): see the table.")),
    "place.units_share": ("varav enheter", "of which units"),
    "place.all_owners": ("Alla ägare med enheternas andelar", "Every owner with its units' shares"),
    "org.covers": ("Som ägare: {covers}.", "As owner: {covers}."),
    "country.title": ("Land", "Country"),
    "place_abroad.kind": ("Ort utomlands", "Place abroad"),
    "country.projects": ("Projekt med kontakter här", "Projects with contacts here"),
    "country.contacts": ("Kontakter", "Contacts"),
    "country.evidence": ("Belägg", "Evidence"),
})


def t(key: str, lang: str, **values: object) -> str:
    """The UI text `key` in `lang`, with `{name}` fields filled; the key itself when unknown."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[0] if lang == "sv" else pair[1]
    return text.format(**values) if values else text


def choose_lang(query_lang: str | None, cookie: str | None, accept_language: str | None) -> str:
    """sv or en: the URL's choice, then the cookie, then Accept-Language, then Swedish."""
    for candidate in (query_lang, cookie):
        if candidate in LANGS:
            return candidate  # type: ignore[return-value]
    best, best_q = DEFAULT_LANG, 0.0
    for part in (accept_language or "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best


__all__ = ["COOKIE", "DEFAULT_LANG", "LANGS", "TEXT", "choose_lang", "t"]
