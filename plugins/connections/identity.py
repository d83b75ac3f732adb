"""A story's identity: what stays the same when its title, slug or URL change.

Feed entry ids and comment thread ids are built from it, so renaming a story
neither re-notifies feed subscribers nor detaches its comments.

The identity is the story's `Id:` header when it has one, else its `Date:` to
the minute as written (`2025-03-14T09:30`). An author who changes a story's
`Date:` keeps its identity by adding `Id:` with the old value; two stories
with one identity stop the build (give one of them an `Id:`).
"""


def story_id(article):
    explicit = article.metadata.get("id")
    if explicit:
        return str(explicit).strip()
    return article.date.strftime("%Y-%m-%dT%H:%M")


def duplicate_ids(articles):
    """{identity: [articles]} for identities more than one story shares."""
    seen = {}
    for article in articles:
        seen.setdefault(story_id(article), []).append(article)
    return {key: group for key, group in seen.items() if len(group) > 1}
