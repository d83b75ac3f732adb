"""What the plugin knows about a story, in one record on the story.

Linking gives a story its people and events, its authors as people, its
comment thread and, later, its cut summary, its URL and where its page is
written, each worked out once.
Python keeps the attributes of Pelican's stories in one table that all of
them share, about 260 bytes a story, while each has at most 25 of them;
seven more attributes give each story a table of its own, 1.5 KB: 20 MB
for a blog of 13 000 stories. So all of it is kept in one `Record`, and the
story's class becomes a subclass of its own (`linked_class`) whose
properties read the record: templates read `article.people`,
`article.author_people`, `article.comments_thread`... as before.

The subclass also fills in mention links through the build's table
(linker.MentionLinks) rather than each time afresh.
"""

import weakref

from markupsafe import Markup


# The context Pelican shares with every content object is also every
# template's: it holds, under STATE_KEY, only a key to the build's Linker
# (set when a build starts, in `__init__.start_build`), not the Linker, whose
# tables, findings and tagged people are the author's and a template must
# not reach (what the site may show about a person is decided in Python).
STATE_KEY = "connections"


class BuildKey:
    """A build's key to its Linker: no attribute, nothing to print."""

    __slots__ = ("__weakref__",)


_linkers = weakref.WeakKeyDictionary()


def keep_state(context, linker):
    """Keep the build's `linker` for `state(context)`."""
    key = BuildKey()
    _linkers[key] = linker
    context[STATE_KEY] = key


def state(context):
    """The build's Linker, or None (no build started in this context)."""
    key = context.get(STATE_KEY) if context else None
    return _linkers.get(key) if isinstance(key, BuildKey) else None


def state_of(content):
    """The build's Linker, reached through a content object's shared context."""
    return state(getattr(content, "_context", None))


# What a record holds. The URL and the cut summary are worked out from the
# rest (the story's slug, date and text, the settings) when first needed.
FIELDS = ("url", "save_as", "people", "events", "author_people",
          "comments_enabled", "comments_thread", "summary_source")
DERIVED = ("url", "save_as", "summary_source")


class Record:
    __slots__ = FIELDS

    def fingerprinted(self):
        """{field: value} of what was set, less what is derived."""
        return {f: getattr(self, f) for f in FIELDS if f not in DERIVED and hasattr(self, f)}


def record(content):
    """The record of `content` (made, and its class changed, on first use)."""
    held = content.__dict__.get("_linked")
    if held is None:
        held = content.__dict__["_linked"] = Record()
        content.__class__ = linked_class(type(content))
    return held


def is_linked(content):
    return "_linked" in getattr(content, "__dict__", {})


def keep(content, **fields):
    """Set fields of `content`'s record."""
    held = record(content)
    for name, value in fields.items():
        setattr(held, name, value)


_CLASSES = {}


def linked_class(cls):
    """`cls` (Article, Page, or another content class) with its record's
    fields as properties; one subclass per class."""
    if getattr(cls, "_is_linked", False):
        return cls
    made = _CLASSES.get(cls)
    if made is None:
        namespace = {name: _field(name) for name in FIELDS if name not in ("url", "save_as")}
        namespace.update(
            _is_linked=True,
            url=_url,
            save_as=_save_as,
            content=property(_content),
            summary=property(_summary),
            _link_replacer=_link_replacer,
            __module__=cls.__module__,
            __doc__=f"{cls.__name__}, linked to its people and events (connections.linked).",
        )
        made = _CLASSES[cls] = type(cls.__name__, (cls,), namespace)
    return made


def _field(name):
    def get(content):
        try:
            return getattr(content.__dict__["_linked"], name)
        except AttributeError:
            raise AttributeError(name) from None

    def set_(content, value):
        setattr(content.__dict__["_linked"], name, value)

    return property(get, set_, doc=f"The story's {name.replace('_', ' ')} (its record's).")


def _worked_out_once(name, why):
    """A property of Pelican's (`url`, `save_as`) kept in the record the
    first time it is read: once a story is linked, it is final."""

    def get(content):
        held = content.__dict__["_linked"]
        try:
            return getattr(held, name)
        except AttributeError:
            value = getattr(super(type(content), content), name)
            setattr(held, name, value)
            return value

    return property(get, doc=why)


_url = _worked_out_once("url", (
    "Pelican works a story's URL out from the settings at every access (a card "
    "reads it several times, on every list page); once linked it is final."))
_save_as = _worked_out_once("save_as", (
    "... and so is where its page is written (about six reads a story, each a "
    "setting's format filled in and a relative path: 0.8 s at 5,000)."))


def _content(content):
    """The story's HTML, marked safe: a theme that turns autoescape on (or
    prints `{{ article.content }}` without `|safe`, as Pelican's own themes
    do) shows it as HTML, never as escaped text; |safe on it changes nothing."""
    html = super(type(content), content).content
    return Markup(html) if html is not None else html


def _summary(content):
    html = super(type(content), content).summary
    return Markup(html) if html is not None else html


def forget_url(content):
    """After a story's slug changed: its URL and where its page is written
    are worked out again when asked."""
    if is_linked(content):
        held = record(content)
        for field in ("url", "save_as"):
            if hasattr(held, field):
                delattr(held, field)


def _link_replacer(content, siteurl, m):
    """Pelican's, with mention links filled in once per page address."""
    pelicans = super(type(content), content)._link_replacer
    state = state_of(content)
    if state is None:
        return pelicans(siteurl, m)
    return state.mention_links.fill(pelicans, siteurl, m)
