"""What the site must never link or copy: the profiles of private people and
the pictures of people who are not public, and the file names of first-name
people's profiles, which carry their full name (linking/privacy.py applies
it)."""

import os


class Hidden:
    """What of one build's registry must not be linked or copied: the
    profiles of private people and the pictures of people not public, by
    their path relative to the content folder; and the profiles of
    first-name people, whose links go to their page by another name."""

    def __init__(self, registry, settings):
        root = os.path.abspath(settings["PATH"])
        self.profiles = {}  # path -> the private person
        self.renamed = {}  # path -> the first-name person
        self.pictures = {}  # path -> a person who is not public
        shown = set()
        for person in registry.all("person"):
            if person.visibility != "public" and person.source is not None:
                path = os.path.relpath(os.path.abspath(person.source.path), root)
                table = self.profiles if person.visibility == "private" else self.renamed
                table[path.replace(os.sep, "/")] = person
            if person.avatar_path:
                if person.visibility == "public":
                    shown.add(person.avatar_path)
                else:
                    self.pictures.setdefault(person.avatar_path, person)
        for path in shown:
            self.pictures.pop(path, None)

    def __bool__(self):
        return bool(self.profiles or self.renamed or self.pictures)

    @classmethod
    def of(cls, registry):
        """The registry's Hidden, worked out once (profiles are all read
        before any story)."""
        held = registry.__dict__.get("_hidden")
        if held is None:
            held = registry.__dict__["_hidden"] = cls(registry, registry.settings)
        return held
