"""Each story's summary cut once, before the pages are rendered, and kept
from build to build.

A story without a `Summary:` header shows the start of its text, cut the
way Pelican cuts it (SUMMARY_MAX_LENGTH words..., linking/summaries.py), on
every list that shows it: the index, its category, tags, people and events.
Cutting is slow (Pelican parses the story's HTML: a tenth of a millisecond a
story), and it was done where the pages are rendered, in the workers forked
for each batch of pages (parallel_writing.py), so a cut made there was lost
to the build: a cold build cut each story twice (in a worker, then again in
the build for its feeds), and a warm build that added one story (every list
page shifts by one) cut all of them again.

So once every generator has its context (`all_generators_finalized`),
before any page is rendered, the build cuts each story's summary itself,
once, taking the cuts the last build kept where the story's text is the
same: a cut depends on the text, the three SUMMARY_* settings and the code
(Pelican's and this plugin's versions, incremental.code_version), and is
kept by a digest of all of them in CACHE_PATH (SUMMARIES_FILE), read with
LOAD_CONTENT_CACHE and written with CACHE_CONTENT. A story whose text
changed, and only it, is cut again.
"""

import hashlib
import os

from pelican.generators import ArticlesGenerator

from ..linking.record import is_linked, keep, state
from ..linking.summaries import cut
from . import kept_files
from .incremental import code_version

SUMMARIES_FILE = "connections-summaries.pickle"
SETTINGS = ("SUMMARY_MAX_PARAGRAPHS", "SUMMARY_MAX_LENGTH", "SUMMARY_END_SUFFIX")
# The lists of an articles' generator whose stories a page may summarise.
LISTS = ("articles", "translations", "drafts", "drafts_translations",
         "hidden_articles", "hidden_translations")


def cut_before_rendering(generators):
    """`all_generators_finalized`: every story's summary cut (or taken from
    the last build), before the pages that show it are rendered."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None or state(articles.context) is None:
        return
    settings = articles.settings
    path = _path(settings)
    kept = (kept_files.load(path, "every summary is cut again")
            if settings.get("LOAD_CONTENT_CACHE") else {})
    # What every cut depends on besides its text, digested once.
    base = hashlib.blake2b(
        (code_version() + repr([settings.get(name) for name in SETTINGS])).encode("utf-8"),
        digest_size=16).digest()
    used = {}
    for story in _stories(articles):
        if getattr(story, "summary_source", None) is not None:  # a `Summary:` header
            continue
        text = story._content or ""
        key = hashlib.blake2b(base + text.encode("utf-8", "surrogatepass"),
                              digest_size=16).digest()
        found = kept.get(key)
        if found is None:
            found = cut(text, settings)
        used[key] = found
        keep(story, summary_source=found)
    if settings.get("CACHE_CONTENT") and path is not None and used != kept:
        kept_files.save(path, used)


def _stories(generator):
    seen = set()
    for name in LISTS:
        for story in getattr(generator, name, None) or []:
            if id(story) not in seen and is_linked(story):
                seen.add(id(story))
                yield story


def _path(settings):
    folder = settings.get("CACHE_PATH")
    return os.path.join(folder, SUMMARIES_FILE) if folder else None
