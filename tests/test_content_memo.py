"""A story's filled-in content is released once its page is written."""

import datetime

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from connections.machinery.content_memo import release_written_story


def _story():
    context = {"localsiteurl": "../..", "generated_content": {}, "static_content": {},
               "static_links": set()}
    metadata = {"title": "At the pier", "date": datetime.datetime(2025, 5, 1, 9, 0)}
    return Article('<p>Met <a href="{filename}/@person/zoe-laurent">Zoë</a>.</p>',
                   metadata=metadata, settings=dict(DEFAULT_CONFIG), context=context)


def test_the_copy_made_for_the_story_page_is_dropped_after_writing_it():
    story = _story()
    memo = Article.get_content.cache
    shown = story.content
    assert (story, "../..") in memo
    release_written_story("out/at-the-pier.html", {
        "article": story, "output_file": story.save_as, "localsiteurl": "../.."})
    assert (story, "../..") not in memo
    assert story.content == shown  # asked again, worked out again, the same


def test_other_pages_that_show_a_story_keep_pelicans_memo():
    story = _story()
    story.content
    release_written_story("out/tag/x.html", {
        "article": story, "output_file": "tag/x.html", "localsiteurl": "../.."})
    assert (story, "../..") in Article.get_content.cache
