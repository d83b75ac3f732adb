"""A WordPress post's stored text becomes Markdown that says the same thing.

Markdown is rendered with Python-Markdown (as the site's build does), so each
test asserts what a reader would see, not how the Markdown is spelt.
"""

import markdown
import pytest

from connections.importing.wordpress_body import comment_markdown, convert_post, to_markdown, wpautop


def rendered(text, lookup=None):
    md, notes = to_markdown(text, lookup)
    return markdown.markdown(md, extensions=["extra"]), md, notes


def test_classic_posts_get_wordpress_paragraphs_and_line_breaks():
    html, _, _ = rendered("First line\nsecond line.\n\nA new paragraph.")
    assert html.count("<p>") == 2
    assert "First line<br />\nsecond line." in html
    # what already is a block is not wrapped again
    assert wpautop("<ul>\n<li>one</li>\n</ul>").startswith("<ul>")


def test_pre_blocks_keep_their_blank_lines():
    html, _, _ = rendered("Before.\n\n<pre>line one\n\nline three</pre>\n\nAfter.")
    assert "line one\n\nline three" in html
    assert "<br" not in html.split("<pre>")[1].split("</pre>")[0]


def test_caption_shortcode_becomes_an_image_with_its_caption():
    html, _, notes = rendered(
        '[caption id="attachment_9" align="alignright" width="300"]'
        '<img src="https://old.example/boat.jpg" alt="A red boat" /> The boat at dawn[/caption]'
    )
    assert '<img alt="A red boat" src="https://old.example/boat.jpg"' in html
    assert "The boat at dawn" in html
    assert "[caption" not in html and notes == []


def test_gallery_uses_the_attachments_of_the_export_or_stays_as_written():
    html, _, _ = rendered('[gallery ids="5,6"]', {"5": "https://old.example/a.jpg", "6": "https://old.example/b.jpg"})
    assert html.count("<img") == 2
    html, _, notes = rendered("[gallery]")
    assert "[gallery]" in html and notes  # kept, and said


def test_embed_video_audio_and_code():
    html, _, _ = rendered("[embed]https://video.example/v/42[/embed]")
    assert '<a href="https://video.example/v/42">' in html
    html, md, _ = rendered('[video src="https://old.example/talk.mp4"]')
    assert "<video controls" in md and 'src="https://old.example/talk.mp4"' in html
    html, _, _ = rendered('[audio mp3="https://old.example/song.mp3"]')
    assert "<audio controls" in html
    html, _, _ = rendered('[code lang="python"]if a < b:\n    pass[/code]')
    assert "if a &lt; b:" in html and "<code" in html


def test_a_url_alone_on_its_line_is_a_link():
    html, _, _ = rendered("Look:\n\nhttps://www.example.org/watch?v=9\n\nNice.")
    assert '<a href="https://www.example.org/watch?v=9">' in html


def test_block_editor_comments_go_and_dynamic_blocks_are_kept_and_said():
    text = (
        "<!-- wp:paragraph -->\n<p>Hello from the <strong>block</strong> editor.</p>\n"
        "<!-- /wp:paragraph -->\n\n<!-- wp:latest-posts {\"postsToShow\":3} /-->\n\n"
        "<!-- wp:heading -->\n<h2>Later</h2>\n<!-- /wp:heading -->"
    )
    html, md, notes = rendered(text)
    assert "<strong>block</strong>" in html and "<h2>Later</h2>" in html
    assert "<!-- /wp:paragraph -->" not in md
    assert '<!-- wp:latest-posts {"postsToShow":3} /-->' in md  # not lost
    assert any("wp:latest-posts" in n for n in notes)


@pytest.mark.parametrize("tag", [
    '<iframe src="https://maps.example/embed"></iframe>',
    '<table><tr><td colspan="2">merged</td></tr><tr><td>a</td><td>b</td></tr></table>',
    "<sup>2</sup>",
])
def test_what_markdown_cannot_say_is_kept_as_html(tag):
    html, md, _ = rendered(f"<p>Before</p>\n\n{tag}\n\n<p>After</p>")
    name = tag[1:tag.index(">")].split()[0]
    assert f"<{name}" in md and f"<{name}" in html


def test_broken_html_is_read_as_a_browser_would():
    html, _, _ = rendered("<p>An <b>unclosed bold\n\n<p>and a <i>stray</p> close</div>")
    assert "unclosed bold" in html and "stray" in html and "close" in html


def test_mention_lookalikes_are_escaped_but_kept():
    _, md, _ = rendered("Ask @[admin] about #[tag].")
    assert "\\@[admin]" in md and "\\#[tag]" in md


def test_more_gives_the_teaser_and_leaves_the_text_whole():
    md, _, teaser = convert_post("The <em>start</em>.\n<!--more-->\nThe rest.")
    assert teaser == "The *start*."
    assert "The rest." in md and "more" not in md


def test_right_to_left_text_is_unchanged():
    text = "مرحبا بالعالم، هذه قصة عن لقاء في السوق.\n\nשלום עולם"
    html, _, _ = rendered(text)
    assert "مرحبا بالعالم، هذه قصة عن لقاء في السوق." in html and "שלום עולם" in html


def test_comments_plain_text_as_it_is_and_html_converted():
    assert comment_markdown("Thanks!\n\nSee you @[Ed]") == "Thanks!\n\nSee you @[Ed]"
    assert comment_markdown("I <em>loved</em> it") == "I *loved* it"
