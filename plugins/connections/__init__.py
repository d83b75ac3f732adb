"""Connection Stories: people and events as first-class parts of a Pelican blog.

`register()` only wires Pelican's signals to the functions below; each piece
of work lives in the module named for it.
"""

import logging

from pelican import signals
from pelican.contents import Article, Page

from .comments import providers as comments
from .configure import configure
from .diagnostics import Findings
from .linking import privacy
from .linking.linker import Linker
from .linking.record import keep_state, state_of
from .machinery import background, long_lived
from .machinery.content_cache import load_stamps, save_stamps, stamp_once
from .machinery.content_memo import release_written_story
from .machinery.incremental import IncrementalWriter
from .machinery.markdown_reader import use_reusing_reader
from .machinery.parallel_reading import finish_reading, in_path_order, read_ahead
from .machinery.parallel_writing import pages_in_parallel
from .machinery.summary_cuts import cut_before_rendering
from .machinery.taxonomies import file_in_members
from .model.registry import Registry
from .output.calendar import CalendarGenerator
from .output.connection_map import MapGenerator
from .output.feeds import FeedsGenerator
from .output.pages import ConnectionsGenerator
from .output.reach import ReachGenerator
from .output.redirects import RedirectsGenerator
from .output.related import on_all_read, on_articles_read
from .output.search import SearchGenerator

logger = logging.getLogger(__name__)


def initialized(pelican):
    configure(pelican.settings)


def start_build(generator):
    """Each build (every autoreload too) reads the profiles afresh."""
    settings = generator.settings
    findings = Findings()
    registry = Registry(settings, findings).load(settings["PATH"])
    keep_state(generator.context, Linker(settings, registry, findings))


def link_content(content):
    if isinstance(content, (Article, Page)):
        linker = state_of(content)
        if linker is not None:
            linker.link(content)


def get_generators(pelican):
    # ConnectionsGenerator first: the feeds read what it gathers; the sitemap
    # (ReachGenerator) once every page is known. Redirects last: an old
    # address where the site writes a page of its own is left to it.
    return (ConnectionsGenerator, FeedsGenerator, CalendarGenerator, MapGenerator,
            SearchGenerator, ReachGenerator, RedirectsGenerator)


def get_writer(pelican):
    return IncrementalWriter


def register():
    signals.initialized.connect(initialized)
    signals.initialized.connect(load_stamps)  # after the settings are checked
    signals.article_generator_init.connect(stamp_once)  # before anything asks for one
    signals.page_generator_init.connect(stamp_once)
    signals.article_generator_init.connect(start_build)
    signals.article_generator_init.connect(in_path_order)
    signals.page_generator_init.connect(in_path_order)
    signals.article_generator_init.connect(read_ahead)
    signals.article_generator_init.connect(background.offer)
    signals.content_object_init.connect(link_content)
    signals.content_object_init.connect(comments.prepare)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.readers_init.connect(use_reusing_reader)
    signals.content_written.connect(release_written_story)
    signals.article_generator_pretaxonomy.connect(finish_reading)
    signals.article_generator_pretaxonomy.connect(long_lived.keep)  # the stories, read
    signals.article_generator_pretaxonomy.connect(file_in_members)
    signals.article_generator_finalized.connect(long_lived.keep)  # and filed
    signals.article_generator_finalized.connect(on_articles_read)
    signals.article_generator_finalized.connect(pages_in_parallel)
    signals.all_generators_finalized.connect(on_all_read)  # before anything renders
    signals.all_generators_finalized.connect(cut_before_rendering)
    signals.all_generators_finalized.connect(long_lived.keep)  # every page's context
    signals.finalized.connect(save_stamps)
    signals.finalized.connect(long_lived.release)
    signals.initialized.connect(long_lived.release)  # what a failed build kept
    signals.static_generator_finalized.connect(privacy.drop_hidden_pictures)
