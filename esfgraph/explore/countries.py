"""Country names in Swedish and English, for the explorer's country facet and country pages.

Why here: the graph names a country only in English (`rdfs:label "Finland"@en`, from
pycountry); a Swedish page must say "Tyskland", not "Germany". pycountry ships the Debian
iso-codes translations (Swedish included), so no table of our own is needed.
"""

from __future__ import annotations

import gettext
from functools import lru_cache


@lru_cache(maxsize=4)
def _translation(lang: str) -> gettext.NullTranslations:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


@lru_cache(maxsize=1024)
def country_name(code: str, lang: str = "sv") -> str:
    """The name of an ISO 3166-1 alpha-2 country in `lang` ("DE" -> "Tyskland" / "Germany");
    the code itself when unknown."""
    import pycountry

    found = pycountry.countries.get(alpha_2=(code or "").upper())
    if found is None:
        return code
    english = getattr(found, "common_name", None) or found.name
    if lang == "en":
        return english
    return _translation(lang).gettext(found.name)


__all__ = ["country_name"]
