"""The harvest folder: the contract between the harvester (writes) and `build` (reads).

```
OUT/
  harvest.json            {"format": "esfgraph-harvest/1", "base", "created", "updated"}
  journal.jsonl           the harvester's own journal (see journal.py)
  pages/<key>.html.gz     the body exactly as fetched, gzip-compressed
  pages/<key>.meta.json   {"url", "final_url", "status", "fetched_at", "etag", "last_modified",
                           "sha256", "content_type", "gone", "gone_since"}
```
`<key>` comes from `Site.key`. Every file is written to a temporary name and renamed, so a
kill never leaves half a file; the body is written before its metadata, so a kill between the
two leaves old validators beside a new body and the next harvest re-fetches it. A page that
disappears from the site keeps its files and is marked `gone`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from esfgraph.errors import HarvestError

FORMAT = "esfgraph-harvest/1"
META_KEYS = ("url", "final_url", "status", "fetched_at", "etag", "last_modified", "sha256",
             "content_type", "gone", "gone_since")


def now_iso() -> str:
    """The current time as ISO 8601 UTC to the second with `Z`."""
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Folder:
    """A harvest folder, opened for one run (locked against a second harvester)."""

    def __init__(self, root: Path, base: str | None) -> None:
        self.root = root
        self.pages = root / "pages"
        self.info = self._open(base)
        self.base: str = self.info["base"]
        self._lock_fh: Any = None

    def _open(self, base: str | None) -> dict[str, Any]:
        info_path = self.root / "harvest.json"
        if self.root.exists() and not self.root.is_dir():
            raise HarvestError(f"--out {self.root} is a file; give a folder")
        if info_path.exists():
            try:
                info = json.loads(info_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise HarvestError(f"{info_path}: cannot be read ({exc}); move the folder away "
                                   "or harvest into another --out") from exc
            if not isinstance(info, dict) or info.get("format") != FORMAT:
                raise HarvestError(f"{info_path}: not an {FORMAT} folder (format "
                                   f"{info.get('format') if isinstance(info, dict) else None!r})")
            if base is not None and base.rstrip("/") != str(info.get("base", "")).rstrip("/"):
                raise HarvestError(f"{self.root} holds pages of {info.get('base')}, not of {base}; "
                                   "use that --base or another --out")
            return info
        if self.root.exists() and any(p.name not in (".lock",) for p in self.root.iterdir()):
            raise HarvestError(f"{self.root} is not empty and is not a harvest folder (no "
                               "harvest.json); give --out an empty or new folder")
        stamp = now_iso()
        return {"format": FORMAT, "base": base or "", "created": stamp, "updated": stamp}

    def create(self, base: str) -> None:
        """Make the folder (if new), take the lock, and write harvest.json."""
        self.pages.mkdir(parents=True, exist_ok=True)
        self._lock()
        self.info["base"] = self.base = self.info.get("base") or base
        self.write_info()

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one harvester at a time is on the user
            return
        self._lock_fh = (self.root / ".lock").open("w")
        try:
            fcntl.flock(self._lock_fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock_fh.close()
            self._lock_fh = None
            raise HarvestError(f"{self.root}: another harvest is writing to this folder; wait "
                               "for it to finish") from exc

    def close(self) -> None:
        """Release the lock."""
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    def write_info(self) -> None:
        """Write harvest.json with `updated` set to now."""
        self.info["updated"] = now_iso()
        data = {k: self.info[k] for k in ("format", "base", "created", "updated")}
        write_atomic(self.root / "harvest.json", json.dumps(data, indent=2).encode("utf-8") + b"\n")

    @property
    def journal_path(self) -> Path:
        """Where the journal lives."""
        return self.root / "journal.jsonl"

    # -- pages ----------------------------------------------------------------------------------
    def meta(self, key: str) -> dict[str, Any] | None:
        """The metadata of page `key`, or None if there is none (or it cannot be read)."""
        path = self.pages / f"{key}.meta.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def has_body(self, key: str) -> bool:
        """True if the page's body file is there."""
        return (self.pages / f"{key}.html.gz").exists()

    def page_urls(self) -> list[str]:
        """The URL of every page in the folder (to revisit them)."""
        urls = []
        for path in sorted(self.pages.glob("*.meta.json")):
            meta = self.meta(path.name[: -len(".meta.json")])
            if meta and isinstance(meta.get("url"), str):
                urls.append(meta["url"])
        return urls

    def store(self, key: str, url: str, final_url: str, status: int, body: bytes,
              headers: dict[str, str]) -> str:
        """Write a fetched page; return "new", "changed" or "same" (same body as before)."""
        sha = hashlib.sha256(body).hexdigest()
        old = self.meta(key)
        write_atomic(self.pages / f"{key}.html.gz", gzip.compress(body, mtime=0))
        self._write_meta(key, {
            "url": url, "final_url": final_url, "status": status, "fetched_at": now_iso(),
            "etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
            "sha256": sha, "content_type": headers.get("content-type"),
            "gone": False, "gone_since": None})
        if old is None:
            return "new"
        return "same" if old.get("sha256") == sha and not old.get("gone") else "changed"

    def mark_gone(self, key: str) -> bool:
        """Mark page `key` gone (files kept); True if it was there and not gone before."""
        meta = self.meta(key)
        if meta is None:
            return False
        was_there = not meta.get("gone")
        if was_there:
            meta["gone"], meta["gone_since"] = True, now_iso()
            self._write_meta(key, meta)
        return was_there

    def mark_back(self, key: str) -> None:
        """A page answered 304 again after it was marked gone: it is back."""
        meta = self.meta(key)
        if meta is not None and meta.get("gone"):
            meta["gone"], meta["gone_since"] = False, None
            self._write_meta(key, meta)

    def _write_meta(self, key: str, meta: dict[str, Any]) -> None:
        data = {k: meta.get(k) for k in META_KEYS}
        write_atomic(self.pages / f"{key}.meta.json",
                     json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n")
