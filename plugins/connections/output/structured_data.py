"""schema.org JSON-LD for stories, people and events.

Templates call `connections_jsonld(article=...)`, `(person=...)` or
`(event=...)`; each returns a complete `<script type="application/ld+json">`
element. Only what the site may show goes in (display names, listed people),
and the JSON is escaped so that no value, e.g. a name containing
`</script>`, can end the script element early.
"""

import json
import re

from jinja2 import pass_context
from markupsafe import Markup

from ..model import control_chars
from ..model.safe_urls import is_safe_link


def _absolute(ctx, url):
    base = ctx.get("FEED_DOMAIN") or ctx.get("SITEURL") or ""
    if ctx.get("RELATIVE_URLS"):
        base = ""
    return f"{base.rstrip('/')}/{url.lstrip('/')}" if url is not None else None


def _person(ctx, person):
    data = {"@type": "Person", "name": person.display_name, "url": _absolute(ctx, person.url)}
    return data


def _event(ctx, event):
    data = {"@type": "Event", "name": event.name, "url": _absolute(ctx, event.url)}
    if event.start:
        data["startDate"] = event.start.isoformat()
    if event.end:
        data["endDate"] = event.end.isoformat()
    address = getattr(event, "address", "")
    if event.location or address:
        data["location"] = {"@type": "Place", "name": event.location or address}
        if address:
            data["location"]["address"] = address
    return data


def story(ctx, article):
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "url": _absolute(ctx, article.url),
        "datePublished": article.date.isoformat(),
        "author": [_person(ctx, p) for p in getattr(article, "author_people", []) if p.listed],
    }
    if getattr(article, "modified", None):
        data["dateModified"] = article.modified.isoformat()
    people = [_person(ctx, p) for p in getattr(article, "people", [])]
    events = [_event(ctx, e) for e in getattr(article, "events", [])]
    if people or events:
        data["mentions"] = people + events
    if events:
        data["about"] = events
    return data


def profile(ctx, person):
    main = _person(ctx, person)
    if person.aliases and person.visibility == "public":
        main["alternateName"] = person.aliases
    links = [url for _, url in person.links if is_safe_link(url) and not url.startswith("mailto:")]
    if links and person.visibility == "public":
        main["sameAs"] = links
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": _absolute(ctx, person.url),
        "mainEntity": main,
    }


def event_page(ctx, event):
    data = {"@context": "https://schema.org", **_event(ctx, event)}
    performers = [_person(ctx, p) for p in event.people]
    if performers:
        data["attendee"] = performers
    return data


def dumps(data):
    """JSON safe to place inside a <script> element; each text ends the
    direction overrides it opens (control_chars.closed_directions), as it
    would on a page."""
    text = json.dumps(data, ensure_ascii=False, indent=None, sort_keys=False)
    if control_chars.opens_directions(text):  # rare: walk the data only then
        text = json.dumps(_closed(data), ensure_ascii=False, indent=None, sort_keys=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _closed(value):
    if isinstance(value, dict):
        return {k: _closed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_closed(v) for v in value]
    return control_chars.closed_directions(value)


@pass_context
def connections_jsonld(ctx, article=None, person=None, event=None):
    if article is not None:
        data = story(ctx, article)
    elif person is not None:
        data = profile(ctx, person)
    elif event is not None:
        data = event_page(ctx, event)
    else:
        return ""
    return Markup(f'<script type="application/ld+json">{dumps(data)}</script>')



# --- every other page type ------------------------------------------------------
# Index, archives, tag and category pages, the people and events directories,
# plain pages and the 404 page: `connections_page_jsonld(kind, name, url)`,
# called by partials/share_meta.html where a page has no JSON-LD of its own.

PAGE_TYPES = {"index": "Blog", "page": "WebPage", "404": "WebPage"}


def listing_page(ctx, kind, name, url, articles=()):
    site = {"@type": "WebSite", "name": str(ctx.get("SITENAME", "")),
            "url": _absolute(ctx, "")}
    data = {
        "@context": "https://schema.org",
        "@type": PAGE_TYPES.get(kind, "CollectionPage"),
        "name": str(name),
        "url": _absolute(ctx, re.sub(r"(^|/)index\.html$", r"\1", url or "")),
    }
    if data["@type"] == "Blog":
        data["description"] = str(ctx.get("SITESUBTITLE") or ctx.get("SITENAME", ""))
        posts = [{"@type": "BlogPosting", "headline": a.title, "url": _absolute(ctx, a.url)}
                 for a in articles]
        if posts:
            data["blogPost"] = posts
    else:
        data["isPartOf"] = site
        if articles:
            data["hasPart"] = [
                {"@type": "BlogPosting", "headline": a.title, "url": _absolute(ctx, a.url)}
                for a in articles
            ]
    return data


@pass_context
def connections_page_jsonld(ctx, kind, name, url, articles=()):
    """A `<script type="application/ld+json">` for a page that is not a story,
    person or event: a Blog (the index), a WebPage (pages, 404) or a
    CollectionPage (every list page), naming the stories it shows."""
    data = listing_page(ctx, kind, name, url, list(articles or ()))
    return Markup(f'<script type="application/ld+json">{dumps(data)}</script>')
