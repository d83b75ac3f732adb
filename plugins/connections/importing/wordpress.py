"""`python -m connections import wordpress EXPORT.xml`: a WordPress blog, moved in.

It reads the export WordPress's Tools > Export writes (WXR 1.0 to 1.2) as a
stream - lxml's iterparse, each item cleared once read, so memory does not
grow with the export - and writes:

- each post as `<ARTICLE_PATHS[0]>/<slug>.md` with the full header, its body
  converted to Markdown (wordpress_body.py), and `Id: wordpress-<post id>`:
  the story's identity, which its comment thread and feed entries are keyed
  by, so they stay with it whatever the author renames later;
- each page as `<PAGE_PATHS[0]>/<slug>.md`;
- drafts, pending, scheduled (future), private and password-protected posts
  as `Status: draft` (never published; a post's password is never written);
- each author without a profile as a person profile (display name);
- the comments into an Isso database (wordpress_comments.py), under each
  story's thread;
- `redirects.json` (CONNECTIONS_REDIRECTS_FILE): each post's old permalink
  and `/?p=<id>`, which the build turns into redirect pages and a map for
  nginx and Apache (redirects.py);
- `wordpress-import.json`: what this import wrote, with a digest of each
  file, so importing again never overwrites a file the author has edited
  since, and adds nothing twice.

Nothing is half-written: files are written beside their place and renamed
into it at the end, the comments are one SQLite transaction, and a file
that is not a complete export stops the import before anything changes.
"""

import collections
import datetime
import hashlib
import json
import os
import re
import sys
import time
import urllib.parse
import zoneinfo

from lxml import etree

from ..comments.providers import thread_id
from ..diagnostics import ContentError
from . import wordpress_body as body

RECORD = "wordpress-import.json"
WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/")  # http and https both occur
KNOWN_VERSIONS = ("1.0", "1.1", "1.2")
DRAFT_STATUSES = {"draft", "pending", "future", "private", "auto-draft"}
PROGRESS_EVERY = 1000
NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
TMP_SUFFIX = ".wp-tmp"


class ExportError(ContentError):
    exitcode = 2


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _ns(tag):
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def _children(elem):
    """{name: text} of an element's children (the first of each name)."""
    found = {}
    for child in elem:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        key = _key(tag)
        if key not in found:
            found[key] = child.text or ""
    return found


def _one_line(text):
    return " ".join(str(text or "").split())


def _plain(text):
    """A title, name or term as text: WordPress stores them with HTML entities."""
    import html

    return _one_line(html.unescape(str(text or "")))


def _header_value(text):
    # a header is one line; a value must not start a new header or end it
    return _one_line(text)


# --- reading the export ------------------------------------------------------


def read_export(path):
    """Yield ("channel", {...}), ("author", {...}) and ("item", {...}) as read.

    Raises ExportError (one line, naming the file and line) for a file that is
    not a complete WordPress export."""
    shown = path
    channel = {"version": None, "base": "", "link": "", "title": ""}
    seen_wp = None
    announced = False
    try:
        # Events only for the elements read here: an item's own children are
        # read from the item, once it is complete.
        context = etree.iterparse(
            path, events=("start", "end"), huge_tree=True, resolve_entities=False,
            no_network=True, remove_comments=True,
            tag=("rss", "item", "{*}wxr_version", "{*}base_site_url", "{*}author", "link", "title"),
        )
        for event, elem in context:
            name = _local(elem.tag)
            if event == "start":
                if name == "rss" and seen_wp is None:
                    if elem.getparent() is not None:
                        continue
                    seen_wp = any(WP_NAMESPACE.match(str(v)) for v in elem.nsmap.values())
                elif name == "item" and not announced:
                    if seen_wp is None:
                        break  # not inside <rss>: said below
                    announced = True
                    yield "channel", dict(channel, wordpress=seen_wp)
                continue
            parent = elem.getparent()
            in_channel = parent is not None and _local(parent.tag) == "channel"
            if name == "item" and in_channel:
                yield "item", _item(elem)
                elem.clear()
                while elem.getprevious() is not None:
                    del parent[0]
            elif in_channel and not announced:
                value = (elem.text or "").strip()
                if name == "wxr_version":
                    channel["version"] = value
                elif name == "base_site_url":
                    channel["base"] = value
                elif name == "link" and not _ns(elem.tag):
                    channel["link"] = value
                elif name == "title" and not _ns(elem.tag):
                    channel["title"] = value
                elif name == "author" and WP_NAMESPACE.match(_ns(elem.tag)):
                    yield "author", _children(elem)
        if seen_wp is None:
            root = context.root
            what = _local(root.tag) if root is not None else "nothing"
            raise ExportError(
                f"{shown}:1: this is not a WordPress export (its root element is <{what}>, "
                "not <rss>); in WordPress, use Tools > Export > All content and import the "
                "file it downloads"
            )
        if not announced:
            yield "channel", dict(channel, wordpress=seen_wp)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or (exc.position[0] if getattr(exc, "position", None) else 0)
        raise ExportError(
            f"{shown}:{line}: the export is cut short or is not well-formed XML "
            f"({_one_line(exc.msg)[:120]}); nothing was imported - export it again from WordPress "
            "(Tools > Export) and import the new file"
        ) from None
    except OSError as exc:
        raise ExportError(f"{shown}: cannot read it ({exc.strerror or exc})") from None


_KEYS = {}


def _key(tag):
    """The name an item's child is read by: its local name, `content`,
    `excerpt` or `dc:creator`."""
    key = _KEYS.get(tag)
    if key is None:
        name, ns = _local(tag), _ns(tag)
        if ns.endswith("/excerpt/"):
            key = "excerpt"
        elif ns == NS["content"]:
            key = "content"
        elif ns == NS["dc"]:
            key = "dc:" + name
        else:
            key = name
        _KEYS[tag] = key
    return key


def _item(elem):
    fields = _children(elem)
    item = {
        "line": elem.sourceline,
        "title": fields.get("title", ""),
        "link": (fields.get("link") or "").strip(),
        "creator": (fields.get("dc:creator") or "").strip(),
        "content": fields.get("content", ""),
        "excerpt": fields.get("excerpt", ""),
        "id": (fields.get("post_id") or "").strip(),
        "date": (fields.get("post_date") or "").strip(),
        "date_gmt": (fields.get("post_date_gmt") or "").strip(),
        "pubdate": (fields.get("pubDate") or "").strip(),
        "modified": (fields.get("post_modified") or "").strip(),
        "modified_gmt": (fields.get("post_modified_gmt") or "").strip(),
        "name": (fields.get("post_name") or "").strip(),
        "status": (fields.get("status") or "").strip(),
        "type": (fields.get("post_type") or "").strip(),
        "password": bool((fields.get("post_password") or "").strip()),
        "parent": (fields.get("post_parent") or "").strip(),
        "attachment_url": (fields.get("attachment_url") or "").strip(),
        "categories": [],
        "tags": [],
        "comments": [],
    }
    for child in elem:
        name = _key(child.tag) if isinstance(child.tag, str) else ""
        if name == "category":
            domain = child.get("domain") or "category"
            text = _plain(child.text)
            if text and domain == "category":
                item["categories"].append(text)
            elif text and domain == "post_tag":
                item["tags"].append(text)
        elif name == "comment":
            c = _children(child)
            try:
                cid = int((c.get("comment_id") or "0").strip() or 0)
                parent = int((c.get("comment_parent") or "0").strip() or 0)
            except ValueError:
                continue
            from .wordpress_comments import _epoch

            created = _epoch(c.get("comment_date_gmt"), c.get("comment_date"))
            item["comments"].append({
                "id": cid,
                "parent": parent,
                "author": _plain(c.get("comment_author")),
                "email": (c.get("comment_author_email") or "").strip(),
                "url": (c.get("comment_author_url") or "").strip(),
                "ip": (c.get("comment_author_IP") or "").strip(),
                "created": created,
                "created_sort": created or 0.0,
                "text": body.comment_markdown(c.get("comment_content")),
                "approved": (c.get("comment_approved") or "").strip(),
                "type": (c.get("comment_type") or "").strip().lower(),
            })
    return item


# --- one import ----------------------------------------------------------------


def _digest(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomic(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + TMP_SUFFIX)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    return tmp


class Importer:
    def __init__(self, settings, export, comments_db=None, dry_run=False, tag_known=False,
                 out=None, err=None):
        self.settings = settings
        self.export = export
        self.root = settings["PATH"]
        self.dry_run = dry_run
        self.tag_known = tag_known
        self._out, self._err = out, err
        self.comments_db = comments_db
        try:
            self.zone = zoneinfo.ZoneInfo(settings.get("TIMEZONE") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = datetime.timezone.utc
        self.stories_dir = (settings.get("ARTICLE_PATHS") or ["stories"])[0] or "stories"
        self.pages_dir = (settings.get("PAGE_PATHS") or ["pages"])[0] or "pages"
        self.people_dir = settings.get("CONNECTIONS_PEOPLE_PATH", "people")
        self.record_path = os.path.join(self.root, RECORD)
        old = _read(self.record_path)
        try:
            self.record = json.loads(old) if old else {}
        except ValueError:
            raise ExportError(
                f"{self.record_path}: not readable JSON; remove it to import as if for "
                "the first time (files the author edited may then be written again)"
            ) from None
        self.record.setdefault("version", 1)
        self.record.setdefault("files", {})
        self.site = ""
        self.redirects_path = os.path.join(
            self.root, settings.get("CONNECTIONS_REDIRECTS_FILE") or "redirects.json"
        )
        old = _read(self.redirects_path)
        try:
            self.redirects = json.loads(old) if old else {}
        except ValueError:
            self.redirects = {}
        self.pending = []  # (the temporary file being written, final) renamed at the end
        # Files are written by a thread beside the import (the disk's time
        # overlaps the converting), and renamed into place at the end.
        import concurrent.futures

        self._writer = concurrent.futures.ThreadPoolExecutor(max_workers=2)
        self.counts = collections.Counter()
        self.left_alone = []
        self.messages = []
        self.suggestions = []
        self.slugs = {"post": {}, "page": {}}
        self.ids_seen = collections.Counter()
        self.attachments = {}
        self.authors = {}  # login -> display name
        self.taken_paths = set()
        self.finder, self.known = self._finder()

    # --- saying things -----------------------------------------------------

    @property
    def out(self):
        return self._out or sys.stdout

    @property
    def err(self):
        return self._err or sys.stderr

    def say(self, item, message):
        where = f"{self.export}:{item['line']}" if item else self.export
        what = ""
        if item:
            title = _one_line(item.get("title")) or "(no title)"
            what = f"{item.get('type') or 'item'} {item.get('id') or '?'} '{title[:60]}': "
        # said with the summary: an import that stops says only why
        self.messages.append(f"{where}: {what}{message}")

    def progress(self, started, n):
        if n % PROGRESS_EVERY == 0:
            print(f"wordpress: {n} items read ({time.monotonic() - started:.1f} s)", file=self.err)

    # --- names of known people and events ---------------------------------------

    def _finder(self):
        from ..authoring.check import NameFinder
        from ..diagnostics import Findings
        from ..model.registry import Registry

        try:
            registry = Registry(self.settings, Findings(log=False)).load(self.root)
        except Exception:  # profiles with mistakes: `make check` says which
            return None, {}
        finder = NameFinder(registry)
        known = {}
        for kind in ("person", "event"):
            for e in registry.all(kind):
                known[e.name.casefold()] = e
        return (finder if finder.pattern is not None else None), known

    def _names_in(self, markdown, author):
        from ..authoring.check import mask_prose

        if self.finder is None:
            return [], []
        people, events = [], []
        for _, _, entities in self.finder.find(mask_prose(markdown)):
            if not entities:
                continue
            e = entities[0]
            if e.name == author:
                continue
            into = people if e.sigil == "@" else events
            if e.name not in into:
                into.append(e.name)
        return people, events

    # --- the run ----------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        comments = None
        channel = None
        n = 0
        self._comments = None
        self._started = started
        self._n = 0
        pending = None  # (batch, its conversions under way)
        try:
            for kind, value in _batched(read_export(self.export)):
                if kind == "channel":
                    channel = value
                    self._check_channel(value)
                    site = value.get("base") or value.get("link") or ""
                    self.site = site
                    if self.comments_db:
                        comments = self._comments = self._open_comments(site)
                elif kind == "author":
                    self._author(value)
                else:
                    job = self._convert(value)
                    if pending is not None:
                        self._process(*pending)
                    pending = (value, job)
            if pending is not None:
                self._process(*pending)
            if channel is None:
                raise ExportError(f"{self.export}: this is not a WordPress export (no <channel>)")
        except BaseException:
            if comments is not None:
                comments.rollback()
            self._discard()
            raise
        finally:
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
                self._pool = None
        if self.dry_run:
            if comments is not None:
                comments.rollback()
            self._discard()
        else:
            if comments is not None:
                import sqlite3

                try:
                    comments.commit()
                except sqlite3.Error as exc:
                    self._discard()
                    raise ExportError(
                        f"{self.comments_db}: the comments could not be saved ({exc}); nothing "
                        "was imported - stop the comment server, or try again when it is quiet"
                    ) from None
            self._commit()
        self.elapsed = time.monotonic() - started
        self.comment_counts = comments.counts if comments is not None else None
        return self

    # --- converting bodies, in batches, on every processor ---------------------

    _pool = None

    def _convert(self, batch):
        """The bodies of a batch of items as Markdown: in worker processes for a
        long export (while this one files the batch before), else here."""
        for item in batch:
            if item["type"] == "attachment" and item["id"] and item["attachment_url"]:
                self.attachments[item["id"]] = item["attachment_url"]
        work = []
        for item in batch:
            if item["type"] not in ("post", "page", ""):
                work.append(("", "", {}))
                continue
            ids = _GALLERY_IDS.findall(item["content"]) if "[gallery" in item["content"] else []
            wanted = {i: self.attachments[i] for g in ids for i in re.split(r"[\s,]+", g)
                      if i in self.attachments}
            work.append((item["content"], item["excerpt"], wanted))
        if len(batch) >= BATCH and (os.cpu_count() or 1) > 1:
            if self._pool is None:
                import multiprocessing

                self._pool = multiprocessing.get_context("fork").Pool(WORKERS)
            return self._pool.map_async(_convert_one, work, chunksize=16)
        return [_convert_one(w) for w in work]

    def _process(self, batch, job):
        results = job.get() if hasattr(job, "get") else job
        for item, converted in zip(batch, results):
            item["converted"] = converted
            self._n += 1
            self.progress(self._started, self._n)
            try:
                if isinstance(converted, str):
                    raise ValueError(converted)
                self._item(item, self._comments)
            except (ExportError, KeyboardInterrupt):
                raise
            except Exception as exc:  # one item's surprise must not stop the rest
                self.counts["items that could not be imported"] += 1
                self.say(item, f"could not be imported ({type(exc).__name__}: {exc}); "
                         "everything else was - please report this item")

    def _open_comments(self, site):
        from .wordpress_comments import IssoImport

        db = self.comments_db
        if self.dry_run:  # a copy, thrown away: the real file is not touched
            import shutil
            import tempfile

            self._dry_dir = tempfile.TemporaryDirectory()
            copy = os.path.join(self._dry_dir.name, "comments.db")
            if os.path.exists(db):
                shutil.copyfile(db, copy)
            db = copy
        import sqlite3

        try:
            return IssoImport(db, site)
        except (sqlite3.Error, OSError) as exc:
            raise ExportError(
                f"{self.comments_db}: cannot open it as a comment database ({exc}); give "
                "--comments-db the path of an Isso database file (it is created if missing)"
            ) from None

    def _check_channel(self, channel):
        if not channel.get("wordpress"):
            raise ExportError(
                f"{self.export}:1: this is an RSS feed, not a WordPress export (it has no "
                "wp: elements); in WordPress, use Tools > Export > All content"
            )
        version = channel.get("version")
        if version is None:
            self.say(None, "no <wp:wxr_version>: read as an export of the oldest kind (WXR 1.0)")
        elif version not in KNOWN_VERSIONS:
            self.say(None, f"WXR version {version} is not one this importer knows "
                     f"({', '.join(KNOWN_VERSIONS)}); reading it as 1.2")

    def _discard(self):
        for written, _ in self.pending:
            try:
                os.remove(written.result())
            except Exception:  # not written, or already gone
                pass
        self.pending = []
        self._writer.shutdown()

    def _commit(self):
        written = [(w.result(), final) for w, final in self.pending]  # all written, or raise
        self._writer.shutdown()
        for tmp, final in written:
            os.replace(tmp, final)
        self.pending = []
        os.makedirs(self.root, exist_ok=True)
        for path, data in ((self.redirects_path, self.redirects), (self.record_path, self.record)):
            tmp = _write_atomic(path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
            os.replace(tmp, path)

    # --- authors --------------------------------------------------------------------

    def _author(self, fields):
        login = _one_line(fields.get("author_login"))
        name = _plain(fields.get("author_display_name")) or login
        if not login:
            return
        self.authors[login.casefold()] = name
        if not name or name.casefold() in self.known:
            return
        from ..model.registry import _slugify

        slug = _slugify(name, self.settings) or _slugify(login, self.settings) or "author"
        rel = os.path.join(self.people_dir, f"{slug}.md")
        text = f"Name: {name}\nVisibility: public\n\n"
        bio = _one_line(fields.get("author_description"))
        if bio:
            text += body.to_markdown(bio)[0]
        elif not os.path.exists(os.path.join(self.root, rel)):
            self.say(None, f"author '{name}': the export carries no biography; add a few "
                     f"lines about them to {os.path.join('content', rel)}")
        self._place(f"{self.site}|author:{login}", rel, text, None, kind="person")

    # --- posts and pages ---------------------------------------------------------------

    def _item(self, item, comments):
        if not item["id"]:
            item["id"] = _id_from_link(item["link"]) or ""
        if not item["type"]:  # WXR 1.0 and hand-made exports: an item is a post
            item["type"] = "post"
            if not self.counts["items without a post type, read as posts"]:
                self.say(item, "has no <wp:post_type> (an older export): read as a post, "
                         "and so are the others like it")
            self.counts["items without a post type, read as posts"] += 1
        kind = item["type"]
        if kind == "attachment":
            if item["id"] and item["attachment_url"]:
                self.attachments[item["id"]] = item["attachment_url"]
            self.counts["attachments (linked where they are)"] += 1
            return
        if kind not in ("post", "page"):
            self.counts[f"{kind or 'untyped'} items not imported"] += 1
            if kind not in ("nav_menu_item", "wp_global_styles", "wp_navigation", "wp_template",
                            "wp_template_part", "custom_css", "customize_changeset",
                            "oembed_cache", "wp_block", "revision", "user_request"):
                if self.counts[f"{kind or 'untyped'} items not imported"] == 1:
                    self.say(item, f"post type '{kind}' is not a post or a page: not imported")
            return
        status = item["status"] or "publish"
        if status in ("trash", "auto-draft", "inherit"):
            self.counts[f"{kind}s in the trash or auto-drafts, not imported"] += 1
            return
        self.ids_seen[(kind, item["id"])] += 1
        nth = self.ids_seen[(kind, item["id"])]
        key = f"{self.site}|{kind}:{item['id'] or 'none'}" + (f":{nth}" if nth > 1 else "")
        identity = "wordpress-" + (item["id"] or _path_key(item["link"]) or str(item["line"]))
        identity += f"-{nth}" if nth > 1 else ""
        if nth > 1 and kind == "post":
            self.say(item, f"post id {item['id']} is used by an earlier item too; "
                     f"this one's identity is '{identity}'")

        title = _plain(item["title"])
        if not title:
            title = f"Untitled {kind} {item['id']}".strip()
            self.say(item, f"has no title; imported as '{title}'")
        draft = status != "publish" or item["password"]
        why_draft = (
            "password-protected" if item["password"] else
            {"future": "scheduled"}.get(status, status)
        )
        slug = urllib.parse.unquote(item["name"]) if item["name"] else ""
        slug = slug.strip().strip("/")
        from ..model.registry import _slugify

        if not slug or "/" in slug:
            slug = _slugify(title, self.settings) or f"{kind}-{item['id']}"
        slug = self._unique_slug(kind, slug, item)

        converted, notes, teaser, excerpt = item["converted"]
        for note in dict.fromkeys(notes):
            self.say(item, note)
        summary = ""
        summary = excerpt or teaser

        author = self.authors.get(item["creator"].casefold(), item["creator"])
        header = [("Title", title)]
        date = self._date(item["date_gmt"], item["date"]) or self._rss_date(item["pubdate"])
        if date:
            header.append(("Date", date))
        elif kind == "post" and not draft:
            draft, why_draft = True, "undated"
            self.say(item, "has no date: imported as a draft; give it a 'Date:' to publish it")
        modified = self._date(item["modified_gmt"], item["modified"])
        if modified and modified != date:
            header.append(("Modified", modified))
        if author:
            header.append(("Author", author))
        people = events = []
        if kind == "post":
            categories = [c for c in item["categories"] if c]
            if categories:
                header.append(("Category", categories[0]))
            tags = list(dict.fromkeys(item["tags"] + categories[1:]))
            if tags:
                header.append(("Tags", ", ".join(t.replace(",", " ") for t in tags)))
            people, events = self._names_in(converted, author)
            if self.tag_known:
                if people:
                    header.append(("People", ", ".join(people)))
                if events:
                    header.append(("Events", ", ".join(events)))
        header.append(("Slug", slug))
        if kind == "post":
            header.append(("Id", identity))
        if summary:
            header.append(("Summary", summary))
        if draft:
            header.append(("Status", "draft"))
            self.counts[f"{why_draft} {kind}s imported as drafts"] += 1
        else:
            self.counts[f"published {kind}s"] += 1
        text = "".join(f"{k}: {_header_value(v)}\n" for k, v in header) + "\n" + converted
        folder = self.stories_dir if kind == "post" else self.pages_dir
        rel = self._place(key, os.path.join(folder, f"{slug}.md"), text, item, kind=kind)
        if rel is None:
            return
        if kind == "post" and (people or events) and not self.tag_known:
            self.suggestions.append((os.path.join("content", rel), people, events))
        if not draft:
            self._redirect(item, rel)
        if kind == "page" and item["comments"] and comments is not None:
            # Pages show no comments here; theirs are kept in the database
            # (Isso's admin shows them) under a thread of their own.
            comments.add_story(key, f"page:{identity}", title, item["comments"],
                               lambda message: self.say(item, message), shown=False)
        if comments is not None and kind == "post" and item["comments"]:
            uri = thread_id(_Story(identity))
            comments.add_story(key, uri, title, item["comments"],
                               lambda message: self.say(item, message))

    def _unique_slug(self, kind, slug, item):
        used = self.slugs[kind]
        if slug in used:
            new = f"{slug}-{item['id'] or item['line']}"
            n = 2
            while new in used:
                new, n = f"{slug}-{item['id']}-{n}", n + 1
            self.say(item, f"has the same slug '{slug}' as {used[slug]}; imported with "
                     f"the slug '{new}'")
            slug = new
        used[slug] = f"{item['type']} {item['id']} (line {item['line']})"
        return slug

    def _date(self, gmt, local):
        for text, utc in ((gmt, True), (local, False)):
            text = (text or "").strip()
            if not text or text.startswith("0000"):
                continue
            try:
                when = datetime.datetime.fromisoformat(text[:19])
            except ValueError:
                continue
            if utc:
                when = when.replace(tzinfo=datetime.timezone.utc).astimezone(self.zone)
            return when.strftime("%Y-%m-%d %H:%M")
        return ""

    def _rss_date(self, text):
        import email.utils

        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return ""
        if when is None or when.year < 1980:  # WordPress writes 1970 for "never"
            return ""
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def _redirect(self, item, rel):
        old = []
        link = item["link"]
        if link:
            parts = urllib.parse.urlsplit(link)
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            old.append(path)
        if item["id"] and item["type"] == "post":
            old.append(f"/?p={item['id']}")
        elif item["id"]:
            old.append(f"/?page_id={item['id']}")
        for path in dict.fromkeys(old):
            if path in ("/", ""):
                continue
            earlier = self.redirects.get(path)
            if earlier and earlier != rel:
                if earlier in self.taken_paths:  # from this run: the first keeps it
                    self.say(item, f"its old address {path} is an earlier post's too; it "
                             f"keeps redirecting to {earlier}")
                    continue
            self.redirects[path] = rel
        self.taken_paths.add(rel)

    # --- writing one file -----------------------------------------------------------

    def _place(self, key, rel, text, item, kind):
        """Write `text` at `rel` (under PATH) unless the author has changed what
        an earlier import wrote there. Returns the path used, or None."""
        files = self.record["files"]
        known = files.get(key)
        if known:
            rel = known["path"]
            path = os.path.join(self.root, rel)
            current = _read(path)
            if current is None:
                self.left_alone.append((os.path.join("content", rel), "removed since the last import"))
                self.counts[f"{kind}s left alone"] += 1
                return rel if kind != "person" else None
            if _digest(current) != known["digest"] and _digest(current) != _digest(text):
                self.left_alone.append((os.path.join("content", rel), "edited since the last import"))
                self.counts[f"{kind}s left alone"] += 1
                return rel
            if current == text:
                self.counts[f"{kind}s already imported, unchanged"] += 1
                self.taken_paths.add(rel)
                return rel
            self.counts[f"{kind}s updated from the export"] += 1
        else:
            path = os.path.join(self.root, rel)
            base, ext = os.path.splitext(rel)
            n = 2
            while rel in self.taken_paths or (
                os.path.exists(path) and _read(path) != text
            ):
                if kind == "person":
                    return None  # a profile of that name exists: theirs is kept
                if n == 2 and item is not None:
                    self.say(item, f"{os.path.join('content', rel)} already exists and is not "
                             f"from this import; writing {os.path.join('content', base)}-{n}.md")
                rel = f"{base}-{n}{ext}"
                path = os.path.join(self.root, rel)
                n += 1
            self.counts[f"{kind}s written"] += 1
        self.taken_paths.add(rel)
        files[key] = {"path": rel, "digest": _digest(text)}
        if not self.dry_run:
            self.pending.append((self._writer.submit(_write_atomic, path, text), path))
        return rel

    # --- the summary ----------------------------------------------------------------------

    def report(self):
        out = self.out
        for line in self.messages:
            print(line, file=self.err)
        verb = "would be" if self.dry_run else "were"
        print(f"wordpress: {self.export} read in {self.elapsed:.1f} s"
              + (" (dry run: nothing was written)" if self.dry_run else ""), file=out)
        for what, n in sorted(self.counts.items()):
            for word, plural in (("posts", "stories"), ("persons", "author profiles")):
                what = what.replace(word, plural)
            if self.dry_run:
                what = what.replace(" written", " to be written").replace(
                    " imported as drafts", " to be imported as drafts").replace(
                    " updated from", " to be updated from")
            print(f"  {n} {what}", file=out)
        if self.comment_counts is not None:
            c = self.comment_counts
            print(f"  comments: {c['published']} approved {verb} published, {c['pending']} awaiting "
                  f"moderation {verb} imported as pending (not shown), {c['spam']} spam or trash "
                  f"{'would not be' if self.dry_run else 'were not'} imported, {c['pingbacks']} approved pingbacks and trackbacks "
                  f"{verb} imported as 'Linked from' comments, {c['skipped pingbacks']} others "
                  f"not, {c['already']} were imported before", file=out)
            if c.get("kept, not shown"):
                print(f"  comments on pages: {c['kept, not shown']} {verb} kept in the comment "
                      "database under page:wordpress-<id> (pages show no comments)", file=out)
        else:
            print("  comments: not imported (give --comments-db, or use make import-wordpress)",
                  file=out)
        for path, why in self.left_alone:
            print(f"  left alone: {path} ({why})", file=out)
        if self.suggestions:
            print("People and events named but not tagged (--tag-known writes them in):", file=out)
            for path, people, events in self.suggestions:
                names = [f"@[{p}]" for p in people] + [f"#[{e}]" for e in events]
                print(f"  {path}: {', '.join(names)}", file=out)


def _id_from_link(link):
    """The post id in a `?p=123` permalink."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link or "").query)
    value = (query.get("p") or query.get("page_id") or [""])[0]
    return value if value.isdigit() else ""


def _path_key(link):
    """A stable key from a permalink's path, for an item with no post id."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(link or "").path)
    return "-".join(p for p in re.split(r"[^\w]+", path) if p).lower()


BATCH = 256
# Conversion workers: one processor is left to this process, which reads the
# export, files each post and writes it (a worker on every processor left it
# waiting for one after each file it wrote: slower in all).
WORKERS = max(1, (os.cpu_count() or 1) - 1)
_GALLERY_IDS = re.compile(r"""\[gallery[^\]]*\bids\s*=\s*["']?([\d,\s]+)""")


def _batched(events):
    """The export's events, its items in lists of BATCH."""
    batch = []
    for kind, value in events:
        if kind == "item":
            batch.append(value)
            if len(batch) >= BATCH:
                yield "items", batch
                batch = []
        else:
            if batch:
                yield "items", batch
                batch = []
            yield kind, value
    if batch:
        yield "items", batch


def _convert_one(work):
    """(markdown, notes, teaser, excerpt summary) of one item, or the error's
    text: runs in a worker process."""
    content, excerpt, lookup = work
    try:
        markdown, notes, teaser = body.convert_post(content, lookup)
        summary = body.one_line(excerpt, lookup) if excerpt.strip() else ""
        return markdown, notes, teaser, summary
    except Exception as exc:  # said for this item, the others go on
        return f"{type(exc).__name__}: {exc}"


class _Story:
    """What comments.thread_id reads of a story: its metadata (an explicit Id)."""

    def __init__(self, identity):
        self.metadata = {"id": identity}
        self.date = None


def import_wordpress(settings, export, **options):
    return Importer(settings, export, **options).run()


def main(args):
    import logging

    from ..authoring.check import load_settings

    # Pelican's remarks on the settings (feeds without SITEURL...) are about
    # building, not importing.
    logging.getLogger("pelican").setLevel(logging.ERROR)

    if not os.path.isfile(args.export):
        print(f"connections: {args.export}: no such file", file=sys.stderr)
        return 2
    try:
        settings = load_settings(args.settings)
    except (ValueError, ContentError) as exc:
        print(f"connections: {args.settings}: {exc}", file=sys.stderr)
        return 2
    db = args.comments_db
    if db is None and not args.no_comments:
        from ..comments.server import LOCAL_DB

        db = os.path.join(os.path.dirname(os.path.abspath(args.settings)), LOCAL_DB)
    importer = Importer(settings, args.export, comments_db=db, dry_run=args.dry_run,
                        tag_known=args.tag_known)
    importer.run()
    importer.report()
    return 0
