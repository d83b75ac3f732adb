"""What the site must never link or copy: the profiles of private people and
the pictures of people who are not public (linking/privacy.py applies it)."""

import os


class Hidden:
    """What of one build's registry must not be linked or copied: the
    profiles of private people and the pictures of people not public, by
    their path relative to the content folder."""

    def __init__(self, registry, settings):
        root = os.path.abspath(settings["PATH"])
        self.profiles = {}  # path -> the private person
        self.pictures = {}  # path -> a person who is not public
        shown = set()
        for person in registry.all("person"):
            if person.visibility == "private" and person.source is not None:
                path = os.path.relpath(os.path.abspath(person.source.path), root)
                self.profiles[path.replace(os.sep, "/")] = person
            if person.avatar_path:
                if person.visibility == "public":
                    shown.add(person.avatar_path)
                else:
                    self.pictures.setdefault(person.avatar_path, person)
        for path in shown:
            self.pictures.pop(path, None)

    def __bool__(self):
        return bool(self.profiles or self.pictures)

    @classmethod
    def of(cls, registry):
        """The registry's Hidden, worked out once (profiles are all read
        before any story)."""
        held = registry.__dict__.get("_hidden")
        if held is None:
            held = registry.__dict__["_hidden"] = cls(registry, registry.settings)
        return held
