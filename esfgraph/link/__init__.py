"""Linking: Swedish places, public bodies and foreign contacts, with their external identifiers.

Reference tables live in esfgraph/data/ (each names its source at the top).
"""

from esfgraph.link.gazetteer import Gazetteer, default_gazetteer
from esfgraph.link.model import County, ForeignMention, Municipality, OrgRef, Region
from esfgraph.link.names import org_key

__all__ = ["County", "ForeignMention", "Gazetteer", "Municipality", "OrgRef", "Region",
           "default_gazetteer", "org_key"]
