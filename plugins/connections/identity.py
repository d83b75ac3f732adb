"""A story's identity: what stays the same when its title, slug or URL change.

Feed entry ids and comment thread ids are built from it, so renaming a story
neither re-notifies feed subscribers nor detaches its comments.

The identity is the story's `Id:` header when it has one, else its `Date:` to
the minute as written (`2025-03-14T09:30`). An author who changes a story's
`Date:` keeps its identity by adding `Id:` with the old value; two stories
with one identity stop the build (give one of them an `Id:`).
"""

import datetime


def story_id(article):
    explicit = article.metadata.get("id")
    if explicit:
        return str(explicit).strip()
    # datetime's own strftime: Pelican's SafeDatetime.strftime gives the same
    # string for this format about ten times slower, and feeds and checks ask
    # for every story's identity.
    return datetime.datetime.strftime(article.date, "%Y-%m-%dT%H:%M")


def duplicate_ids(articles):
    """{identity: [articles]} for identities more than one story shares."""
    seen = {}
    for article in articles:
        seen.setdefault(story_id(article), []).append(article)
    return {key: group for key, group in seen.items() if len(group) > 1}


def report_shared_identities(articles, findings, shown):
    """An error for every story that shares its identity with an earlier one.

    `shown(article)` is the path messages show. The build and the check both
    report through this, so they say the same thing.
    """
    articles = sorted(articles, key=lambda a: a.source_path)  # the same order every time
    for identity, group in sorted(duplicate_ids(articles).items()):
        paths = [shown(a) for a in group]
        for path in paths[1:]:
            findings.error(
                path, 1, 1,
                f"this story has the same identity '{identity}' as {paths[0]} "
                "(their Date: is the same minute); add a line 'Id: <something unique>' "
                "to one of them - feed entries and comment threads are keyed by it",
            )


def report_shared_pages(contents, findings, shown):
    """An error for every story or page that would be written where an earlier
    one is (two stories with one slug in one year): Pelican would stop halfway
    through writing the site."""
    seen = {}
    for content in sorted(contents, key=lambda c: c.source_path):
        save_as = getattr(content, "save_as", "")
        if not save_as:
            continue
        if save_as in seen:
            findings.error(
                shown(content), 1, 1,
                f"this would be written to {save_as}, like {seen[save_as]}, and one "
                "of them would be lost; give one of them a different 'Slug:'",
            )
        else:
            seen[save_as] = shown(content)
