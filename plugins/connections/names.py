"""How names are compared: case-, accent- and spacing-insensitively."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(name):
    """The key two spellings of one name share: 'Zoë  LAURENT' -> 'zoe laurent'."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Letters that do not decompose (ø, ł, æ, ß) fold to their ASCII kin.
    stripped = stripped.translate(_NON_DECOMPOSING)
    return _SPACES.sub(" ", stripped.casefold()).strip()


_NON_DECOMPOSING = str.maketrans(
    {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ħ": "h",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ß": "ss", "þ": "th", "Þ": "th",
     "ð": "d", "Ð": "d", "ı": "i"}
)


def split_list(value):
    """A comma-separated metadata value as a list of clean names."""
    if isinstance(value, (list, tuple)):
        value = ",".join(value)
    return [part.strip() for part in value.split(",") if part.strip()]


def first_name(name):
    """What a first-name-only person is shown as."""
    return name.split()[0] if name.split() else name
