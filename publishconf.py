"""Settings for the published site: `make publish` (and rsync_upload, github).

Imports everything from pelicanconf.py, then switches to absolute URLs,
turns feeds on with their absolute domain, builds from nothing into a clean
output directory and makes content warnings fail the build.
"""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "https://connection-stories.example.org")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL

DELETE_OUTPUT_DIRECTORY = True
# A published build starts from nothing: no cache read, none written.
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
OUTPUT_RETENTION = [".git", "CNAME"]

# A published site must not carry a content mistake: warnings fail the build.
CONNECTIONS_STRICT = True

# The production comment server (see README, "Running Isso in production").
COMMENTS_URL = os.environ.get("COMMENTS_URL", "https://comments.connection-stories.example.org/")

# Drafts are previewed locally under drafts/, never published.
DRAFT_SAVE_AS = ""
DRAFT_URL = ""
DRAFT_PAGE_SAVE_AS = ""
DRAFT_PAGE_URL = ""
