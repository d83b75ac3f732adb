"""`python -m connections new story|person|event NAME`: start a file to fill in.

A story goes to `<PATH>/stories/<slug>.md` (the first of ARTICLE_PATHS) as a
draft dated now in the site's TIMEZONE; a person or event profile goes to
the people or events folder. The slug is made the way the site makes it
(Pelican's slugify with the site's settings), an existing file is never
overwritten, and the path written is printed.
"""

import datetime
import os
import sys
import zoneinfo

from ..diagnostics import ContentError
from ..model.registry import KINDS, _slugify, parse_date

STORY = """\
Title: {title}
Date: {date}
Author: {author}
Category: {category}
Tags:
People:
Events:
Summary:
Status: draft

Write the story here, after the blank line. Tag people and events as you go:
`@[Full Name]` for a person, `@[First](Full Name)` to show a shorter name,
`#[Event Name]` for an event. Remove `Status: draft` when it is ready to
publish; `make check` points at anything that looks wrong.
"""

PERSON = """\
Name: {name}
Aliases:
Website:
Avatar:
Visibility: public

A few lines about {name}: who they are, how you met. This is shown on their
page. `Visibility:` is public, first-name (only "{first}" is ever shown) or
private (never named on the site).
"""

EVENT = """\
Name: {name}
Start: {start}
End:
Location:
URL:

A few lines about {name}: what it is, where, who goes. This is shown on the
event's page. `End:` (YYYY-MM-DD) is optional.
"""


def now(settings):
    try:
        zone = zoneinfo.ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.timezone.utc
    return datetime.datetime.now(zone)


def target(settings, kind, slug):
    root = settings["PATH"]
    if kind == "story":
        paths = settings.get("ARTICLE_PATHS") or [""]
        folder = paths[0]
    else:
        folder = settings[KINDS[kind].folder_setting]
    return os.path.join(root, folder, f"{slug}.md")


def text_for(settings, kind, name, start):
    if kind == "story":
        return STORY.format(
            title=name,
            date=now(settings).strftime("%Y-%m-%d %H:%M"),
            author=settings.get("AUTHOR") or "",
            category=settings.get("DEFAULT_CATEGORY") or "misc",
        )
    if kind == "person":
        return PERSON.format(name=name, first=name.split()[0])
    return EVENT.format(name=name, start=start)


def fail(message):
    print(f"connections: {message}", file=sys.stderr)
    return 1


def main(args):
    from .check import load_settings

    try:
        settings = load_settings(args.settings)
    except FileNotFoundError as exc:
        return fail(f"{exc.filename}: no such file")
    except (ValueError, ContentError) as exc:  # a settings mistake, said in one line
        return fail(f"{args.settings}: {exc}")
    name = " ".join(args.name.split())
    if not name:
        return fail(f"give the {args.kind} a name, e.g. new {args.kind} \"Coffee with Zoë\"")
    start = (args.start or "").strip()
    if args.kind == "event":
        if not start:
            return fail("an event needs its start date: --start YYYY-MM-DD (make new-event START=...)")
        try:
            start = parse_date(start).isoformat()
            if len(args.start.strip()) != 10:
                raise ValueError
        except ValueError:
            return fail(f"'{args.start}' is not a date; write --start as YYYY-MM-DD, e.g. 2027-05-14")
    slug = _slugify(name, settings)
    if not slug:
        return fail(
            f"'{name}' has no letters or digits to make a file name from; "
            "use a name with some (you can change the title inside the file)"
        )
    path = target(settings, args.kind, slug)
    if os.path.exists(path):
        return fail(f"{os.path.relpath(path)} already exists; not overwriting it (choose another name)")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:
        f.write(text_for(settings, args.kind, name, start))
    print(os.path.relpath(path))
    if args.kind == "story":
        try:
            url = (settings.get("DRAFT_URL") or "drafts/{slug}.html").format(slug=slug)
        except (KeyError, IndexError, ValueError):
            url = f"drafts/{slug}.html"
        # On stderr: stdout stays the path alone, for `$EDITOR "$(make -s new-story ...)"`.
        print(f"Preview: {args.preview.rstrip('/')}/{url} (while `make serve` runs; "
              "it shows there until you remove `Status: draft`)", file=sys.stderr)
    return 0
