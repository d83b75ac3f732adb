"""What a build keeps in CACHE_PATH for the next one, beside Pelican's cache.

The summaries cut (summary_cuts.py) and the files' stamps (content_cache.py)
are each a pickled dict in a file of their own. A file that is missing, cut
short or not what it should be is as good as none: the build works it all
out again, says so at info level, and never stops on it. A file is written
whole or not at all (beside, then renamed into place), so a build stopped
while writing leaves the last one.
"""

import logging
import pickle

from ..output import write_whole

logger = logging.getLogger(__name__)


def load(path, what):
    """The dict kept in `path`, or {} (`what` names, for the message, what is
    worked out again without it)."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            kept = pickle.load(f)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # noqa: BLE001 - any damage: work it out again, say so
        logger.info("connections: %s could not be read (%s); %s", path, exc, what)
        return {}
    return kept if isinstance(kept, dict) else {}


def save(path, kept):
    write_whole(path, [pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL)])
