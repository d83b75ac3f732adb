"""Every setting the plugin reads, with its default, in one place.

`apply_defaults` runs on Pelican's `initialized` signal, so templates see the
defaults too. README.md documents each one.
"""

import logging
import os

from pelican.settings import read_settings

logger = logging.getLogger(__name__)

VISIBILITIES = ("public", "first-name", "private")

DEFAULTS = {
    # Where profiles live, relative to PATH (they are not stories or pages).
    "CONNECTIONS_PEOPLE_PATH": "people",
    "CONNECTIONS_EVENTS_PATH": "events",
    # Warnings (unknown names, people without a profile...) fail the build.
    "CONNECTIONS_STRICT": False,
    # What a private person's mention shows when it has no display text and
    # the profile sets no `Placeholder:`.
    "CONNECTIONS_PRIVATE_PLACEHOLDER": "someone",
    # How many people "connected with" lists on a person's page.
    "CONNECTIONS_CONNECTED_MAX": 8,
    # How many people an event's page lists as met there, most often first
    # (None: all of them).
    "CONNECTIONS_EVENT_PEOPLE_MAX": 24,
    # The day that splits events into upcoming and past ("YYYY-MM-DD");
    # None means the day of the build in TIMEZONE.
    "CONNECTIONS_TODAY": None,
    # Pages, in Pelican's URL idiom.
    "PERSON_URL": "people/{slug}/",
    "PERSON_SAVE_AS": "people/{slug}/index.html",
    "PEOPLE_URL": "people/",
    "PEOPLE_SAVE_AS": "people/index.html",
    "EVENT_URL": "events/{slug}/",
    "EVENT_SAVE_AS": "events/{slug}/index.html",
    "EVENTS_URL": "events/",
    "EVENTS_SAVE_AS": "events/index.html",
    # Feeds (feeds.py), in Pelican's feed idiom: a path inside the output,
    # `{slug}` for a person's or an event's; None or "" turns one off.
    "SITE_FEED_ATOM": "feeds/all.atom.xml",
    "SITE_FEED_RSS": "feeds/all.rss.xml",
    "SITE_FEED_JSON": None,  # JSON Feed 1.1, e.g. "feeds/all.json"
    "PERSON_FEED_ATOM": "feeds/people/{slug}.atom.xml",
    "PERSON_FEED_RSS": "feeds/people/{slug}.rss.xml",
    "PERSON_FEED_JSON": None,  # e.g. "feeds/people/{slug}.json"
    "EVENT_FEED_ATOM": "feeds/events/{slug}.atom.xml",
    "EVENT_FEED_RSS": "feeds/events/{slug}.rss.xml",
    "EVENT_FEED_JSON": None,  # e.g. "feeds/events/{slug}.json"
    # Entries in a person's or an event's feed, newest first (the site's feed
    # has Pelican's FEED_MAX_ITEMS); None: FEED_MAX_ITEMS as well.
    "CONNECTIONS_ENTITY_FEED_MAX_ITEMS": 20,
    # True: entries carry the summary only; readers follow the link for the rest.
    "CONNECTIONS_FEED_SUMMARY_ONLY": False,
    # The domain in entry ids (tag:<authority>,...); None: the host of
    # FEED_DOMAIN or SITEURL. Set it once so moving the site keeps the ids.
    "CONNECTIONS_FEED_ID_AUTHORITY": None,
    # With Pelican's content cache on, a warm build renders again only the
    # pages and feeds whose inputs changed (incremental.py); False: all of them.
    "CONNECTIONS_OUTPUT_CACHE": True,
    # Processes that convert the stories' Markdown on a cold build
    # (parallel_reading.py): None, every core; 1, the build process alone.
    "CONNECTIONS_WORKERS": None,
    # True: the plugin does not say which of Pelican's settings it changed
    # (adopt_blog, CHECK_MODIFIED_METHOD in content_cache.py).
    "CONNECTIONS_QUIET_ADOPTION": False,
    # The identities file, inside PATH (identity.py; README, "Stable ids"):
    # each story's identity, recorded by the build like a lock file; commit
    # it. None: identities are worked out again on every build.
    "CONNECTIONS_IDENTITIES": "identities.json",
    # Where the pages that send readers from an author's old Pelican page to
    # their person page are written ("author/{slug}.html" when the plugin
    # takes over Pelican's default AUTHOR_SAVE_AS; "" writes none).
    "CONNECTIONS_AUTHOR_REDIRECTS": None,
    # Related stories (related.py): how many a story page lists (0: none),
    # how many stories nearest in time each shared person, event or tag
    # offers as candidates, and the reading speed for reading time.
    "CONNECTIONS_RELATED_MAX": 5,
    "CONNECTIONS_RELATED_WINDOW": 50,
    "CONNECTIONS_WORDS_PER_MINUTE": 230,
    # Story cards on list pages: how many people and events a card names
    # (the rest are counted, "+2").
    "CONNECTIONS_CARD_PEOPLE_MAX": 4,
    "CONNECTIONS_CARD_EVENTS_MAX": 2,
    # iCalendar files (calendar.py): one per dated event, `{slug}` for its
    # slug, and one with every event; None or "": not written.
    "CONNECTIONS_EVENT_ICS": "calendar/{slug}.ics",
    "CONNECTIONS_EVENTS_ICS": "calendar/events.ics",
    # Search (search.py): Pagefind indexes the stories at build time; the
    # search page's address. CONNECTIONS_SEARCH = False: no index, no page.
    "CONNECTIONS_SEARCH": True,
    "CONNECTIONS_SEARCH_URL": "search/",
    "CONNECTIONS_SEARCH_SAVE_AS": "search/index.html",
    # The map of connections (connection_map.py): its page ("" : none), how
    # many of the most connected people and events it draws and labels, the
    # layout's seed; each person's neighbourhood on their page.
    "CONNECTIONS_MAP_URL": "map/",
    "CONNECTIONS_MAP_SAVE_AS": "map/index.html",
    "CONNECTIONS_MAP_NODES": 80,
    "CONNECTIONS_MAP_LABELS": 30,
    "CONNECTIONS_MAP_SEED": 7,
    "CONNECTIONS_NEIGHBOURHOOD": True,
    # Reach (reach.py): files written at the output's root (None or "": not
    # written), and the site's absolute address for canonical links, Open
    # Graph and the sitemap (None: SITEURL, when it is absolute).
    "CONNECTIONS_SITEMAP": "sitemap.xml",
    "CONNECTIONS_ROBOTS": "robots.txt",
    "CONNECTIONS_SITE_URL": None,
    # Comments (comments.py): isso | giscus | disqus | remark42 | none, the
    # comment server's address, and the provider's own options.
    # None: isso when COMMENTS_URL is set, else none (an existing blog that
    # has no comment server builds, without comment sections).
    "COMMENTS_PROVIDER": None,
    "COMMENTS_URL": "",
    "COMMENTS_OPTIONS": {},
    # Old addresses (redirects.py): the file, in the content folder, mapping
    # old paths to stories and pages (the WordPress import writes it), and
    # where in the output the nginx and Apache maps go ("" or None: none).
    "CONNECTIONS_REDIRECTS_FILE": "redirects.json",
    "CONNECTIONS_REDIRECTS_MAP_PATH": "redirects",
}

# Templates paginated like Pelican's tag pages (None: DEFAULT_PAGINATION;
# DEFAULT_PAGINATION = False puts every story on one page). The theme's story
# lists read the stories of the page, so every list template is paginated.
# Person and event pages list titles, not summaries: 30 a page.
PAGINATED = {"index": None, "tag": None, "category": None, "author": None,
             "person": 30, "event": 30}


def apply_defaults(settings):
    """Fill in every missing setting; report malformed ones."""
    for name, value in DEFAULTS.items():
        settings.setdefault(name, value)
    paginated = settings.setdefault("PAGINATED_TEMPLATES", {})
    for template, per_page in PAGINATED.items():
        paginated.setdefault(template, per_page)
    placeholder = settings["CONNECTIONS_PRIVATE_PLACEHOLDER"]
    if not isinstance(placeholder, str) or not placeholder.strip():
        logger.error(
            "connections: CONNECTIONS_PRIVATE_PLACEHOLDER must be a non-empty "
            "string, not %r; using 'someone'",
            placeholder,
        )
        settings["CONNECTIONS_PRIVATE_PLACEHOLDER"] = "someone"
    return settings


# Pelican's own default for an author's page (pelican.settings.DEFAULT_CONFIG).
PELICAN_AUTHOR_SAVE_AS = "author/{slug}.html"


def adopt_blog(settings):
    """What the plugin changes in Pelican's settings, each said once (an
    existing blog's settings mean what they meant, except for these):

    - the profile folders are never read as stories or pages, whatever
      ARTICLE_PATHS and PAGE_PATHS say: they join ARTICLE_EXCLUDES and
      PAGE_EXCLUDES;
    - authors are people: with Pelican's default AUTHOR_SAVE_AS, an author's
      page is their person page, and the old `author/<slug>.html` addresses
      become pages that send readers there (CONNECTIONS_AUTHOR_REDIRECTS).
    """
    told = []
    folders = [settings[k] for k in ("CONNECTIONS_PEOPLE_PATH", "CONNECTIONS_EVENTS_PATH")]
    for key in ("ARTICLE_EXCLUDES", "PAGE_EXCLUDES"):
        current = list(settings.get(key) or [])
        added = [f for f in folders if f and f not in current]
        if added:
            settings[key] = current + added
            told.append(f"{key} += {added}")
    redirects = settings.get("CONNECTIONS_AUTHOR_REDIRECTS")
    if settings.get("AUTHOR_SAVE_AS") == PELICAN_AUTHOR_SAVE_AS:
        settings["AUTHOR_SAVE_AS"] = ""
        settings["AUTHOR_URL"] = settings["PERSON_URL"]
        if redirects is None:
            settings["CONNECTIONS_AUTHOR_REDIRECTS"] = PELICAN_AUTHOR_SAVE_AS
        told.append(
            "AUTHOR_SAVE_AS = '' and AUTHOR_URL = PERSON_URL (an author's page is their "
            "person page; the old author/<slug>.html addresses redirect there)"
        )
    settings.setdefault("CONNECTIONS_AUTHOR_REDIRECTS", "")
    if settings["CONNECTIONS_AUTHOR_REDIRECTS"] is None:
        settings["CONNECTIONS_AUTHOR_REDIRECTS"] = ""
    say_changed(settings, told)
    return settings


def worker_count(settings):
    """The processes CONNECTIONS_WORKERS asks for: every core the build may
    use when it is None; ValueError when it is not a whole number."""
    wanted = settings.get("CONNECTIONS_WORKERS")
    if wanted is None:
        try:
            return len(os.sched_getaffinity(0))
        except AttributeError:  # not Linux
            return os.cpu_count() or 1
    try:
        return max(1, int(wanted))
    except (TypeError, ValueError):
        raise ValueError(wanted) from None


def say_changed(settings, told):
    """Say which of Pelican's settings the plugin changed, and to what
    (unless CONNECTIONS_QUIET_ADOPTION)."""
    if told and not settings.get("CONNECTIONS_QUIET_ADOPTION"):
        logger.warning("connections: changed Pelican settings: %s", "; ".join(told))


def load_settings(settings_file, output=None, overrides=None):
    """Pelican's settings from `settings_file`, OUTPUT_PATH set to `output`."""
    override = dict(overrides or {})
    if output:
        override["OUTPUT_PATH"] = os.path.abspath(output)
    return read_settings(settings_file, override=override)
