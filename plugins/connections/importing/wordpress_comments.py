"""WordPress comments into an Isso database, under each story's thread.

The tables are Isso's own: `isso.db.SQLite3` creates (or migrates) them, so
the file is one Isso opens as its own. The rows are then written in one
SQLite transaction (Isso's classes open a connection per statement, which
would take minutes for 50,000 comments and could not be rolled back): an
interrupted import leaves the database as it was.

- A thread's `uri` is the story's comment thread, `comments.thread_id`
  (`story:<identity>`), the one the story's page asks for.
- Approved comments are published (mode 1); comments awaiting moderation
  are imported as pending (mode 2: Isso's moderation shows them, readers do
  not see them); spam and trash are not imported.
- Isso shows one level of replies: a reply to a reply is filed under the
  comment that started the conversation, as Isso itself files new replies.
- Pingbacks and trackbacks that were approved become a short comment saying
  where the story was linked from (author: the linking site's name, website:
  its address); unapproved ones are not imported.
- Commenters' IP addresses are anonymised as Isso does (`isso.utils.anonymize`);
  e-mail addresses are kept for the site's owner (Isso never shows them).
- A table of this importer's own, `connections_wordpress`, remembers which
  WordPress comment became which Isso comment, so importing again adds
  nothing twice (and a comment a moderator deleted is not brought back).
"""

import datetime
import os
import sqlite3

from isso import config as isso_config
from isso.db import SQLite3
from isso.db.comments import Comments
from isso.utils import Bloomfilter, anonymize

VALID, PENDING = 1, 2


def _epoch(gmt, local):
    for text, zone in ((gmt, datetime.timezone.utc), (local, datetime.timezone.utc)):
        text = (text or "").strip()
        if text and not text.startswith("0000"):
            try:
                when = datetime.datetime.fromisoformat(text[:19])
            except ValueError:
                continue
            return when.replace(tzinfo=zone).timestamp()
    return None


class IssoImport:
    """One import's comments, committed together by `commit()`."""

    def __init__(self, path, site):
        self.path = os.path.abspath(path)
        self.site = site or ""
        self.counts = {"published": 0, "pending": 0, "spam": 0, "pingbacks": 0,
                       "already": 0, "skipped pingbacks": 0}
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        SQLite3(self.path, isso_config.load(isso_config.default_file()))  # Isso's schema, migrated
        assert Comments.fields[-1] == "notification"  # the columns written below
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS connections_wordpress ("
            " site TEXT NOT NULL, post TEXT NOT NULL, comment INTEGER NOT NULL,"
            " id INTEGER, PRIMARY KEY (site, post, comment))"
        )
        self.db.execute("BEGIN IMMEDIATE")
        self._voters = {}
        self._threads = {}

    def _thread(self, uri, title):
        tid = self._threads.get(uri)
        if tid is None:
            row = self.db.execute("SELECT id FROM threads WHERE uri=?", (uri,)).fetchone()
            if row is None:
                tid = self.db.execute(
                    "INSERT INTO threads (uri, title) VALUES (?, ?)", (uri, title)
                ).lastrowid
            else:
                tid = row[0]
            self._threads[uri] = tid
        return tid

    def _voters_for(self, address):
        blob = self._voters.get(address)
        if blob is None:
            blob = self._voters[address] = memoryview(Bloomfilter(iterable=[address]).array)
        return blob

    def add_story(self, post_key, uri, title, comments, say, shown=True):
        """Import a story's comments (dicts as wordpress.py reads them).

        `say(message)` tells the author about one comment (a missing parent);
        shown=False: a thread no page shows (a page's), counted apart."""
        done = dict(self.db.execute(
            "SELECT comment, id FROM connections_wordpress WHERE site=? AND post=?",
            (self.site, post_key),
        ).fetchall())
        by_id = {c["id"]: c for c in comments}
        imported = {}  # wordpress id -> isso id (this run or an earlier one)
        imported.update(done)
        tid = None

        def top(c):
            """The WordPress id of the comment that started c's conversation."""
            seen = set()
            while c["parent"] and c["parent"] in by_id and c["parent"] not in seen:
                seen.add(c["id"])
                c = by_id[c["parent"]]
            return c["id"]

        for c in sorted(comments, key=lambda c: (c["created_sort"], c["id"])):
            kind = c["type"]
            approved = c["approved"]
            if approved in ("spam", "trash", "post-trashed"):
                self.counts["spam"] += 1
                continue
            if kind in ("pingback", "trackback") and approved != "1":
                self.counts["skipped pingbacks"] += 1
                continue
            if c["id"] in done:
                self.counts["already"] += 1
                continue
            if c["parent"] and c["parent"] not in by_id:
                say(f"comment {c['id']}'s parent comment {c['parent']} is not in the export; "
                    "imported as a comment of its own")
            parent = None
            root = top(c)
            if root != c["id"]:
                parent = imported.get(root)
            if tid is None:
                tid = self._thread(uri, title)
            mode = VALID if approved == "1" else PENDING
            text, author, website = c["text"], c["author"] or None, c["url"] or None
            if not shown:
                self.counts["kept, not shown"] = self.counts.get("kept, not shown", 0) + 1
                if kind in ("pingback", "trackback"):
                    where = f"[{author or website}]({website})" if website else (author or "another site")
                    text = f"*Linked from {where}*" + (f": {text}" if text else "")
            elif kind in ("pingback", "trackback"):
                self.counts["pingbacks"] += 1
                where = f"[{author or website}]({website})" if website else (author or "another site")
                text = f"*Linked from {where}*" + (f": {text}" if text else "")
            elif mode == VALID:
                self.counts["published"] += 1
            else:
                self.counts["pending"] += 1
            address = anonymize(c["ip"] or "0.0.0.0")
            created = c["created"] or 0.0
            isso_id = self.db.execute(
                "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr,"
                " text, author, email, website, voters, notification)"
                " VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 0)",
                (tid, parent, created, mode, address, text or " ", author,
                 c["email"] or None, website, self._voters_for(address)),
            ).lastrowid
            imported[c["id"]] = isso_id
            self.db.execute(
                "INSERT INTO connections_wordpress (site, post, comment, id) VALUES (?, ?, ?, ?)",
                (self.site, post_key, c["id"], isso_id),
            )

    def commit(self):
        self.db.execute("COMMIT")
        self.db.close()

    def rollback(self):
        try:
            self.db.execute("ROLLBACK")
        finally:
            self.db.close()
