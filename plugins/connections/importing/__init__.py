"""Bringing a blog over from elsewhere: WordPress exports (posts, pages,
authors, comments into Isso, old addresses kept).

May import everything below it, the content check included.
"""
