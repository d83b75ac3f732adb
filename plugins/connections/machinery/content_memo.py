"""A story's content is kept in memory while its page is written, not after.

Pelican memoizes `article.content` (`Content.get_content(siteurl)`) for the
whole build: with RELATIVE_URLS every story's filled-in content stays in
memory once its page is rendered. Vanilla Pelican barely notices (a story
without intrasite links gets its own text back), but every connection story
links its people and events, so each would keep a second copy of its text:
about 20 MiB at 5000 stories. The story's page is the only page that shows
its content (lists show summaries, feeds fill in absolute links themselves),
so once that page is written, the copy is dropped. Anything that asks for
the content again gets it worked out again, the same.
"""

from pelican.contents import Content


def release_written_story(path, context):
    """On `content_written`: forget the content memoized for that page's story."""
    article = context.get("article")
    if not isinstance(article, Content) or context.get("output_file") != article.save_as:
        return
    memo = type(article).get_content.cache
    memo.pop((article, context.get("localsiteurl") or ""), None)
