"""Comments under every story: which provider, where its server is, which thread.

Settings (defaults in settings.py; README, "Comments"):

- `COMMENTS_PROVIDER`: `isso` (self-hosted, the default), `giscus`, `disqus`,
  `remark42` or `none`.
- `COMMENTS_URL`: the comment server's address (isso, remark42).
- `COMMENTS_OPTIONS`: the provider's own options (giscus `repo`, `repo-id`,
  `category`, `category-id`...; disqus `shortname`; remark42 `site_id`;
  isso `host`, the site origins the server accepts).

`check_settings` runs when Pelican starts (the `initialized` signal) and stops
the build with a ContentError saying what is wrong and how to fix it, before
anything is written. `prepare` runs on every story (`content_object_init`)
and gives templates `article.comments_enabled` and `article.comments_thread`.

A thread is keyed by the story's identity (identity.story_id: its `Id:`
header, else its `Date:` to the minute), never by its URL, so renaming a
story's title or slug keeps its comments.
"""

import difflib
import ipaddress
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from pelican.contents import Article

from ..diagnostics import ContentError
from ..linking.record import keep
from ..model.identity import story_id

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Provider:
    name: str
    needs_url: bool = False
    required: tuple = ()  # COMMENTS_OPTIONS keys it cannot work without
    where: str = ""  # where a blogger gets those values


PROVIDERS = {
    p.name: p
    for p in (
        Provider("isso", needs_url=True, where="the address your Isso server answers on"),
        Provider(
            "giscus",
            required=("repo", "repo-id", "category", "category-id"),
            where="https://giscus.app gives all four for your repository",
        ),
        Provider("disqus", required=("shortname",), where="your Disqus admin, Settings > General"),
        Provider("remark42", needs_url=True, where="your Remark42 server's REMARK_URL"),
        Provider("none"),
    )
}

OFF = {"off", "no", "false", "0", "closed", "disabled", "none"}
ON = {"on", "yes", "true", "1", "open", "enabled"}

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def thread_id(article):
    """The comment thread of a story: `story:<identity>`."""
    return f"story:{story_id(article)}"


# --- settings ---------------------------------------------------------------


def _fail(message):
    raise ContentError(f"comments: {message}")


def origin(url):
    """`scheme://host[:port]` of an absolute http(s) URL, else None."""
    try:
        parts = urlsplit(str(url or "").strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _same_origin(a, b):
    """Isso's own comparison (isso.wsgi.origin): scheme, host and port."""
    pa, pb = urlsplit(a), urlsplit(b)

    def key(p):
        default = 443 if p.scheme == "https" else 80
        return (p.scheme, (p.hostname or "").lower(), p.port or default)

    return key(pa) == key(pb)


def _is_loopback(host):
    if not host:
        return False
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def options(settings):
    value = settings.get("COMMENTS_OPTIONS") or {}
    if not isinstance(value, dict):
        _fail(
            f"COMMENTS_OPTIONS must be a dict of the provider's options, not {value!r}; "
            "e.g. COMMENTS_OPTIONS = {\"shortname\": \"my-blog\"} for disqus"
        )
    return value


def isso_hosts(settings, serve_origin=None):
    """The site origins the Isso server accepts (its `[general] host`).

    COMMENTS_OPTIONS["host"] when set; else SITEURL's origin when it is
    absolute; else the origin `make serve` uses (serve_origin), under both
    of its loopback names, so a page opened as localhost works too.
    """
    explicit = options(settings).get("host")
    if explicit:
        hosts = [explicit] if isinstance(explicit, str) else list(explicit)
        return [str(h).strip() for h in hosts if str(h).strip()]
    site = origin(settings.get("SITEURL"))
    if site:
        return [site]
    serve_origin = serve_origin or "http://127.0.0.1:8000"
    parts = urlsplit(serve_origin)
    port = f":{parts.port}" if parts.port else ""
    hosts = [serve_origin.rstrip("/")]
    if _is_loopback(parts.hostname):
        for name in ("127.0.0.1", "localhost"):
            candidate = f"{parts.scheme}://{name}{port}"
            if candidate not in hosts:
                hosts.append(candidate)
    return hosts


def cors_problem(page_origin, hosts):
    """Why Isso's CORS refuses a page at `page_origin`, or '' when it accepts it."""
    if any(_same_origin(page_origin, h) for h in hosts):
        return ""
    listed = ", ".join(hosts) or "nothing"
    hint = ""
    page = urlsplit(page_origin)
    for h in hosts:
        other = urlsplit(h)
        if page.scheme != other.scheme and page.hostname == other.hostname:
            hint = f"; {h} differs only in its scheme (http vs https)"
        elif page.hostname == other.hostname:
            hint = f"; {h} differs only in its port"
        elif _is_loopback(page.hostname) and _is_loopback(other.hostname):
            hint = (
                f"; {page.hostname} and {other.hostname} are different origins to a "
                "browser: open the site under the name Isso lists, or list both"
            )
        if hint:
            break
    return (
        f"a page at {page_origin} is refused by Isso's CORS, which accepts only "
        f"{listed}{hint}"
    )


def check_settings(settings):
    """Stop the build with a clear message when the comment settings cannot work."""
    name = settings.get("COMMENTS_PROVIDER")
    if name is None:
        # Not chosen: Isso when its server is set, else no comments (an
        # existing blog adding the plugin has no comment server yet).
        if str(settings.get("COMMENTS_URL") or "").strip():
            name = "isso"
        else:
            logger.warning(
                "connections: no comment provider is set up (COMMENTS_URL is empty), so "
                "stories have no comment section; set COMMENTS_URL to your Isso server, "
                "or COMMENTS_PROVIDER (README, 'Comments')"
            )
            name = "none"
    name = "none" if name in (False, "") else str(name).strip().lower()
    if name not in PROVIDERS:
        close = difflib.get_close_matches(name, PROVIDERS, n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        _fail(
            f"COMMENTS_PROVIDER = {settings.get('COMMENTS_PROVIDER')!r} is not a comment "
            f"provider{hint} (choose one of: {', '.join(PROVIDERS)})"
        )
    settings["COMMENTS_PROVIDER"] = name
    provider = PROVIDERS[name]
    opts = options(settings)

    url = str(settings.get("COMMENTS_URL") or "").strip()
    if provider.needs_url:
        if not url:
            _fail(
                f"COMMENTS_PROVIDER = '{name}' needs COMMENTS_URL, {provider.where} "
                f"(e.g. COMMENTS_URL = \"https://comments.example.org/\"); "
                "or set COMMENTS_PROVIDER = \"none\" to have no comments"
            )
        if not origin(url):
            _fail(
                f"COMMENTS_URL = {url!r} is not an absolute http:// or https:// address; "
                "write it in full, e.g. \"https://comments.example.org/\""
            )
        settings["COMMENTS_URL"] = url if url.endswith("/") else url + "/"

    missing = [key for key in provider.required if not str(opts.get(key) or "").strip()]
    if missing:
        _fail(
            f"COMMENTS_PROVIDER = '{name}' needs COMMENTS_OPTIONS "
            + ", ".join(repr(k) for k in missing)
            + f" ({provider.where})"
        )

    if name == "isso":
        _check_isso(settings, settings["COMMENTS_URL"])
    return settings


def _check_isso(settings, url):
    hosts = isso_hosts(settings)
    for h in hosts:
        if not origin(h):
            _fail(
                f"COMMENTS_OPTIONS['host'] has {h!r}, which is not a site origin "
                "like \"https://example.org\""
            )
    site = origin(settings.get("SITEURL"))
    server = urlsplit(url)
    if site is None:
        return  # local, relative URLs: `make serve` configures Isso for its origin
    problem = cors_problem(site, hosts)
    if problem:
        _fail(
            f"SITEURL {site}: {problem}; add it to COMMENTS_OPTIONS['host'] "
            "(and to the server's isso.cfg: make comments-config writes one)"
        )
    page = urlsplit(site)
    if _is_loopback(server.hostname) and not _is_loopback(page.hostname):
        _fail(
            f"COMMENTS_URL = {url!r} is this machine, but the site is published at "
            f"{site}: readers' browsers would look for the comment server on their own "
            "computer; set COMMENTS_URL (publishconf.py) to the public comment server"
        )
    if page.scheme == "https" and server.scheme == "http" and not _is_loopback(server.hostname):
        _fail(
            f"COMMENTS_URL = {url!r} is plain http on an https site ({site}): browsers "
            "block it as mixed content; serve Isso over https"
        )


# --- per story ----------------------------------------------------------------


def prepare(content):
    """`comments_enabled` and `comments_thread` on a story, for the templates."""
    if not isinstance(content, Article):
        return
    settings = content.settings
    provider = str(settings.get("COMMENTS_PROVIDER") or "none").lower()
    wanted = True
    value = content.metadata.get("comments")
    if value is not None:
        text = str(value).strip().lower()
        if text in OFF:
            wanted = False
        elif text not in ON:
            logger.warning(
                "%s: Comments: %r is neither 'on' nor 'off'; comments stay on",
                _shown(content), value,
            )
    keep(
        content,
        comments_enabled=wanted and provider != "none" and getattr(content, "status", "") != "draft",
        # The thread follows the story's identity, which the generator gives
        # once every story is read (identity.py); until then, its minute.
        comments_thread=thread_id(content) if hasattr(content, "date") else None,
    )


def _shown(content):
    from ..model.registry import shown_path

    return shown_path(content.source_path or "", None)
