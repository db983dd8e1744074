"""Is a place named in a sentence a transnational contact, or named for another reason?

A contact abroad is a partner, a visit, an exchange or a cooperation with someone there. Pages
also name countries for other reasons, and those must not become contacts (issue 22):

* where the target group comes from: "personer från Ukraina", "nyanlända från bland annat
  Syrien och Eritrea", "födda i Somalia", "med bakgrund i Irak";
* war and news: "Rysslands invasion av Ukraina", "kriget i Syrien", "flydde från Afghanistan";
* comparisons: "som i Danmark", "jämfört med Norge", "än i Finland", "till skillnad från";
* EU membership: "Kroatien blev medlem i EU", "medlemsländer som Polen";
* research and statistics: "forskning från Finland", "statistik från Tyskland";
* citizenship and qualifications: "medborgare i", "examen från Iran".

The cues are read around each mention (the words just before it and the word after it), not
from a list of known sentences, and a cue covers the whole coordinated list it introduces
("från Syrien, Irak och Somalia"). Outside the transnational-cooperation section a sentence
must in addition say why the place matters (a partner, a visit, an exchange, ...): a
background text names countries for many reasons.
"""

from __future__ import annotations

import re
from itertools import pairwise

_W = r"[^\W\d_]+"  # one word
#: People the pages describe by where they come from (the target group), as a word ending.
_PEOPLE = (r"(?:personer|människor|nyanlända|flyktingar|flyktingarna|invandrare|migranter|"
           r"asylsökande|skyddsbehövande|ensamkommande|kvinnor|män|familjer|föräldrar|"
           r"barn|ungdomar|unga|elever|medborgare|arbetskraft|anhöriga|grupper|målgrupp(?:en)?|"
           r"målgrupper|födda|befolkning(?:en)?|invånare|minoriteter|romer)")
_FILLER = r"(?:bland\s+annat|bl\.\s?a\.|främst|framför\s+allt|framförallt|huvudsakligen|" \
          r"exempelvis|t\.\s?ex\.|till\s+exempel|länder\s+som|länder\s+såsom|till\s+största\s+" \
          r"delen|i\s+första\s+hand|till\s+exempel|som|såsom|hela|norra|södra|östra|västra)"
#: What may stand between a cue and the mention: fillers ("bland annat", "främst") and earlier
#: items of the same list, recognised as places or not ("från Syrien, Afghanistan och ...").
_TAIL = rf"(?:\s+{_FILLER}|\s+(?-i:[A-ZÅÄÖ])[\w-]*\s*(?:,|\s+och|\s+eller|\s+samt|\s+and|\s+or))*\s+$"

#: The text just before a mention that says it is not a contact (matched case-insensitively).
_BEFORE = re.compile("|".join([
    # origin of people: "personer från", "nyanlända kvinnor från bland annat", "de som kommer från"
    rf"\b[^\W\d_]*{_PEOPLE}(?:,?\s+{_W}){{0,4}}?\s+(?:från|ifrån){_TAIL}",
    # where someone lived or worked before: "har tidigare arbetat i Polen", "vuxit upp i"
    (rf"\b(?:bott|bodde|levt|levde|arbetat|arbetade|studerat|studerade|vuxit\s+upp|växte\s+upp)"
     rf"(?:\s+{_W}){{0,1}}?\s+(?:i|på){_TAIL}"),
    r"\bhemland\w*,?(?:\s+\w+){0,3}?\s+(?:från|i|som)\s+$",
    # English: "come from", "refugees from", "born in", "the war in", "compared with", "as in"
    (rf"\b(?:comes?|came|coming|refugees|migrants|immigrants|born|fled|fleeing|originate|"
     rf"originally|war|invasion|conflict|crisis|compared|than|like|as)(?:\s+{_W}){{0,1}}?\s+"
     rf"(?:from|in|of|with|to|on)?{_TAIL}"),
    (rf"\b(?:kommer|kom|kommit|kommer\s+ursprungligen|härstammar|härstammande|flytt|flydde|"
     rf"flytt|fly|flyr|flyende|flykt(?:en)?|invandrat|invandrade|anlänt|anlände|utvandrat|"
     rf"deporterade|evakuerade|ursprungligen|ursprung|härkomst|rötter)(?:\s+{_W}){{0,2}}?\s+"
     rf"(?:från|ifrån|i|ur){_TAIL}"),
    (rf"\b(?:född|födda|födde|uppvuxen|uppvuxna|uppväxt|bakgrund|bakgrunder|medborgare|"
     rf"medborgarskap|medborgarskapet|nationalitet)(?:,?\s+{_W}){{0,3}}?\s+"
     rf"(?:i|från|ifrån|av|med){_TAIL}"),
    # qualifications earned abroad: "examen från Iran", "yrkeserfarenhet från Irak"
    (rf"\b(?:examen|examina|utbildning|utbildningar|yrkesutbildning|yrkeserfarenhet|"
     rf"arbetslivserfarenhet|legitimation|betyg)(?:\s+{_W}){{0,2}}?\s+(?:från|ifrån){_TAIL}"),
    # war and news: "kriget i", "invasion av", "konflikten mellan", "situationen i"
    (rf"\b[^\W\d_]*(?:krig|kriget|krigets|invasion|invasionen|anfall|anfallet|angrepp|angreppet|"
     rf"ockupation|ockupationen|situation|situationen|läget|konflikt|konflikten|konflikterna|kris|krisen|oroligheter|"
     rf"oroligheterna|jordbävning|jordbävningen|katastrof|katastrofen|bombningar|regim|regimen|"
     rf"förföljelse|förtryck|terror|inbördeskrig|inbördeskriget|pandemi|pandemin|utbrott|"
     rf"torka|torkan|svält|svälten|hungersnöd|hungersnöden|översvämning|översvämningarna|"
     rf"jordskalv|jordskalvet|flyktingström|flyktingströmmen|flyktingkris|flyktingkrisen|"
     rf"sanktioner|sanktionerna|upprustning)(?:\s+{_W}){{0,2}}?\s+"
     rf"(?:i|av|mot|från|mellan|på|med|inom){_TAIL}"),
    # comparisons: "som i", "jämfört med", "än i", "till skillnad från", "i likhet med"
    r"\b(?:som|liksom|likt|än|såsom)\s+(?:i|på|för|med|inom)?\s*$",
    (r"\b(?:jämfört|jämförelse|jämförelser|jämföra|jämför|likhet|motsvarighet|förebild|"
     r"skillnad|skillnaden)\s+(?:med|mot|till|från|i|av)(?:\s+\w+){0,2}?\s+(?:i\s+)?$"),
    # EU membership
    (rf"\b(?:medlemsländer|medlemsländerna|medlemsland|medlemsstat|medlemsstater|"
     rf"medlemsstaterna|EU-länder|EU-länderna|EU-land|kandidatland|kandidatländer)"
     rf"(?:\s+{_W}){{0,2}}?{_TAIL}"),
    r"\b(?:medlemsländer|medlemsstater|EU-länder|länder)\s+(?:som|såsom)\s*$",
    # research, statistics, news about a country
    (rf"\b[^\W\d_]*(?:forskning|forskningen|studie|studien|studier|rapport|rapporten|rapporter|statistik|"
     rf"undersökning|undersökningar|siffror|data|nyheter|medier|media|arbetslöshet|"
     rf"arbetslösheten|lagstiftning|lagstiftningen|politik|politiken|ekonomi|"
     rf"ekonomin|välfärd|välfärden|val|valet|regering|regeringen)(?:\s+{_W}){{0,3}}?\s+"
     rf"(?:från|i|om|inom|för){_TAIL}"),
]), re.IGNORECASE)

#: The text just after a mention that says it is not a contact: "Rysslands invasion",
#: "Ukraina, som invaderades", "Kroatien blev medlem i EU", "Polen gick med i EU".
_AFTER = re.compile("|".join([
    (r"^s?\s+(?:\w+\s+){0,1}?\w*(?:krig|kriget|invasion|invasionen|anfall|anfallet|angrepp|"
     r"angreppet|anfallskrig|ockupation|aggression|attack|attacken|bombningar|regim|regimen)\b"),
    (r"^\s*(?:,\s*som\s+)?(?:\w+\s+){0,1}?(?:invaderades|anfölls|angreps|bombades|ockuperades|"
     r"drabbats|drabbades)\b"),
    (r"^s?\s+(?:\w+\s+){0,2}?(?:medlemskap|medlemskapet|inträde|inträdet|anslutning|"
     r"anslutningen)\b"),
    (r"^\s+(?:\w+\s+){0,1}?(?:blev|blivit|är|var)\s+(?:\w+\s+){0,1}?(?:medlem|medlemsland|"
     r"medlemsstat)\b"),
    r"^\s+(?:\w+\s+){0,1}?(?:gick|gått|går)\s+med\s+i\s+EU\b",
    r"^s?\s+(?:\w+\s+){0,3}?i\s+(?:krig|inbördeskrig|konflikt)\b",
    # a country as the subject of a statistic or of migration: "I Norge är sysselsättningen
    # högre", "Grekland och Italien har tagit emot många migranter"
    (r"^s?\s+(?:är|var|har|hade|ligger|låg|ökar|ökade|minskar|minskade)\s+(?:\w+\s+){0,2}?"
     r"\w*(?:arbetslöshet|arbetslösheten|sysselsättning|sysselsättningen|sysselsättningsgrad|"
     r"sysselsättningsgraden|andel|andelen|antalet|nivån|befolkning|befolkningen|ekonomin|"
     r"tillväxten|lönerna|kostnaderna|statistiken)\b"),
    (r"^s?\s+(?:\w+\s+){0,2}?(?:tagit|tar|tog)\s+emot\s+(?:\w+\s+){0,2}?"
     r"(?:flyktingar|migranter|asylsökande|invandrare|nyanlända|skyddsbehövande)\b"),
]), re.IGNORECASE)

#: Words between two places of one coordinated list: "Syrien, Irak och Somalia".
_LIST_GAP = re.compile(r"^s?\s*(?:,|,?\s*(?:och|eller|samt|respektive|liksom|and|or)|/)\s*$",
                       re.IGNORECASE)

#: A sentence that says why a place abroad matters: a partner, a visit, an exchange.
_WHY = re.compile(
    r"samarbet|samverk|partner|studiebesök|studieres|besök|utbyt|utväxl|transnation|konferens|"
    r"nätverk|resa\b|resor\b|reser\b|resan\b|praktik|mobilitet|kontakt|delegation|inspiration|"
    r"lär(?:a|t|de)?\s+(?:av|från|oss)|erfarenhet(?:er|erna)\s+(?:från|av|med)|benchmark|"
    r"cooperat|exchange|visit|partner|study\s+trip|network|collaborat",
    re.IGNORECASE)


#: Characters read before and after a mention for its cues (a dozen words or a short list).
_WINDOW = 160


def not_contact(sentence: str, spans: list[tuple[int, int]]) -> list[bool]:
    """For each place mention (character span in the sentence): True when the words around it
    name it for a reason other than a contact (origin, war, comparison, EU membership, ...).

    A cue before a mention carries over the coordinated list that follows it, and a cue after
    a mention back over the list before it.
    """
    # cues are local: a window before and after each mention keeps a long sentence with many
    # places linear (the list rules below carry a cue further along a list)
    blocked = [bool(_BEFORE.search(sentence[max(0, a - _WINDOW):a]))
               or bool(_AFTER.match(sentence[b:b + _WINDOW])) for a, b in spans]
    order = sorted(range(len(spans)), key=lambda k: spans[k][0])
    for prev, nxt in pairwise(order):  # forward over "från Syrien, Irak och Somalia"
        if blocked[prev] and _LIST_GAP.match(sentence[spans[prev][1]:spans[nxt][0]]):
            blocked[nxt] = True
    for prev, nxt in reversed(list(pairwise(order))):  # back over "Ryssland och Ukrainas krig"
        if blocked[nxt] and _AFTER.match(sentence[spans[nxt][1]:]) and \
                _LIST_GAP.match(sentence[spans[prev][1]:spans[nxt][0]]):
            blocked[prev] = True
    return blocked


def says_why(sentence: str) -> bool:
    """True when a sentence presents what it names abroad as a partner, visit or exchange."""
    return bool(_WHY.search(sentence))
