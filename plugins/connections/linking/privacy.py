"""Privacy beyond names: links to a hidden person's profile, and their pictures.

A private person's name never reaches the site (linking.mention_html); nor
may the path of their profile or their picture, which usually carry it:

- a `{filename}` link to a private person's profile (`[my neighbour]({filename}../people/quenby-hollowell.md)`)
  becomes their placeholder text, as a mention of them would, with no link;
  a `{static}` link or image to the picture of a person who is not public
  is left out. Each is a warning at its `file:line` (strict publishing
  refuses it), from the one function both the build and the check call
  (`hide_links`, through linking.Linker.render).
- a `{filename}` link to a first-name person's profile goes to their page
  as a mention of them does (`{filename}/@person/<first-name>`): the
  profile's file name, which usually holds their full name, is not kept
  where a template could list it (output/pages.py).
- the `Avatar:` picture of a person who is not public is not copied to the
  site (it is not shown on their page either), unless a public person uses
  the same picture; a copy an earlier build left in the output is removed
  (`drop_hidden_pictures`, on Pelican's static_generator_finalized signal).
"""

import html
import logging
import os
import posixpath
import re
from urllib.parse import unquote, urlparse

from markupsafe import escape

from ..model.hidden import Hidden

logger = logging.getLogger(__name__)


def _links(settings):
    # Pelican's own pattern for intrasite links (Content._get_intrasite_link_regex),
    # also in upper case (`<A HREF=...>`, which Pelican would leave as written).
    return re.compile(
        rf"""(?P<markup><[^\>]+(?:href|src|poster|data|cite|formaction|action|content)\s*=\s*)
        (?P<quote>["\'])(?P<path>{settings["INTRASITE_LINK_REGEX"]}(?P<value>.*?))(?P=quote)""",
        re.X | re.I,
    )


def _target(value, relative_dir):
    """The content-relative path an intrasite link's value points at."""
    path = unquote(html.unescape(urlparse(value).path))
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(relative_dir, path))


def hide_links(text, path, linker):
    """`text` (HTML) with its links to hidden profiles and pictures left out;
    each reported as a warning in the file at `path`."""
    if not text or not any(f"{c}{w}{d}" in text for c, d in ("{}", "||")
                           for w in ("filename", "static", "attach")):
        return text
    hidden = Hidden.of(linker.registry)
    if not hidden:
        return text
    settings = linker.settings
    root = os.path.abspath(settings["PATH"])
    relative_dir = os.path.dirname(os.path.relpath(os.path.abspath(path or root), root))
    relative_dir = relative_dir.replace(os.sep, "/")
    out = []
    done = 0
    for m in _links(settings).finditer(text):
        if m.start() < done or m.group("what").lower() not in ("filename", "static", "attach"):
            continue
        target = _target(m.group("value"), relative_dir)
        renamed = hidden.renamed.get(target)
        if renamed is not None:
            # Their page, by the key that names them by their first name: the
            # profile's file name is never registered where templates see it.
            fragment = urlparse(m.group("value")).fragment
            address = f"{{filename}}/{renamed.link_key}" + (f"#{fragment}" if fragment else "")
            out += [text[done:m.start("path")], escape(address)]
            done = m.end("path")
            continue
        person = hidden.profiles.get(target)
        picture = hidden.pictures.get(target)
        if person is None and picture is None:
            continue
        tag = re.match(r"<\s*([A-Za-z][\w-]*)", m.group("markup"))
        name = tag.group(1).lower() if tag else ""
        if name == "a":
            close = re.compile(r"</a\s*>", re.I).search(text, m.end())
            end = close.end() if close else text.find(">", m.end()) + 1
            shown = person or picture
            replacement = f'<span class="mention">{escape(shown.display_name)}</span>'
        else:
            end = text.find(">", m.end()) + 1
            replacement = ""
        out += [text[done:m.start()], replacement]
        done = end or len(text)
        _report(linker, path, m.group("path"), target, person)
    if not out:
        return text
    return "".join(out) + text[done:]


def _report(linker, path, written, target, person):
    if not path:
        return
    src = linker._source(path)
    line, column = src.locate(written)
    if person is not None:
        message = (
            f"this links to the profile of a private person ({target}); the site shows "
            f"'{person.display_name}' instead, with no link, so their name stays hidden; "
            "remove the link, or mention them as @[their name]"
        )
    else:
        message = (
            f"this shows or links to the picture of a person who is not public ({target}); "
            "it is left out of the site, which does not publish that picture; remove it"
        )
    linker.findings.warning(src.path, line, column, message)


def drop_hidden_pictures(generator):
    """Pelican's static_generator_finalized: the pictures of people who are
    not public are not copied (and an earlier build's copy is removed)."""
    from .record import state

    linker = state(generator.context)
    if linker is None:
        return
    hidden = Hidden.of(linker.registry)
    if not hidden.pictures:
        return
    kept = []
    for static in generator.staticfiles:
        path = static.get_relative_source_path().replace(os.sep, "/")
        if path not in hidden.pictures:
            kept.append(static)
            continue
        generator.context["static_content"].pop(path, None)
        copy = os.path.join(generator.output_path, static.save_as)
        if os.path.isfile(copy) and os.path.realpath(copy).startswith(
            os.path.realpath(generator.output_path) + os.sep
        ):
            os.remove(copy)
        logger.info("connections: %s is the picture of a person who is not public: not copied", path)
    generator.staticfiles[:] = kept
    generator.context["staticfiles"] = generator.staticfiles
