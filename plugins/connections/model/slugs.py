"""The one rule for page addresses made from what an author writes.

A person's or an event's slug - from its `Slug:` line, else made from its
name with Pelican's own `slugify` and the site's SLUG_* settings - names a
folder and the feeds of its page (`people/{slug}/`, `feeds/events/{slug}.atom.xml`).
So it must be one safe path segment: letters, digits, '-', '_' and '.'
only (no '/', '\\', '..', white space or invisible characters), not empty,
and at most MAX_SLUG_BYTES long in UTF-8, under every file system's limit
for a file name. The registry applies it while reading the profiles,
before anything is written; `make check` reports the same lines.

A story's or a page's address is Pelican's (ARTICLE_SAVE_AS...); the same
length limit applies to each of its folders and to its tags' and
category's slugs, and a `..` in it is refused: Pelican would stop with a
traceback halfway through writing the site, or write over another page.
"""

import re

from pelican.utils import slugify

MAX_SLUG_BYTES = 200
FILE_NAME_BYTES = 255  # the limit of ext4, APFS, NTFS... for one name


def make_slug(text, settings):
    """Pelican's slug of `text` with the site's SLUG_* settings."""
    return slugify(
        text,
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []),
        preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
    )


def _segment(settings):
    letters = r"\w" if settings.get("SLUGIFY_USE_UNICODE") else r"A-Za-z0-9_"
    return re.compile(rf"[{letters}\-.]+")


def slug_problem(slug, settings):
    """Why `slug` cannot name a page (in words for a message), or None."""
    if not slug:
        return "it has no letters or digits"
    if not _segment(settings).fullmatch(slug) or ".." in slug or slug.startswith("."):
        return "a slug is one part of a page address: letters, digits, '-', '_' and '.', no '/' or '..'"
    size = len(slug.encode("utf-8"))
    if size > MAX_SLUG_BYTES:
        return f"it is {size} characters long; a slug has at most {MAX_SLUG_BYTES}"
    return None


def written_slug(value, settings):
    """(slug, None) for a profile's `Slug:` value, or (None, the message)."""
    value = value.strip()
    why = slug_problem(value, settings)
    if why is None:
        return value, None
    better = make_slug(value, settings).strip(".")[:MAX_SLUG_BYTES].strip("-")
    fix = (
        f"write e.g. 'Slug: {better}'"
        if better and slug_problem(better, settings) is None
        else "write a short name of letters, digits and '-'"
    )
    return None, f"'Slug: {_shown(value)}' is refused: {why}; {fix}"


def address_problems(content, settings):
    """(header key, message) for each part of a story's or page's address
    that cannot be written: a folder or slug over the limit, or a '..'."""
    problems = []
    save_as = getattr(content, "save_as", "") or ""
    parts = save_as.replace("\\", "/").split("/")
    if ".." in parts:
        problems.append(("slug", f"its page address '{_shown(save_as)}' contains '..', so it "
                         "would be written outside its folder or over another page; "
                         "write a 'Slug:' without '/' or '..'"))
    slug = str(getattr(content, "slug", "") or "")
    longest = max(len(p.encode("utf-8")) for p in parts)
    if len(slug.encode("utf-8")) > MAX_SLUG_BYTES or longest > FILE_NAME_BYTES:
        key = "slug" if "slug" in content.metadata else "title"
        size = max(len(slug.encode("utf-8")), longest)
        problems.append((key, f"its page address has a part {size} characters long (from "
                         f"its {key.title()}:); give it a 'Slug:' of at most "
                         f"{MAX_SLUG_BYTES} characters"))
    for key, items in (("tags", getattr(content, "tags", None) or []),
                       ("category", [c for c in [getattr(content, "category", None)] if c])):
        for item in items:
            size = len(str(getattr(item, "slug", "")).encode("utf-8"))
            if size > MAX_SLUG_BYTES:
                problems.append((key, f"the {key.rstrip('s')} '{_shown(str(item))}' makes a page "
                                 f"address {size} characters long; shorten it to at most "
                                 f"{MAX_SLUG_BYTES}"))
    return problems


def _shown(text, limit=60):
    from .safe_urls import shown

    return shown(text, limit)

