"""What a reader gets: person and event pages, feeds, structured data.

May import `model`, `linking` and `comments`.
"""

from pelican import signals

# Sent with the articles' generator once every story page is on disk (by the
# build's writer: machinery/parallel_writing.py); search.py indexes them then.
story_pages_written = signals.signal("connections_story_pages_written")
