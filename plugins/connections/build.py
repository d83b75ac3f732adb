"""`python -m connections build`: build the site, or say clearly why not.

Pelican's own command prints a traceback when a plugin stops the build; this
one prints the findings (already logged as `path:line:column: ...`) and a
one-line reason, and exits 1.
"""

import logging
import sys

from pelican import Pelican
from pelican.log import init as init_logging

from .machinery.content_cache import run_forgetting_unreadable_cache
from .output import search
from .settings import load_settings

logger = logging.getLogger(__name__)


def build(settings):
    """Run one build; raise ContentError when the content must not be published.

    A content cache Pelican can't load is removed and the site built without
    it (content_cache.py). A build that fails leaves no search index half
    made (search.abandon)."""
    try:
        run_forgetting_unreadable_cache(lambda: Pelican(settings).run(), settings)
    except BaseException:
        search.abandon()
        raise


def plain_findings(verbose=False):
    """Findings go to stderr one per line, as `path:line:column: level: message`
    (Pelican's console handler would wrap them), where editors can read them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger(__package__)  # connections, or pelican.plugins.connections
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO if verbose else logging.WARNING)


def main(args):
    init_logging(level=logging.INFO if args.verbose else logging.WARNING, name="pelican")
    plain_findings(args.verbose)
    overrides = {"LOAD_CONTENT_CACHE": False} if args.ignore_cache else None
    build(load_settings(args.settings, args.output, overrides))
    return 0
