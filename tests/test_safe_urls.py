"""The one rule for addresses and the one rule for slugs (safe_urls.py,
slugs.py), on the attacks browsers are known to fall for, and the
templates' `safe_url` test that asks the same rule again."""

import pytest
from jinja2 import Environment
from pelican.settings import DEFAULT_CONFIG

from connections.model.safe_urls import avatar_path, is_safe_link, mailto_url, web_url
from connections.settings import apply_defaults
from connections.model.slugs import MAX_SLUG_BYTES, written_slug

SAFE = [
    "https://example.org/",
    "http://example.org/a?b=1&c='2'#x",
    "HTTPS://Example.org/Zoë",
    "https://例え.jp/パス",
    "https://example.org:8443/path",
]

# Each of these runs script, leaves the site or hides what it is.
UNSAFE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\x00script:alert(1)",
    "\x01javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "\u200bjavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "\\\\evil.example\\x",
    "/\\evil.example/",
    "https:evil.example",
    "https:///evil.example",
    "https://",
    "https://:80/",
    "https://example.org/\"onmouseover=\"alert(1)",
    "https://example.org/<script>",
    "https://example.org/ a",
    "https://example.org/\u202egpj.exe",
    "example.org",
    "example.org:8080/zoe",
    "",
]


@pytest.mark.parametrize("url", SAFE)
def test_http_and_https_addresses_are_published(url):
    assert web_url(url) == (url, None)
    assert is_safe_link(url)


@pytest.mark.parametrize("url", UNSAFE)
def test_everything_else_is_refused_with_a_reason(url):
    address, why = web_url(url)
    assert address is None and why
    assert not is_safe_link(url)


def test_a_mailto_address_is_not_a_web_address():
    assert web_url("mailto:eve@example.org")[0] is None


def test_the_reason_names_the_scheme_a_browser_would_run():
    for url in ("java\tscript:alert(1)", "&#106;avascript:alert(1)", "JaVaScRiPt:x"):
        assert web_url(url)[1] == "'javascript:' addresses are never published"
    assert web_url("data:,x")[1] == "'data:' addresses are never published"
    assert web_url("//evil.example/")[1] == "an address starting with '//' has no scheme"
    assert web_url("example.org:8080/zoe")[1] == "it does not start with http:// or https://"


@pytest.mark.parametrize("written, expected", [
    ("eve@example.org", "mailto:eve@example.org"),
    ("MAILTO:eve@example.org", "mailto:eve@example.org"),
    ("zoë.laurent+blog@exämple.org", "mailto:zoë.laurent+blog@exämple.org"),
])
def test_an_email_address_becomes_a_mailto_link(written, expected):
    assert mailto_url(written) == (expected, None)
    assert is_safe_link(expected)


@pytest.mark.parametrize("written", [
    "javascript:alert(1)//@example.org", "eve", "eve@", "@example.org",
    "eve@example.org?subject=x", "eve@example.org\" onclick=\"x", "eve @example.org",
    "mailto:javascript:alert(1)", "eve@exa\u202emple.org", "https://example.org/",
])
def test_anything_else_is_not_an_email_address(written):
    assert mailto_url(written)[0] is None


STATIC = ["images", "extra/"]


@pytest.mark.parametrize("written", [
    "images/avatars/zoe.svg", "images/zoë laurent.png", "extra/a/b/c.jpg",
])
def test_an_avatar_is_a_relative_path_inside_the_static_folders(written):
    assert avatar_path(written, STATIC) == (written, None)


@pytest.mark.parametrize("written, reason", [
    ("../../etc/passwd", "no '..'"),
    ("images/../../etc/passwd", "no '..'"),
    ("images/./a.svg", "no '..', '.'"),
    ("images//a.svg", "empty parts"),
    ("/etc/passwd", "absolute path"),
    ("/images/a.svg", "absolute path"),
    ("C:/images/a.svg", "an address"),
    ("images\\a.svg", "'\\'"),
    ("https://evil.example/a.svg", "an address"),
    ("//evil.example/a.svg", "an address"),
    ("javascript:alert(1)", "an address"),
    ("data:image/svg+xml,<svg onload=alert(1)>", "an address"),
    ("pages/a.svg", "not inside the folders the site publishes (images/, extra/)"),
    ("imagesX/a.svg", "not inside"),
    ("images/a\x07.svg", "U+0007"),
    ("images/a\".svg", "U+0022"),
])
def test_any_other_avatar_is_refused(written, reason):
    path, why = avatar_path(written, STATIC)
    assert path is None and reason in why


def test_templates_ask_the_same_rule():
    env = Environment(autoescape=True)
    env.tests["safe_url"] = is_safe_link
    template = env.from_string(
        "{% for url in urls if url is safe_url %}<a href=\"{{ url }}\">x</a>{% endfor %}"
    )
    html = template.render(urls=["javascript:alert(1)", "https://example.org/?a=1&b=2",
                                 "mailto:eve@example.org", "data:,x", None])
    assert html == ('<a href="https://example.org/?a=1&amp;b=2">x</a>'
                    '<a href="mailto:eve@example.org">x</a>')


# --- slugs -----------------------------------------------------------------------


@pytest.fixture
def settings():
    return apply_defaults(dict(DEFAULT_CONFIG))


@pytest.mark.parametrize("written", ["eve", "Eve-2024", "harbour_congress", "v1.2", "x" * MAX_SLUG_BYTES])
def test_a_slug_is_one_safe_path_segment(settings, written):
    assert written_slug(written, settings) == (written, None)


@pytest.mark.parametrize("written, fix", [
    ("../all", "write e.g. 'Slug: all'"),
    ("..", "write a short name"),
    (".", "write a short name"),
    ("../../../..", "write a short name"),
    (".hidden", "write e.g. 'Slug: hidden'"),
    ("a/b", "write e.g. 'Slug: ab'"),
    ("a\\b", "write e.g. 'Slug: ab'"),
    ("a b", "write e.g. 'Slug: a-b'"),
    ("zoë", "write e.g. 'Slug: zoe'"),
    ("a\u202eb", "write e.g. 'Slug: ab'"),
    ("feeds/all.atom.xml", "write e.g. 'Slug: feedsallatomxml'"),
    ("x" * (MAX_SLUG_BYTES + 1), f"write e.g. 'Slug: {'x' * MAX_SLUG_BYTES}'"),
])
def test_anything_else_is_refused_with_a_fix(settings, written, fix):
    slug, message = written_slug(written, settings)
    assert slug is None
    assert message.startswith("'Slug: ") and fix in message


def test_unicode_slugs_follow_the_sites_setting(settings):
    assert written_slug("zoë", {**settings, "SLUGIFY_USE_UNICODE": True}) == ("zoë", None)
    # Bytes count, not letters: a file name's limit is in bytes.
    assert written_slug("ë" * 150, {**settings, "SLUGIFY_USE_UNICODE": True})[0] is None


# --- links in a story's own HTML ---------------------------------------------------


def test_a_link_that_would_run_script_keeps_its_text_and_links_nowhere():
    from connections.model.safe_urls import defuse_script_links

    told = []
    html = (
        '<p><a href="javascript:alert(1)">one</a> <a title="x>y" href=\'JaVaScRiPt:alert(2)\'>two</a> '
        '<a href=vbscript:x>three</a> <a href="java&#x09;script:alert(4)">four</a> '
        '<a href="data:text/html,hi">five</a> <img src="data:image/png;base64,AAAA" alt=""> '
        '<a href="https://example.org/">six</a> <form action="javascript:x"></form></p>'
        '<p>Prose that reads href="javascript:alert(5)" stays, as does '
        '<code>&lt;a href="javascript:x"&gt;</code>.</p>'
    )
    assert defuse_script_links(html, lambda value, scheme: told.append((value, scheme))) == (
        '<p><a>one</a> <a title="x>y">two</a> <a>three</a> <a>four</a> <a>five</a> '
        '<img src="data:image/png;base64,AAAA" alt=""> <a href="https://example.org/">six</a> '
        '<form></form></p>'
        '<p>Prose that reads href="javascript:alert(5)" stays, as does '
        '<code>&lt;a href="javascript:x"&gt;</code>.</p>'
    )
    assert [scheme for _, scheme in told] == [
        "javascript", "javascript", "vbscript", "javascript", "data", "javascript"]
