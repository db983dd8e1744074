"""An Atom feed (RFC 4287) of change sets: one entry per changed project, newest first.

Each entry's id is the change set's IRI (permanent, never reused: it holds the build id),
its updated time the build's, its link the project page, its summary the changed fields.
The feed's updated time is its newest entry's (or the epoch for an empty feed, so that the
feed is still valid and stable).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from esfgraph.changes.log import LoggedChange
from esfgraph.changes.report import field_line

ATOM_NS = "http://www.w3.org/2005/Atom"
EMPTY_UPDATED = "1970-01-01T00:00:00Z"


def _summary(change: LoggedChange) -> str:
    if change.status == "added":
        return "New project."
    if change.status == "restored":
        return "The project is back in the data."
    if change.status == "removed":
        return "The project is no longer in the data."
    return "; ".join(field_line(f, change.labels) for f in change.fields) or "Changed."


def _title(change: LoggedChange) -> str:
    verb = {"added": "New", "removed": "Removed", "restored": "Back",
            "changed": "Changed"}.get(change.status, change.status)
    kinds = f" ({', '.join(change.kinds)})" if change.kinds else ""
    return f"{verb}: {change.title or change.project}{kinds}"


def atom_feed(changes: Sequence[LoggedChange], *, self_url: str, site: str,
              title: str = "ESF project changes") -> str:
    """The feed document as text (UTF-8 XML)."""
    updated = max((c.when for c in changes), default=EMPTY_UPDATED)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="{ATOM_NS}">',
           f"  <id>{escape(self_url)}</id>",
           f"  <title>{escape(title)}</title>",
           f"  <updated>{escape(updated)}</updated>",
           "  <author><name>esfgraph</name></author>",
           f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
           f'  <link rel="alternate" type="text/html" href={quoteattr(site + "/changes")}/>',
           '  <generator>esfgraph</generator>']
    for c in changes:
        href = c.project if not c.project.startswith("http") else _local(c.project, site)
        out += ["  <entry>",
                f"    <id>{escape(c.changeset)}</id>",
                f"    <title>{escape(_title(c))}</title>",
                f"    <updated>{escape(c.when)}</updated>",
                f'    <link rel="alternate" type="text/html" href={quoteattr(href)}/>',
                f'    <summary type="text">{escape(_summary(c))}</summary>']
        out += [f'    <category term={quoteattr(k)}/>' for k in c.kinds]
        out.append("  </entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _local(iri: str, site: str) -> str:
    """The project page on this server (the IRI's path), so a reader links where it reads."""
    from urllib.parse import urlsplit

    path = urlsplit(iri).path
    return site + path if path.startswith("/id/") else iri


__all__ = ["atom_feed"]
