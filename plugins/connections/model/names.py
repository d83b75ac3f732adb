"""How names are compared: case-, accent- and spacing-insensitively."""

import difflib
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


class NearNames:
    """The names near a written one, exactly as `difflib.get_close_matches`
    finds them among `names`, without comparing it with every name (a blog
    tags hundreds of people without a profile, each compared with thousands
    of names: a cost that grew with the square of the blog).

    Why it can skip names: difflib's ratio is 2M/T, where T is the two
    lengths summed and M is at most their longest common subsequence L. The
    L shared letters fall into at most T - 2L + 1 runs that both names
    share, and a run of k letters shares k - 1 letter pairs, so the names
    share at least 3L - T - 1 letter pairs (counted with repeats). A ratio
    of at least `cutoff` needs L >= cutoff * T / 2, hence at least
    (1.5 * cutoff - 1) * T - 1 shared pairs: only names that share that
    many pairs, found through an index of pairs, are compared."""

    def __init__(self, names):
        self.names = list(names)
        self._pairs = {}  # letter pair -> [(index of a name, how often it has it)]
        for index, name in enumerate(self.names):
            for pair, count in _pairs(name).items():
                self._pairs.setdefault(pair, []).append((index, count))
        self._by_length = sorted(range(len(self.names)), key=lambda i: len(self.names[i]))

    def near(self, word, n=3, cutoff=0.6):
        slope = 1.5 * cutoff - 1
        if slope <= 0:  # any two names might be that near: compare with all
            return difflib.get_close_matches(word, self.names, n=n, cutoff=cutoff)
        shared = {}
        for pair, count in _pairs(word).items():
            for index, has in self._pairs.get(pair, ()):
                shared[index] = shared.get(index, 0) + min(count, has)
        size = len(word)
        candidates = [
            self.names[i] for i, pairs in shared.items()
            if pairs >= slope * (size + len(self.names[i])) - 1 - _ROUNDING
        ]
        # Names sharing no pair can be near only when both are this short.
        longest = 1 / slope - size + _ROUNDING
        for i in self._by_length:
            if len(self.names[i]) > longest:
                break
            if i not in shared:
                candidates.append(self.names[i])
        return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)


# 1.5 * 0.8 - 1 is 0.20000000000000018 in floating point: without this slack
# the bounds above would leave out names exactly at them ('aa' for 'a a').
_ROUNDING = 1e-9


def _pairs(text):
    counts = {}
    for i in range(len(text) - 1):
        pair = text[i:i + 2]
        counts[pair] = counts.get(pair, 0) + 1
    return counts
