"""Settings for local work: relative URLs, the local comment server.

Every Connection Stories setting and its default is listed in README.md;
the plugin's defaults live in plugins/connections/settings.py.
"""

AUTHOR = "Maya Okafor"
SITENAME = "Connection Stories"
SITESUBTITLE = "People we met, and where we met them"
SITEURL = ""
RELATIVE_URLS = True

PATH = "content"
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
ARTICLE_EXCLUDES = ["people", "events"]
PAGE_EXCLUDES = ["people", "events"]

TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
DEFAULT_PAGINATION = 10

THEME = "theme"
# Warm builds (make html, make serve's rebuilds): Pelican's content cache
# skips reading unchanged stories, and the plugin skips rendering unchanged
# pages (README, "Warm builds"). make clean empties the cache.
CACHE_PATH = "cache"
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
# Stories are told changed by their bytes, not their modification time (a
# story copied with its time kept is read again); the plugin would set it.
CHECK_MODIFIED_METHOD = "blake2b"
# Pelican writes its whole cache again on every build: compressing it takes
# longer than the rest of a warm build's reading (about 1 s per 5000 stories,
# for a file of some 4 KB per story uncompressed).
GZIP_CACHE = False
# The theme escapes every value it prints (names, titles, summaries' text...);
# only HTML rendered from Markdown (story content, summaries, bios) is marked
# |safe in the templates.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["connections"]

ARTICLE_URL = "{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "{date:%Y}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
CATEGORY_URL = "category/{slug}/"
CATEGORY_SAVE_AS = "category/{slug}/index.html"
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = "tag/{slug}/index.html"
ARCHIVES_SAVE_AS = "archives/index.html"
ARCHIVES_URL = "archives/"
CATEGORIES_SAVE_AS = "category/index.html"
TAGS_SAVE_AS = "tag/index.html"
# Authors are people: an author's page is their person page (people/<slug>/).
# Set here, so the plugin has nothing to change (this site never had
# Pelican's author/<slug>.html pages to redirect).
AUTHOR_SAVE_AS = ""
AUTHOR_URL = "people/{slug}/"
AUTHORS_SAVE_AS = ""

# Pelican's own feeds are replaced by the plugin's (see README, "Feeds"):
# they are written with feedgen, per site, person and event.
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
TRANSLATION_FEED_RSS = None

# The local comment server that `make serve` starts beside the site.
COMMENTS_PROVIDER = "isso"
COMMENTS_URL = "http://127.0.0.1:8080/"

MENUITEMS = []
DISPLAY_PAGES_ON_MENU = True
DISPLAY_CATEGORIES_ON_MENU = False


DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "404"]

globals()["404_SAVE_AS"] = "404.html"  # not a valid Python name, hence globals()
