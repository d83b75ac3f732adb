"""The mention syntax, at the Markdown-extension level (assertMarkdownRenders)."""

from markdown.test_tools import TestCase

from connections.linking.mentions import MentionExtension


def person(text, ref=None):
    data_ref = f' data-ref="{ref}"' if ref else ""
    return f'<a class="mention" data-mention="person"{data_ref}>{text}</a>'


def event(text, ref=None):
    data_ref = f' data-ref="{ref}"' if ref else ""
    return f'<a class="mention" data-mention="event"{data_ref}>{text}</a>'


class MentionSyntaxTest(TestCase):
    default_kwargs = {"extensions": [MentionExtension()]}

    def test_person(self):
        self.assertMarkdownRenders(
            "I met @[Ed Marx] today.", f"<p>I met {person('Ed Marx')} today.</p>"
        )

    def test_event(self):
        self.assertMarkdownRenders(
            "At #[HIMSS 2013], finally.", f"<p>At {event('HIMSS 2013')}, finally.</p>"
        )

    def test_display_text(self):
        self.assertMarkdownRenders(
            "@[Ed](Ed Marx) waved.", f"<p>{person('Ed', 'Ed Marx')} waved.</p>"
        )

    def test_display_text_same_as_name_is_a_plain_mention(self):
        self.assertMarkdownRenders("@[Ed Marx](Ed Marx)", f"<p>{person('Ed Marx')}</p>")

    def test_event_display_text(self):
        self.assertMarkdownRenders(
            "#[the summit](Nordic Health Summit 2025)",
            f"<p>{event('the summit', 'Nordic Health Summit 2025')}</p>",
        )

    def test_non_ascii(self):
        self.assertMarkdownRenders(
            "@[José Álvarez] and @[Søren Kjær]",
            f"<p>{person('José Álvarez')} and {person('Søren Kjær')}</p>",
        )

    def test_escaped_mentions_stay_literal(self):
        self.assertMarkdownRenders(
            r"Write \@[Ed Marx] or \#[HIMSS 2013] or \@[Ed](Ed Marx).",
            "<p>Write @[Ed Marx] or #[HIMSS 2013] or @[Ed](Ed Marx).</p>",
        )

    def test_not_in_code_span(self):
        self.assertMarkdownRenders(
            "Type `@[Ed Marx]` to mention.", "<p>Type <code>@[Ed Marx]</code> to mention.</p>"
        )

    def test_not_in_code_block(self):
        self.assertMarkdownRenders(
            "Syntax:\n\n    @[Ed Marx] and #[HIMSS 2013]\n",
            "<p>Syntax:</p>\n<pre><code>@[Ed Marx] and #[HIMSS 2013]\n</code></pre>",
        )

    def test_not_in_email_address(self):
        self.assertMarkdownRenders(
            "Write to ann@example.org or ann@[192.0.2.1].",
            "<p>Write to ann@example.org or ann@[192.0.2.1].</p>",
        )

    def test_not_in_urls(self):
        self.assertMarkdownRenders(
            "[a link](https://example.org/#[x]) and <https://example.org/@[y]>",
            '<p><a href="https://example.org/#[x]">a link</a> and '
            '<a href="https://example.org/@[y]">https://example.org/@[y]</a></p>',
        )

    def test_empty_mentions_stay_as_written(self):
        self.assertMarkdownRenders("@[] and @[ ] and @[](x)", "<p>@[] and @[ ] and @[](x)</p>")

    def test_unbalanced_brackets_stay_as_written(self):
        self.assertMarkdownRenders("@[Ed Marx waved", "<p>@[Ed Marx waved</p>")

    def test_inside_emphasis_and_punctuation(self):
        self.assertMarkdownRenders(
            "**@[Ed Marx]**, (@[Zoë]) and “#[X]”",
            f"<p><strong>{person('Ed Marx')}</strong>, ({person('Zoë')}) and “{event('X')}”</p>",
        )

    def test_two_mentions_back_to_back(self):
        self.assertMarkdownRenders("@[A]@[B]", f"<p>{person('A')}{person('B')}</p>")

    def test_markup_in_names_is_escaped(self):
        self.assertMarkdownRenders(
            '@[<b>Bold</b> "Quote" & Co]',
            "<p>" + person('&lt;b&gt;Bold&lt;/b&gt; "Quote" &amp; Co') + "</p>",
        )

    def test_underscores_in_names_are_not_emphasis(self):
        self.assertMarkdownRenders("@[_under_score_]", f"<p>{person('_under_score_')}</p>")

    def test_mention_in_heading_and_list(self):
        self.assertMarkdownRenders(
            "## With @[Ed Marx]\n\n- #[HIMSS 2013]",
            f"<h2>With {person('Ed Marx')}</h2>\n<ul>\n<li>{event('HIMSS 2013')}</li>\n</ul>",
        )

    def test_event_at_the_start_of_a_line_is_not_a_heading(self):
        self.assertMarkdownRenders(
            "#[HIMSS 2013] was loud.\n\n# A heading\n\n##Tight heading",
            f"<p>{event('HIMSS 2013')} was loud.</p>\n<h1>A heading</h1>\n<h2>Tight heading</h2>",
        )

    def test_custom_builder(self):
        import xml.etree.ElementTree as etree

        def builder(kind, text, target):
            el = etree.Element("span")
            el.text = f"{kind}:{target or text}"
            return el

        self.assertMarkdownRenders(
            "@[Ed](Ed Marx)",
            "<p><span>person:Ed Marx</span></p>",
            extensions=[MentionExtension(builder=builder)],
        )


def in_link(kind, text, ref=None):
    data_ref = f' data-ref="{ref}"' if ref else ""
    return f'<span class="mention" data-mention="{kind}"{data_ref}>{text}</span>'


class MentionInLinkTextTest(TestCase):
    """A mention in a link's text is no link of its own (no <a> in an <a>)."""

    default_kwargs = {"extensions": [MentionExtension()]}

    def test_inline_link(self):
        self.assertMarkdownRenders(
            "[@[Ed Marx]'s talk](https://example.org/talk)",
            '<p><a href="https://example.org/talk">'
            f"{in_link('person', 'Ed Marx')}'s talk</a></p>",
        )

    def test_reference_link_and_display_text(self):
        self.assertMarkdownRenders(
            "[see @[Ed](Ed Marx) at #[HIMSS 2013]][talk]\n\n[talk]: https://example.org/t",
            '<p><a href="https://example.org/t">see '
            f"{in_link('person', 'Ed', 'Ed Marx')} at {in_link('event', 'HIMSS 2013')}</a></p>",
        )

    def test_outside_a_link_it_stays_a_mention(self):
        self.assertMarkdownRenders(
            "@[Ed Marx] gave [a talk](https://example.org/talk)",
            f'<p>{person("Ed Marx")} gave <a href="https://example.org/talk">a talk</a></p>',
        )
