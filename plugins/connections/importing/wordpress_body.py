"""A WordPress post's body, as WordPress would show it, in Markdown.

What WordPress stores is not quite HTML: classic-editor posts rely on
`wpautop` (a blank line is a paragraph break, a single newline a line break),
block-editor posts carry `<!-- wp:... -->` comments around their HTML, and
both may hold shortcodes (`[caption]`, `[gallery]`, `[embed]`, `[video]`...).
`to_markdown` undoes each of those into plain HTML first, then converts the
HTML with markdownify (BeautifulSoup underneath, which reads broken HTML the
way browsers do). What Markdown cannot say - video, audio, iframes, forms,
tables with merged cells, sub/superscripts... - is kept as the HTML it was,
which Markdown passes through, so nothing of a post is lost.

`to_markdown(html, lookup)` returns `(markdown, notes)`: notes are the short
things worth telling the author (a shortcode kept as written...).
"""

import html as htmllib
import re

from markdownify import MarkdownConverter

# Markdown's mention syntax (`@[Name]`, `#[Event]`) must not appear by accident
# in imported text: it is escaped, and the mention extension drops the `\`.
_MENTION_LIKE = re.compile(r"(?<!\\)([@#])\[")

BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
    "form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
    "article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|"
    "iframe|video|audio|object|embed|script|noscript|svg|select|option|textarea"
)
_STARTS_BLOCK = re.compile(rf"^\s*</?(?:{BLOCK_TAGS})\b", re.I)
_ENDS_BLOCK = re.compile(rf"</(?:{BLOCK_TAGS})>\s*$", re.I)
_PRESERVE = re.compile(r"<(pre|script|style|textarea)\b.*?</\1>", re.I | re.S)
_BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9/_-]+)(\s+\{.*?\})?\s*(/?)-->", re.I | re.S)
_MORE = re.compile(r"<!--\s*more\b[^>]*-->", re.I)
_NEXTPAGE = re.compile(r"<!--\s*nextpage\s*-->", re.I)
_SHORTCODE = re.compile(
    r"(?<![@#\\])\[(\[?)([a-z][a-z0-9_-]*)(?![\w-])([^\]]*?)(/?)\](?:(.*?)\[/\2\])?(\]?)", re.S
)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))|"([^"]*)"|(\S+)""")
_BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)


def is_block_editor(text):
    return "<!-- wp:" in text


def split_more(text):
    """(before, after) at `<!--more-->`, or (None, text) when there is none."""
    m = _MORE.search(text)
    if not m:
        return None, text
    return text[: m.start()], text[: m.start()] + text[m.end():]


def wpautop(text):
    """Paragraphs from blank lines and line breaks from single newlines, as
    WordPress shows a classic-editor post (its `wpautop`), leaving what is
    already a block (a list, a table, <pre>...) as it is."""
    if not text.strip():
        return ""
    kept = []

    def keep(m):
        kept.append(m.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _PRESERVE.sub(keep, text.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for chunk in re.split(r"\n\s*\n", text):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        if _STARTS_BLOCK.match(chunk) or re.fullmatch(r"\s*\x00\d+\x00\s*", chunk):
            out.append(chunk)
        else:
            # a single newline inside a paragraph is a line break, except
            # right next to a block tag
            lines = chunk.split("\n")
            joined = lines[0]
            for line in lines[1:]:
                if _ENDS_BLOCK.search(joined) or _STARTS_BLOCK.match(line):
                    joined += "\n" + line
                else:
                    joined += "<br />\n" + line
            out.append(f"<p>{joined}</p>")
    result = "\n\n".join(out)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], result)


def _attrs(text):
    found = {}
    position = 0
    for m in _ATTR.finditer(text or ""):
        if m.group(1):
            found[m.group(1).lower()] = next(g for g in m.group(2, 3, 4) if g is not None)
        else:
            found[position] = m.group(5) if m.group(5) is not None else m.group(6)
            position += 1
    return found


def _esc(value):
    return htmllib.escape(str(value), quote=True)


class Shortcodes:
    """WordPress's built-in shortcodes as the HTML WordPress would make of them."""

    def __init__(self, lookup=None):
        self.lookup = lookup or {}  # attachment id -> its URL
        self.notes = []

    def expand(self, text):
        return _SHORTCODE.sub(self._one, text)

    def _one(self, m):
        if m.group(1) == "[" and m.group(6) == "]":  # [[escaped]] stays as written
            return m.group(0)[1:-1]
        name = m.group(2).lower()
        attrs = _attrs(m.group(3))
        inner = m.group(5)
        handler = getattr(self, "sc_" + name.replace("-", "_"), None)
        if handler is None:
            if name in _KNOWN_NOT_SHORTCODES:
                return m.group(0)
            self.notes.append(f"shortcode [{name}] kept as written")
            return m.group(0)
        return handler(attrs, inner, m.group(0))

    def sc_caption(self, attrs, inner, raw):
        inner = inner or ""
        caption = attrs.get("caption")
        # [caption]<img ...> The caption text[/caption]: the text after the image
        m = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", inner, re.S)
        if m:
            media, rest = m.group(1), m.group(2).strip()
            caption = caption or rest
        else:
            media, caption = inner, caption or ""
        return (
            f"<figure>{media}<figcaption>{caption}</figcaption></figure>"
            if caption else f"<figure>{media}</figure>"
        )

    sc_wp_caption = sc_caption

    def sc_gallery(self, attrs, inner, raw):
        ids = [i.strip() for i in str(attrs.get("ids") or attrs.get("include") or "").split(",") if i.strip()]
        urls = [self.lookup[i] for i in ids if i in self.lookup]
        if not urls:
            self.notes.append("a [gallery] without its images in the export was kept as written")
            return raw
        return "<p>" + " ".join(f'<img src="{_esc(u)}" alt="">' for u in urls) + "</p>"

    def sc_embed(self, attrs, inner, raw):
        url = (inner or attrs.get("src") or attrs.get(0) or "").strip()
        if not url:
            return raw
        return f'<p><a href="{_esc(url)}">{_esc(url)}</a></p>'

    def _media(self, tag, attrs, raw):
        sources = [attrs[k] for k in ("src", "mp4", "webm", "ogv", "mp3", "ogg", "m4a", "wav") if attrs.get(k)]
        if not sources:
            self.notes.append(f"[{tag}] without a source kept as written")
            return raw
        extra = ""
        if tag == "video":
            for k in ("width", "height", "poster"):
                if attrs.get(k):
                    extra += f' {k}="{_esc(attrs[k])}"'
        body = "".join(f'<source src="{_esc(s)}">' for s in sources)
        link = f'<a href="{_esc(sources[0])}">{_esc(sources[0])}</a>'
        return f"<{tag} controls{extra}>{body}{link}</{tag}>"

    def sc_video(self, attrs, inner, raw):
        return self._media("video", attrs, raw)

    def sc_audio(self, attrs, inner, raw):
        return self._media("audio", attrs, raw)

    def sc_code(self, attrs, inner, raw):
        language = attrs.get("lang") or attrs.get("language") or ""
        cls = f' class="language-{_esc(language)}"' if language else ""
        return f"<pre><code{cls}>{_esc(htmllib.unescape(inner or ''))}</code></pre>"

    sc_sourcecode = sc_code


# Square brackets in prose that look like shortcodes but are not: left alone
# without a note.
_KNOWN_NOT_SHORTCODES = {"x", "i", "a", "b", "sic", "edit", "update", "note", "citation"}


class _Converter(MarkdownConverter):
    """markdownify, keeping as HTML what Markdown cannot say."""

    class Options:
        bs4_options = "lxml"  # lxml's HTML parser: the same tree as html.parser, faster
        heading_style = "atx"
        table_infer_header = True
        bullets = "-"
        escape_misc = False
        autolinks = True

    def _kept_block(self, el, text, parent_tags):
        if "_inline" in parent_tags:
            return str(el)
        return "\n\n" + str(el) + "\n\n"

    def _kept_inline(self, el, text, parent_tags):
        return str(el)

    convert_iframe = convert_video = convert_audio = convert_object = _kept_block
    convert_embed = convert_form = convert_details = convert_svg = _kept_block
    convert_dl = convert_select = convert_textarea = convert_noscript = _kept_block
    convert_sub = convert_sup = convert_abbr = convert_kbd = convert_mark = _kept_inline
    convert_ins = convert_u = convert_small = convert_cite = _kept_inline

    def convert_script(self, el, text, parent_tags):
        return self._kept_block(el, text, parent_tags)

    def convert_style(self, el, text, parent_tags):
        return self._kept_block(el, text, parent_tags)

    def convert_table(self, el, text, parent_tags):
        complex_table = el.find(["table", "p", "ul", "ol", "pre", "blockquote", "img"]) or any(
            c.has_attr("colspan") or c.has_attr("rowspan") for c in el.find_all(["td", "th"])
        )
        if complex_table or "_inline" in parent_tags:
            return self._kept_block(el, text, parent_tags)
        return super().convert_table(el, text, parent_tags)

    escape_mentions = True

    def escape(self, text, parent_tags):
        text = super().escape(text, parent_tags)
        return _MENTION_LIKE.sub(r"\\\1[", text) if self.escape_mentions else text


class _CommentConverter(_Converter):
    escape_mentions = False  # Isso knows no mentions


_CONVERTER = _Converter()
_COMMENTS = _CommentConverter()


def _unwrap_blocks(text, notes, kept):
    """Block-editor comments away: their HTML is what the post shows. A
    dynamic block (one with no HTML of its own, `<!-- wp:latest-posts /-->`)
    cannot be shown by a static site: it stays as an HTML comment."""

    def one(m):
        closing, name, self_closing = m.group(1), m.group(2), m.group(4)
        if self_closing:
            dynamic.append(f"wp:{name}")
            return "\n\n" + kept(m.group(0)) + "\n\n"
        return "\n\n"

    dynamic = []
    text = _BLOCK_COMMENT.sub(one, text)
    if dynamic:
        names = ", ".join(dict.fromkeys(dynamic))
        notes.append(f"blocks that WordPress draws from its database ({names}) have no HTML "
                     "to import; each is kept in the story as an HTML comment")
    return text


def _bare_urls(text):
    """A URL alone on its line is an embed in WordPress (oEmbed): a link here."""
    return _BARE_URL_LINE.sub(lambda m: f'<a href="{_esc(m.group(1))}">{_esc(m.group(1))}</a>', text)


def to_html(text, lookup=None, raw=None):
    """The post's stored text as the HTML WordPress would show (before themes).

    What must reach the Markdown as written (an HTML comment) is put in
    `raw` and left in the HTML as a placeholder word."""
    raw = [] if raw is None else raw

    def kept(value):
        raw.append(value)
        return f"WPKEPT{len(raw) - 1}X"

    shortcodes = Shortcodes(lookup)
    notes = shortcodes.notes
    text = _NEXTPAGE.sub("\n\n<hr />\n\n", text or "")
    text = _MORE.sub("\n\nWPMOREX\n\n", text, count=1)
    text = _MORE.sub("", text)
    if is_block_editor(text):
        text = _unwrap_blocks(text, notes, kept)
        text = _bare_urls(text)
        text = shortcodes.expand(text)
    else:
        text = _bare_urls(text)
        text = shortcodes.expand(text)
        text = wpautop(text)
    return text, notes


def convert_post(text, lookup=None):
    """(Markdown, notes, teaser) for a post's stored text: the teaser is what
    comes before `<!--more-->`, on one line ("" when there is no such mark)."""
    raw = []
    html, notes = to_html(text, lookup, raw)
    markdown = _CONVERTER.convert(html)
    if raw:
        markdown = re.sub(r"WPKEPT(\d+)X", lambda m: raw[int(m.group(1))], markdown)
    teaser = ""
    at = markdown.find("WPMOREX")
    if at >= 0:
        teaser = " ".join(markdown[:at].split())
        markdown = markdown[:at] + markdown[at + len("WPMOREX"):]
    markdown = re.sub(r"[ \t]+\n", lambda m: "  \n" if m.group(0).startswith("  ") else "\n", markdown)
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip("\n")
    return (markdown + "\n" if markdown else ""), notes, teaser


def to_markdown(text, lookup=None):
    """(Markdown, notes) for a post's stored text."""
    markdown, notes, _ = convert_post(text, lookup)
    return markdown, notes


def one_line(text, lookup=None):
    """Markdown on one line (a Summary: header) from an excerpt's HTML."""
    markdown, _ = to_markdown(text, lookup)
    return " ".join(markdown.split())


def comment_markdown(text):
    """A comment's text for Isso, which stores Markdown: plain text (most
    comments) as it is, HTML converted."""
    text = (text or "").strip()
    if "<" not in text and "&" not in text:
        return text
    markdown = _COMMENTS.convert(wpautop(text))
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()
