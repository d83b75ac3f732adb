"""What a reader gets: person and event pages, feeds, structured data.

May import `model`, `linking` and `comments`.
"""
