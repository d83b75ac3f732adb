"""An author's old Pelican page, `author/<slug>.html`, sends readers on.

Authors are people: with Pelican's default AUTHOR_SAVE_AS the plugin makes
an author's page their person page (settings.adopt_blog), and writes a small
page at the old address that sends readers there, so a blog's old links
keep working (CONNECTIONS_AUTHOR_REDIRECTS).
"""

import posixpath

from pelican.urlwrappers import Author


def write_author_redirects(generator, writer, relative):
    """A page at each author's old Pelican address (author/<slug>.html)
    that sends readers to their person page, so old links keep working.
    Only for public people: a first-name person's old address spells the
    whole name, and a private person has no page."""
    pattern = generator.settings.get("CONNECTIONS_AUTHOR_REDIRECTS")
    if not pattern:
        return
    for person in generator.people:
        if person.visibility != "public" or not person.authored or not person.save_as:
            continue
        old = Author(person.name, generator.settings)
        save_as = pattern.format(slug=old.slug, name=person.name)
        if save_as == person.save_as:
            continue
        if generator.settings.get("SITEURL") and not relative:
            target = f"{generator.settings['SITEURL']}/{person.url}"
        else:
            up = posixpath.relpath(".", posixpath.dirname(save_as) or ".")
            target = posixpath.normpath(posixpath.join(up, person.url)) + (
                "/" if person.url.endswith("/") else "")
        writer.write_file(
            save_as, generator.get_template("connections/author_redirect"), generator.context,
            relative_urls=False, template_name="connections/author_redirect",
            person=person, target=target,
        )
