"""A story's identity: what stays the same when its title, slug or URL change.

Feed entry ids and comment thread ids are built from it, so renaming a story
neither re-notifies feed subscribers nor detaches its comments.

The rule (README, "Stable ids"), for every story, draft and hidden story:

1. its `Id:` header, when it has one (two stories with one `Id:` are an
   error: the author said two different things);
2. else the identity the identities file records for its file
   (`CONNECTIONS_IDENTITIES`, `content/identities.json`): once a story has
   an identity it keeps it, whatever its title, slug or `Date:` become;
3. else its `Date:` to the minute as written (`2025-03-14T09:30`), the
   identity every story had before the file existed, when no other story
   holds it;
4. else, for a story whose minute another story already holds, the first of
   `<minute>-<lang>` (a translation) and `<minute>-2`, `<minute>-3`, ... that
   is free. New stories are given theirs in the order they were written:
   their full `Date:` (seconds count), the default language before a
   translation, then - only when nothing else tells them apart - their file
   name, with one warning naming the files and how to choose (`Id:`).

So a story that built before keeps its identity (it is recorded, or it was
the only story of its minute), and a second story written in the same minute
gets `-2`: the first keeps its comments. Every build records new identities
in the file, like a lock file: commit it. A file whose story is gone frees
its identity, so a story renamed on disk (`harbour.md` to `harbour-cafe.md`)
with its `Date:` unchanged takes its old identity back.

Why a file and not a rule of the story alone: two stories written in one
minute look alike to any function of one story (title and slug change, file
names too); only a record of which came first can keep the first one's
comments where they are. Without the file (a fresh clone where it was not
committed, or CONNECTIONS_IDENTITIES = None) steps 3 and 4 still give every
story an identity, and the one warning says when a choice was a guess.
"""

import datetime
import json
import logging
import os

logger = logging.getLogger(__name__)

FORMAT = 1


def minute(article):
    # datetime's own strftime: Pelican's SafeDatetime.strftime gives the same
    # string for this format about ten times slower.
    return datetime.datetime.strftime(article.date, "%Y-%m-%dT%H:%M")


def explicit_id(article):
    value = article.metadata.get("id")
    return str(value).strip() if value and str(value).strip() else ""


def story_id(article):
    """The story's identity: `Id:`, else what this build gave it, else its minute."""
    explicit = explicit_id(article)
    if explicit:
        return explicit
    table = _table_of(article)
    if table is not None:
        found = table.get(id(article))
        if found:
            return found
    return minute(article)


# Where a build keeps {id(story): identity} in the context Pelican shares with
# every content object (output.pages sets it once identities are given).
IDENTITIES_KEY = "connections_identities"


def _table_of(article):
    context = getattr(article, "_context", None)
    return context.get(IDENTITIES_KEY) if context else None


def _key(article, root=None):
    """A story's key in the identities file: its path inside PATH, with '/'."""
    path = article.source_path or ""
    root = root or article.settings.get("PATH") or ""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:
        rel = path
    return rel.replace(os.sep, "/")


# --- the identities file -------------------------------------------------------


def ledger_path(settings):
    name = settings.get("CONNECTIONS_IDENTITIES")
    if not name:
        return None
    return os.path.join(settings["PATH"], name)


def read_ledger(settings, findings=None, shown=str):
    """{file key: identity} from the identities file ({} when there is none)."""
    path = ledger_path(settings)
    if not path or not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        stories = data["stories"]
        if not isinstance(stories, dict):
            raise ValueError("'stories' is not an object")
        return {str(k): str(v) for k, v in stories.items()}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if findings is not None:
            findings.error(
                shown(path), 1, 1,
                f"the identities file cannot be read ({exc}); restore it from git "
                "(git checkout -- it): it keeps every story's comment thread and feed id",
            )
        return {}


def write_ledger(settings, table):
    """Record `table` ({file key: identity}); say once if it cannot be written."""
    path = ledger_path(settings)
    if not path:
        return False
    text = json.dumps(
        {
            "about": "Connection Stories: each story's identity (comment thread and feed "
                     "entry id), kept when its title, slug or date change. Written by the "
                     "build; commit it. README, 'Stable ids'.",
            "format": FORMAT,
            "stories": dict(sorted(table.items())),
        },
        ensure_ascii=False, indent=1,
    ) + "\n"
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except OSError:
        pass
    try:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    except OSError as exc:
        logger.warning(
            "connections: cannot write the identities file %s (%s); stories that share "
            "a minute get their identities again on every build",
            path, exc.strerror or exc,
        )
        return False
    return True


# --- giving every story its identity ------------------------------------------------


def _keys(articles, settings):
    """{id(story): its key}, each worked out once (a path inside PATH, '/')."""
    root = os.path.abspath(settings.get("PATH") or "")
    prefix = root.rstrip(os.sep) + os.sep
    keys = {}
    for article in articles:
        path = article.source_path or ""
        if path.startswith(prefix):  # Pelican's source paths are absolute
            rel = path[len(prefix):]
        else:
            try:
                rel = os.path.relpath(os.path.abspath(path), root)
            except ValueError:
                rel = path
        keys[id(article)] = rel.replace(os.sep, "/") if os.sep != "/" else rel
    return keys


def assign(articles, settings, ledger, findings, shown):
    """{file key: identity} for every story without an `Id:`, by the rule above.

    Reports duplicate explicit `Id:`s (errors) and stories only their file
    names told apart (one warning per group). `ledger` is the identities
    file's table; the result is what it should hold from now on.
    """
    default_lang = settings.get("DEFAULT_LANG", "en")
    keys = _keys(articles, settings)

    def key(article):
        return keys[id(article)]

    def order(article):
        lang = getattr(article, "lang", None) or default_lang
        return (article.date.replace(tzinfo=None), lang != default_lang, key(article))

    articles = sorted(articles, key=order)
    live = set(keys.values())
    taken = {}  # identity -> article
    explicit = {}
    for article in articles:
        given = explicit_id(article)
        if given:
            if given in explicit:
                findings.error(
                    shown(article), 1, 1,
                    f"this story has the same Id: '{given}' as {shown(explicit[given])}; "
                    "change one of them (feed entries and comment threads are keyed by it)",
                )
            else:
                explicit[given] = article
                taken[given] = article
    table = {}
    pending = []
    # Recorded identities first: they never move (a file that is gone frees its own).
    for article in articles:
        if explicit_id(article):
            continue
        recorded = ledger.get(key(article))
        if recorded and recorded not in taken:
            taken[recorded] = article
            table[key(article)] = recorded
        else:
            pending.append(article)
    fresh = {}  # minute -> the stories given an identity in it this build
    for article in pending:
        base = minute(article)
        lang = getattr(article, "lang", None) or default_lang
        candidates = [base] + ([f"{base}-{lang}"] if lang != default_lang else [])
        free = next((c for c in candidates if c not in taken), None)
        n = 2
        while free is None:
            free = f"{base}-{n}" if f"{base}-{n}" not in taken else None
            n += 1
        holder = taken.get(base)
        taken[free] = article
        table[key(article)] = free
        fresh.setdefault(base, []).append(article)
    for base, group in sorted(fresh.items()):
        # Only stories given an identity now can be confused: a recorded one
        # is told apart by the record, an `Id:` by itself.
        orders = [order(a)[:2] for a in group]
        alike = [a for a, k in zip(group, orders) if orders.count(k) > 1]
        for article in group:
            if article in alike or table[key(article)] == base:
                continue
            free = table[key(article)]
            why = ("a translation" if free.endswith(f"-{getattr(article, 'lang', '')}")
                   else f"{shown(taken[base])} has it")
            findings.note(
                shown(article), 1, 1,
                f"this story's identity is '{free}' (its comment thread 'story:{free}' and "
                f"feed entry id): its Date: minute {base.replace('T', ' ')} is taken ({why}); "
                f"the build records it in {settings.get('CONNECTIONS_IDENTITIES') or 'no file'}"
                " and it stays, whatever the title, slug or Date: become",
            )
        if len(alike) < 2:
            continue  # told apart by their dates or their languages
        names = ", ".join(shown(a) for a in alike)
        ids = "; ".join(f"{shown(a)} is '{table[key(a)]}'" for a in alike)
        findings.warning(
            shown(alike[1]), 1, 1,
            f"{len(alike)} stories have the same Date: {base.replace('T', ' ')} and nothing "
            f"else tells which came first ({names}): by file name, {ids}, recorded so "
            "from now on. If another of them should keep the plain minute (the one older "
            f"comments and feed entries belong to), give it the line 'Id: {base}' and "
            f"the others 'Id: {base}-2', ...",
        )
    # What the file keeps: every story's identity, and nothing for files gone.
    kept = {k: v for k, v in table.items() if k in live}
    return kept


def story_id_in(article, table, key=None):
    return explicit_id(article) or table.get(key or _key(article)) or minute(article)


def report_shared_pages(contents, findings, shown, moved=None):
    """A warning for every story or page that would be written where an earlier
    one is (two stories with one slug in one year), which is then written at
    `<slug>-2` instead: Pelican would stop halfway through writing the site,
    and nothing an author wrote is dropped. `moved(content)` is told of each
    story whose slug changed (what linking worked out from it is forgotten)."""
    seen = {}
    for content in sorted(contents, key=lambda c: (c.date.replace(tzinfo=None)
                                                   if hasattr(c, "date") else datetime.datetime.min,
                                                   c.source_path)):
        save_as = getattr(content, "save_as", "")
        if not save_as:
            continue
        if save_as in seen:
            first = seen[save_as]
            new_place = _move(content, seen, shown, moved)
            where = f"it is written to {new_place} instead" if new_place else "it is not written"
            findings.warning(
                shown(content), 1, 1,
                f"this would be written to {save_as}, like {first}; {where}. Give one of "
                "them a different 'Slug:' to choose their addresses",
            )
        else:
            seen[save_as] = shown(content)


def _move(content, seen, shown, moved):
    """Give `content` the first free `<slug>-N`; its new save_as, or None."""
    slug = getattr(content, "slug", None)
    if not slug:
        return None
    for n in range(2, 1000):
        content.slug = f"{slug}-{n}"
        if moved is not None:
            moved(content)
        save_as = content.save_as
        if save_as not in seen:
            seen[save_as] = shown(content)
            return save_as
    content.slug = slug
    return None
