"""Old addresses that keep working: redirect pages and a map for web servers.

`CONNECTIONS_REDIRECTS_FILE` (default `redirects.json`, in the content
folder) maps old paths to the story or page that now lives there, by its
source file: `{"/2013/04/30/coffee/": "stories/coffee.md", "/?p=123": ...}`.
The WordPress importer writes it; an author may add lines by hand. Because
the target is a file, not an address, a redirect follows a story whose slug
is changed later.

The build writes, for every old path that is a path (not `/?p=123`), a small
page there that sends the reader on (a meta refresh, a canonical link for
search engines, and a plain link for everyone else), on any static host; and
in `CONNECTIONS_REDIRECTS_MAP_PATH` (default `redirects/`) two maps,
`nginx.conf` and `apache.conf`, with every redirect as a permanent (301)
one, query-string addresses included, for a server that reads them.

An old path where the site already writes a page of its own is left to that
page; a target that is not a published story or page (a draft) gets no
redirect until it is published.
"""

import html
import json
import logging
import os
import posixpath
import re
import urllib.parse

from pelican.generators import Generator

logger = logging.getLogger(__name__)

MARK = '<meta name="generator" content="connections redirect">'


def load(path):
    """{old path: source file} from the redirects file, or {} when it is absent."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("%s: the redirects cannot be read (%s); fix or remove the file", path, exc)
        return {}
    if not isinstance(data, dict):
        logger.warning("%s: the redirects must be one JSON object, "
                       "{\"/old/path/\": \"stories/file.md\"}", path)
        return {}
    return {str(k): str(v) for k, v in data.items()}


def save_as_for(old):
    """Where the redirect page for an old path goes in the output, or None
    for an address a file cannot answer (a query string, the home page)."""
    parts = urllib.parse.urlsplit(old)
    if parts.query or parts.scheme or parts.netloc:
        return None
    path = urllib.parse.unquote(parts.path).lstrip("/")
    if not path or ".." in path.split("/"):
        return None
    if path.endswith("/") or not posixpath.splitext(path)[1]:
        path = path.rstrip("/") + "/index.html"
    return path


def page(target_url, title, lang="en"):
    url = html.escape(target_url, quote=True)
    name = html.escape(title)
    return (
        f"<!DOCTYPE html>\n<html lang=\"{html.escape(lang or 'en', quote=True)}\">\n"
        "<head>\n<meta charset=\"utf-8\">\n"
        f"{MARK}\n<title>{name}</title>\n"
        f"<link rel=\"canonical\" href=\"{url}\">\n"
        "<meta name=\"robots\" content=\"noindex\">\n"
        f"<meta http-equiv=\"refresh\" content=\"0; url={url}\">\n"
        "</head>\n<body>\n"
        f"<p>This page has moved: <a href=\"{url}\">{name}</a>.</p>\n"
        "</body>\n</html>\n"
    )


def _relative(from_save_as, url):
    depth = from_save_as.count("/")
    return "../" * depth + url if depth else (url or "./")


def _nginx_quote(text):
    return '"' + re.sub(r'(["\\$])', r"\\\1", text) + '"'


def nginx_map(pairs):
    lines = [
        "# Old addresses (nginx). In the http block:   include .../redirects/nginx.conf;",
        "# then in the site's server block:  if ($connections_redirect) { return 301 $connections_redirect; }",
        "map $request_uri $connections_redirect {",
        "    default \"\";",
    ]
    lines += [f"    {_nginx_quote(old)} {_nginx_quote(new)};" for old, new in pairs]
    lines.append("}")
    return "\n".join(lines) + "\n"


def apache_map(pairs):
    lines = [
        "# Old addresses (Apache, mod_rewrite): put these lines in the site's",
        "# .htaccess or <VirtualHost>.",
        "RewriteEngine On",
    ]
    for old, new in pairs:
        parts = urllib.parse.urlsplit(old)
        path = re.escape(parts.path.lstrip("/")).replace("/", "/")
        if parts.query:
            lines.append(f"RewriteCond %{{QUERY_STRING}} ^{re.escape(parts.query)}$")
            lines.append(f"RewriteRule ^{path}$ {new}? [R=301,L]")
        else:
            if path.endswith("/"):
                path = path[:-1] + "/?"
            lines.append(f"RewriteRule ^{path}$ {new} [R=301,L]")
    return "\n".join(lines) + "\n"


class RedirectsGenerator(Generator):
    """Writes the redirect pages and the server maps (after the stories and pages)."""

    def generate_context(self):
        pass

    def generate_output(self, writer):
        name = self.settings.get("CONNECTIONS_REDIRECTS_FILE")
        if not name:
            return
        source = os.path.join(self.settings["PATH"], name)
        redirects = load(source)
        if not redirects:
            return
        by_source = {}
        for content in list(self.context.get("articles", [])) + list(self.context.get("pages", [])):
            rel = os.path.relpath(content.source_path, self.settings["PATH"]).replace(os.sep, "/")
            by_source[rel] = content
        taken = {
            c.save_as for c in list(self.context.get("articles", []))
            + list(self.context.get("pages", [])) + list(self.context.get("drafts", []))
            if getattr(c, "save_as", "")
        }
        site = self.settings.get("SITEURL") or ""
        base_path = urllib.parse.urlsplit(site).path.rstrip("/")
        relative = self.settings.get("RELATIVE_URLS")
        pairs, written = [], 0
        for old, target in sorted(redirects.items()):
            content = by_source.get(target.replace(os.sep, "/"))
            if content is None:
                continue  # a draft, or a file no longer there: no page to send anyone to
            new_path = f"{base_path}/{content.url}"
            if urllib.parse.unquote(old) == new_path or old == new_path:
                continue  # the address did not change
            pairs.append((old, new_path))
            save_as = save_as_for(old)
            if save_as is None or save_as in taken:
                continue
            out = os.path.join(self.output_path, save_as)
            if os.path.exists(out):
                with open(out, encoding="utf-8", errors="replace") as f:
                    if MARK not in f.read(400):
                        continue  # the site's own file is there
            url = _relative(save_as, content.url) if relative or not site else f"{site}/{content.url}"
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "w", encoding="utf-8") as f:
                f.write(page(url, getattr(content, "title", "") or content.url,
                             self.settings.get("DEFAULT_LANG")))
            written += 1
        maps = self.settings.get("CONNECTIONS_REDIRECTS_MAP_PATH")
        if maps and pairs:
            folder = os.path.join(self.output_path, maps)
            os.makedirs(folder, exist_ok=True)
            for filename, text in (("nginx.conf", nginx_map(pairs)), ("apache.conf", apache_map(pairs))):
                with open(os.path.join(folder, filename), "w", encoding="utf-8") as f:
                    f.write(text)
        logger.info("connections: %d redirect pages, %d redirects in the server maps", written, len(pairs))
