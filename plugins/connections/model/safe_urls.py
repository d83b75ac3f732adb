"""The one rule for addresses an author writes in a profile's header.

A link field (`Website:`, `LinkedIn:`, `Bluesky:`, `Mastodon:`, `GitHub:`,
an event's `URL:`) becomes a link only when it is an `http://` or
`https://` address; `Email:` only as a `mailto:` address; `Avatar:` only as
a relative path to a picture inside the content's static folders. Anything
else - `javascript:`, `data:`, `vbscript:`, `//host` (protocol-relative),
a scheme broken up by tabs, control or invisible characters
(`java\\tscript:`, which browsers read as `javascript:`) or hidden behind
HTML entities (`&#106;avascript:`) - is refused: the registry reports it at
its `file:line` and keeps no link. Templates and JSON-LD ask `is_safe_link`
again before they write an address, so no other path reaches the page.

The rule is positive: what is published must start with the scheme as
written, after which no character can change what a browser makes of it.

A story's, page's or bio's own HTML keeps its links, but not one whose
address would run script when followed (`defuse_script_links`, called from
linking.Linker.render for the build and the check alike): the link's text
stays, linking nowhere, with a warning at its line.
"""

import re
import unicodedata
import urllib.parse

WEB_SCHEMES = ("http", "https")

# What may not stand in an address at all: white space, controls and
# invisible (format) characters, which a browser drops or reads differently,
# and the characters a URL never carries unescaped.
_NOT_IN_URLS = set(' "<>\\^`{|}')
_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*)\s*:")
_EMAIL = re.compile(r"^[\w.!#$&'*+=?~-]+@[\w-]+(?:\.[\w-]+)+$")


def _unsafe_char(text):
    """The first character of `text` that may not stand in an address, or None."""
    for c in text:
        if c in _NOT_IN_URLS or unicodedata.category(c)[0] in "CZ":
            return c
    return None


def shown(text, limit=60):
    """`text` as a message may print it: invisible characters spelled out."""
    out = "".join(
        c if c == " " or unicodedata.category(c)[0] not in "CZ" else f"\\u{ord(c):04x}"
        for c in text
    )
    return out if len(out) <= limit else out[: limit - 1] + "…"


def _scheme_of(text):
    """The scheme a browser would read in `text` (controls and white space
    dropped, entities decoded), lower case, or ''."""
    import html

    squeezed = "".join(
        c for c in html.unescape(text) if unicodedata.category(c)[0] not in "CZ"
    )
    m = _SCHEME.match(squeezed)
    return m.group(1).lower() if m else ""


def web_url(text):
    """(the address, None) when `text` is a safe http(s) address, else
    (None, why not, in words for a message)."""
    text = (text or "").strip()
    bad = _unsafe_char(text)
    scheme = _scheme_of(text)
    if scheme and scheme not in WEB_SCHEMES and "." not in scheme:  # "example.org:8080" has none
        return None, f"'{scheme}:' addresses are never published"
    if bad is not None:
        return None, f"it contains {_char_name(bad)}"
    parts = urllib.parse.urlsplit(text)
    if parts.scheme.lower() not in WEB_SCHEMES or not text[len(parts.scheme):].startswith("://"):
        if text.startswith("//"):
            return None, "an address starting with '//' has no scheme"
        return None, "it does not start with http:// or https://"
    try:
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        host = None
    if not host:
        return None, "it has no host name after the '//'"
    return text, None


def mailto_url(text):
    """(`mailto:` address, None) for an e-mail address, with or without
    `mailto:` before it; else (None, why not)."""
    text = (text or "").strip()
    address = text[7:] if text[:7].lower() == "mailto:" else text
    if _unsafe_char(address) is not None or not _EMAIL.match(address):
        scheme = _scheme_of(address)
        if scheme:
            return None, f"'{scheme}:' is not an e-mail address"
        return None, "it is not an e-mail address like name@example.org"
    return f"mailto:{address}", None


def is_safe_link(url):
    """Whether `url` may be a link's target (templates: `url is safe_url`)."""
    if not isinstance(url, str):
        return False
    if url[:7].lower() == "mailto:":
        return mailto_url(url)[0] == url
    return web_url(url)[0] == url


def avatar_path(text, static_paths):
    """(the path, None) when `text` is a relative path to a file inside one
    of `static_paths` (the folders the site copies, relative to the content
    folder), else (None, why not)."""
    text = (text or "").strip()
    if _scheme_of(text) or text.startswith(("//", "\\\\")):
        return None, "it is an address, not a picture in the content folder"
    bad = _unsafe_char(text.replace(" ", ""))
    if bad is not None and bad != "\\":
        return None, f"it contains {_char_name(bad)}"
    if text.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", text):
        return None, "it is an absolute path; write it relative to the content folder"
    if "\\" in text:
        return None, "it contains '\\'; separate folders with '/'"
    segments = text.split("/")
    if any(s in ("", ".", "..") for s in segments):
        return None, "a path to a picture has no '..', '.' or empty parts"
    folders = [p.strip("/") for p in static_paths or () if p and p.strip("/")]
    if not any(text == f or text.startswith(f + "/") for f in folders):
        where = ", ".join(f"{f}/" for f in folders) or "none: STATIC_PATHS is empty"
        return None, f"it is not inside the folders the site publishes ({where})"
    return text, None


def path_url(path):
    """A relative path as it stands in a `src` (each part percent-encoded)."""
    return urllib.parse.quote(path, safe="/")


def _char_name(c):
    if c == " ":
        return "a space"
    name = unicodedata.name(c, "")
    return f"the character U+{ord(c):04X}{' ' + name if name else ''}"


# --- links in a story's own HTML ---------------------------------------------------

# An attribute that holds an address, in the HTML Markdown made of a story,
# page or bio (raw HTML in it included), however it is quoted.
_URL_ATTRIBUTE = re.compile(
    r"""(?P<space>\s+)(?P<name>href|src|action|formaction|xlink:href|poster|cite|data|background)"""
    r"""\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'=<>`]+))""",
    re.I,
)
# What any address that runs script has in it, once lower case and without
# the tabs and line breaks a browser drops from an address: a text without
# any of these is not looked at closely (most are not: a scan costs a tenth).
_TELLTALES = ("script", "data:", "&#", "&colon", "&tab", "&newline")
_TAG = re.compile(r"""<[A-Za-z][\w:-]*(?:[^>"']|"[^"]*"|'[^']*')*>""")
# Schemes that run script wherever they stand; `data:` runs it as a page
# (a link or a form's target), not as an image.
_SCRIPT_SCHEMES = {"javascript", "vbscript", "livescript"}
_PAGE_ATTRIBUTES = {"href", "action", "formaction", "xlink:href", "data"}


def script_address(name, value):
    """The scheme that makes `value`, in attribute `name`, run script when
    followed, or None."""
    scheme = _scheme_of(value)
    if scheme in _SCRIPT_SCHEMES:
        return scheme
    if scheme == "data" and name.lower() in _PAGE_ATTRIBUTES:
        return scheme
    return None


def defuse_script_links(text, report):
    """`text` (HTML) without any address that would run script (a
    `javascript:` link, a `data:` page...): the attribute is dropped, so
    the link's text stays, linking nowhere. `report(value, scheme)` is told
    of each, as written."""
    if not text:
        return text
    low = text.lower().replace("\n", "").replace("\t", "").replace("\r", "")
    if not any(telltale in low for telltale in _TELLTALES):
        return text

    def attribute(m):
        value = next(v for v in (m.group("dq"), m.group("sq"), m.group("bare")) if v is not None)
        scheme = script_address(m.group("name"), value)
        if scheme is None:
            return m.group(0)
        report(value, scheme)
        return ""

    def tag(m):  # attributes of tags only: prose that reads href="..." stays
        return _URL_ATTRIBUTE.sub(attribute, m.group(0))

    return _TAG.sub(tag, text)
