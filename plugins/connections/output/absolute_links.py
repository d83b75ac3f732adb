"""Every link in a feed absolute: a story's HTML rewritten by an HTML parser.

A feed reader shows a story away from the site, so every link and image in
it must carry its address in full. The story's HTML is parsed with lxml (as
a browser would read it: quoted or unquoted attributes, any case) and each
link lxml knows (`href`, `src`, `cite`, `action`, `data`, `background`,
`url(...)` in styles, ...) is resolved against the story's own address with
lxml's `rewrite_links`. lxml 6 does not count `srcset` (each of its image
candidates is a link) or `poster` (a video's still) among links, so those
are rewritten here, element by element.

Links with a scheme (`https:`, `mailto:`, ...) and protocol-relative ones
(`//host/...`) are left as they are; `#note` becomes the story's address
with `#note`, as a reader needs it. The output is lxml's serialisation of
the same HTML: the same for the same story on every build.
"""

import re
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Text with none of these holds no link: returned as it is, unparsed.
_MAY_LINK = re.compile(r"=|url\(", re.I)
_ROOTED = {}  # ((scheme, host), "/path") -> the joined URL
_ROOTED_MAX = 50_000


class _Resolver:
    """URLs resolved against one page address."""

    def __init__(self, page_url):
        self.page_url = page_url
        self._origin = None

    def __call__(self, url):
        url = url.strip()
        if not url or HAS_SCHEME.match(url) or url.startswith("//"):
            return url
        if url[0] == "/":
            # A path from the root: urljoin takes only the page's scheme and
            # host, so one join serves every story that links there.
            if self._origin is None:
                self._origin = urlsplit(self.page_url)[:2]
            key = (self._origin, url)
            joined = _ROOTED.get(key)
            if joined is None:
                if len(_ROOTED) >= _ROOTED_MAX:
                    _ROOTED.clear()
                joined = _ROOTED[key] = urljoin(self.page_url, url)
            return joined
        return urljoin(self.page_url, url)


def _srcset(value, resolve):
    """Each candidate's URL of a srcset resolved (the HTML standard's way of
    reading one: a URL, which may end in the comma after it, then its
    descriptors up to the next comma)."""
    out = []
    i, size = 0, len(value)
    while i < size:
        while i < size and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= size:
            break
        j = i
        while j < size and not value[j].isspace():
            j += 1
        url = value[i:j]
        descriptors = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            k = value.find(",", j)
            k = size if k < 0 else k
            descriptors = " ".join(value[j:k].split())
            j = k
        out.append(resolve(url) + (" " + descriptors if descriptors else ""))
        i = j
    return ", ".join(out)


def absolutize(html_text, page_url):
    """`html_text` with every relative link (srcset's and poster's too)
    resolved against `page_url`."""
    if not html_text or not _MAY_LINK.search(html_text):
        return html_text or ""
    resolve = _Resolver(page_url)
    try:
        root = lxml_html.fragment_fromstring(html_text, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_text  # nothing lxml can read (no element at all): no link either
    root.rewrite_links(resolve, resolve_base_href=False)
    for el in root.iter(etree.Element):
        srcset = el.get("srcset")
        if srcset:
            el.set("srcset", _srcset(srcset, resolve))
        poster = el.get("poster")
        if poster:
            el.set("poster", resolve(poster))
    out = lxml_html.tostring(root, encoding="unicode")
    return out[len("<div>"):-len("</div>")]
