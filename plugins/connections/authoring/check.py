"""`python -m connections check`: find mistakes in the content without building.

It reads every story, page and profile the way the build does - Pelican's
own readers with the project's Markdown settings and mention extension,
then `linking.Linker` and `registry.Registry` for every name - so the build
and the check never disagree about what is a mention or whom it names. On
top of the build's findings it adds what only an author needs to hear about:
names of known people and events written without being tagged, profiles no
story uses, broken `{filename}`/`{static}` links and images, misspelt
header keys, empty or unclosed mentions, a header with no blank line after
it, and two stories that would be written to one page.

Each finding is one line, `path:line:column: level: message`, which editors
and CI problem matchers read; then a summary. Exit status 1 on an error
(or, with --strict, a warning).
"""

import bisect
import difflib
import html as htmllib
import logging
import os
import re
import sys
import urllib.parse
from fnmatch import fnmatch

from ..configure import configure
from ..diagnostics import ContentError, Findings
from ..linking.linker import MENTION_ELEMENT, Linker
from ..linking.mentions import ESCAPE, MENTION_NAME_MAX, MENTION_PATTERN, start_rule
from ..linking.record import forget_url, is_linked
from ..model import identity
from ..model import source as sourcefile
from ..model.identity import report_shared_pages
from ..model.names import fold
from ..model.registry import KINDS, Registry, shown_path
from ..settings import load_settings as read

# Header keys a story or page may use (Pelican's and this project's); a key
# close to one of these but not one of them is probably misspelt.
STORY_KEYS = {
    "title", "date", "modified", "author", "authors", "category", "tags",
    "people", "events", "summary", "status", "slug", "lang", "translation",
    "id", "template", "save_as", "url", "keywords", "description", "image",
}

_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^[ ]{0,3}([-*+]|\d+[.)])\s")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
_URLISH = re.compile(
    # A link's target: up to the next bracket at most, so that a `](` never
    # closed costs its own length, not the rest of the line's.
    r"\]\([^)\n\[\]]*\)"
    r"|<[^<>\n]*>"  # HTML tags and autolinks (a `<` never closed: its own length)
    r"|(?:https?|ftp|mailto):\S+|www\.\S+"
    r"|\S+@\S+\.\w+"  # e-mail addresses
    r"|[{|](?:filename|static|attach)[}|]\S*"
)
_INTRASITE = re.compile(
    r"(?:\{(?P<a>filename|static|attach)\}|\|(?P<b>filename|static|attach)\|)"
    r"(?P<target>[^\s)\"'>]+)"
)
# Where a mention may start in the source: the extension's own rule (after
# white space or opening punctuation), where what Markdown had turned into
# a placeholder (\x03) before mentions were read is a code span's backtick.
_MENTION_START = start_rule(also="`")
_START_BEFORE = re.compile(_MENTION_START.replace("(?<!", "(?!", 1), re.S)
_MENTION_CORE = re.compile(ESCAPE + MENTION_PATTERN)
# `#@[Ed]` is a heading made of a mention (`##[Ed]` is not a heading at all).
# Where a mention opens (unclosed_mentions() looks for one with no `]` after
# it on its line).
_MENTION_OPENS = re.compile(_MENTION_START + r"(?<!\\)(?P<sigil>[@#])\[")
# A mention whose name is longer than the extension reads: it stays as written.
_TOO_LONG = re.compile(
    _MENTION_START + r"(?<!\\)(?P<sigil>[@#])\[(?P<text>[^\[\]\n]{%d,})\]" % (MENTION_NAME_MAX + 1)
)
_HEADING_MARK = re.compile(r"[ ]{0,3}(?:>[ ]?)*#{1,6}")
_WORD_BOUNDARY_BEFORE = r"(?<![^\W_])"
_WORD_BOUNDARY_AFTER = r"(?![^\W_])"


# --- reading the site's settings the way the build does ----------------------


def load_settings(settings_file):
    return configure(read(settings_file))


def content_files(settings, paths_key, excludes_key):
    """The files a Pelican generator would read for ARTICLE_PATHS or PAGE_PATHS."""
    from pelican.readers import Readers

    root = settings["PATH"]
    extensions = set(Readers(settings).extensions)
    ignores = settings.get("IGNORE_FILES", [])
    excluded = {os.path.normpath(os.path.join(root, e)) for e in settings.get(excludes_key, [])}
    found = []
    for path in settings.get(paths_key, []):
        top = os.path.join(root, path) if path else root
        if os.path.isfile(top):
            found.append(top)
            continue
        for dirpath, dirs, files in os.walk(top, followlinks=True):
            dirs[:] = sorted(
                d for d in dirs
                if os.path.normpath(os.path.join(dirpath, d)) not in excluded
                and not any(fnmatch(d, i) for i in ignores)
            )
            for name in sorted(files):
                ext = name.rsplit(".", 1)[-1] if "." in name else ""
                if ext in extensions and not any(fnmatch(name, i) for i in ignores):
                    found.append(os.path.join(dirpath, name))
    return found


# --- masking what is not prose ----------------------------------------------


def _blank(text):
    return _NOT_NEWLINE.sub(" ", text)


_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank_spans(text, spans):
    """`text` with each (start, end) of `spans` (in order) blanked, in one pass."""
    pieces = []
    done = 0
    for start, end in spans:
        start = max(start, done)
        if end <= start:
            continue
        pieces += [text[done:start], _blank(text[start:end])]
        done = end
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def unclosed_mentions(prose):
    """(start, end, sigil, rest) of each mention opened with no `]` after it
    on its line (one a line: the rest of the line is its text), found in
    one pass (a regular expression asking for "no `]` up to the end of the
    line" at every `@[` reads a long line once for each)."""
    found = []
    line_start = 0
    size = len(prose)
    while line_start <= size:
        line_end = prose.find("\n", line_start)
        if line_end < 0:
            line_end = size
        last_close = prose.rfind("]", line_start, line_end)
        m = _MENTION_OPENS.search(prose, max(line_start, last_close + 1), line_end)
        if m is not None:
            found.append((m.start(), line_end, m.group("sigil"), prose[m.end():line_end]))
        line_start = line_end + 1
    return found


def mask_code(body):
    """The body with code blocks and code spans blanked (same length, same lines)."""
    lines = body.split("\n")
    out = []
    fence = None
    previous_blank = True
    in_list = False
    in_indented = False
    for line in lines:
        m = _FENCE.match(line)
        if fence:
            out.append(_blank(line))
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            out.append(_blank(line))
            continue
        stripped = line.strip()
        indented = line.expandtabs(4).startswith("    ")
        if stripped and not indented:
            in_list = bool(_LIST_ITEM.match(line)) or (in_list and not previous_blank)
        if indented and stripped and not in_list and (previous_blank or in_indented):
            in_indented = True
            out.append(_blank(line))
        else:
            in_indented = in_indented and not stripped
            out.append(line)
        previous_blank = not stripped
    text = "\n".join(out)
    return _CODE_SPAN.sub(lambda m: _blank(m.group(0)), text)


def mention_syntax(text):
    """Every `@[...]`/`#[...]` the mention extension sees in `text` (code
    already blanked), escaped and empty ones included, in order.

    The extension's rule for where a mention may start (MENTION_PATTERN's
    look-behind) sees Markdown's placeholders: right after a code span or
    another mention (escaped or empty too) is a valid start.
    """
    found = []
    ends = set()
    pos = 0
    starts = []

    def heading_before(i):  # `#@[Ed]`: the line so far is a heading's mark
        if text[i - 1] != "#":
            return False
        if not starts:
            starts.extend(_line_starts(text))
        return _HEADING_MARK.fullmatch(text, _line_start(starts, i), i)

    while True:
        m = _MENTION_CORE.search(text, pos)
        if m is None:
            return found
        i = m.start()
        if (
            i == 0
            or _START_BEFORE.match(text[i - 1])
            or i in ends
            or (text[i] != "#" and heading_before(i))
        ):
            found.append(m)
            ends.add(m.end())
            pos = m.end()
        else:
            pos = i + 1


def is_empty(m):
    """A mention with nothing in it (`@[]`, `@[Ed]()`): the extension leaves it as written."""
    target = m.group("target")
    return not m.group("text").strip() or (target is not None and not target.strip())


def mentions_in(body, html):
    """Each mention the build makes of `body`, located: (kind, name, start, end).

    `html` is `body` as the build's Markdown (with the mention extension)
    renders it; its mention elements (`linking.MENTION_ELEMENT`, the same
    ones the build resolves) are matched, in order, with the mentions
    written in the source, so the check and the build always agree on what
    is a mention. `start` and `end` are None for one that cannot be located.
    """
    written = [
        m for m in mention_syntax(mask_code(body)) if not m.group("escape") and not is_empty(m)
    ]
    found = []
    j = 0
    after = 0
    for m in MENTION_ELEMENT.finditer(html):
        kind = m.group("kind")
        shown = htmllib.unescape(m.group("text"))
        ref = htmllib.unescape(m.group("ref")) if m.group("ref") is not None else None
        sigil = KINDS[kind].sigil
        k = j
        while k < len(written) and not _fits(written[k], sigil, shown, ref):
            k += 1
        if k < len(written):
            at = written[k]
            j = k + 1
        else:  # where the source and Markdown read differently: search for it
            loose = re.compile(
                rf"{re.escape(sigil)}\[[^\S\n]*{_words(shown)}[^\S\n]*\]"
                + (rf"\([^\S\n]*{_words(ref)}[^\S\n]*\)" if ref is not None else "")
            )
            at = loose.search(body, after) or loose.search(body)
        if at is not None:
            after = at.end()
        name = ref if ref is not None else shown
        found.append((kind, name, at.start() if at else None, at.end() if at else None))
    return found


def _words(name):
    return r"[^\S\n]+".join(re.escape(w) for w in name.split())


def _fits(m, sigil, shown, ref):
    # Markdown turns tabs into spaces: compare names word by word.
    shown, ref = shown.split(), ref.split() if ref is not None else None
    if m.group("sigil") != sigil or m.group("text").split() != shown:
        return False
    target = m.group("target")
    if ref is None:
        return target is None or target.split() == shown
    return target is not None and target.split() == ref


def mask_prose(body, mentions=()):
    """Only the prose: code, URLs, tags and the given mentions blanked."""
    text = mask_code(body)
    spans = sorted((start, end) for _, _, start, end in mentions if start is not None)
    text = _blank_spans(text, spans)
    # Escaped and empty ones are not prose either.
    text = _blank_spans(text, [
        (m.start(), m.end()) for m in mention_syntax(text) if m.group("escape") or is_empty(m)
    ])
    return _URLISH.sub(lambda m: _blank(m.group(0)), text)


# --- finding known names in one pass -----------------------------------------


class NameFinder:
    """Every name and alias of the registry, found in one pass over folded text."""

    def __init__(self, registry):
        self.keys = {}  # folded name -> [entities]
        for kind in ("person", "event"):
            for entity in registry.all(kind):
                for name in [entity.name, *entity.aliases]:
                    key = fold(name)
                    if any(c.isalnum() for c in key):
                        self.keys.setdefault(key, []).append(entity)
        self.pattern = (
            re.compile(f"{_WORD_BOUNDARY_BEFORE}(?:{_names_pattern(self.keys)}){_WORD_BOUNDARY_AFTER}")
            if self.keys
            else None
        )

    def find(self, text):
        """(start, end, [entities]) for each known name in `text` (original offsets)."""
        if self.pattern is None:
            return
        folded, where = _fold_with_offsets(text)
        for m in self.pattern.finditer(folded):
            key = " ".join(m.group(0).split())
            start = where[m.start()]
            end = where[m.end() - 1] + 1
            yield start, end, self.keys.get(key, [])

    def match_at(self, text):
        """The known name `text` starts with, as written, or None."""
        if self.pattern is None:
            return None
        folded, where = _fold_with_offsets(text)
        m = self.pattern.match(folded)
        return text[: where[m.end() - 1] + 1] if m else None


def _names_pattern(keys):
    """One regular expression for all `keys` (folded names), longest first.

    As a tree of their letters, so that at each place in a text only the
    names that begin with what is there are tried: a plain alternation of
    thousands of names tries each of them at every letter (a story naming
    8,000 people took 11 s to search)."""
    if max(map(len, keys)) > 400:  # deeper than a pattern may nest: the plain way
        return "|".join(sorted(
            (r"\s+".join(re.escape(w) for w in key.split(" ")) for key in keys),
            key=len, reverse=True,
        ))
    tree = {}
    for key in keys:
        node = tree
        for c in key:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node):
        branches = [
            (r"\s+" if c == " " else re.escape(c)) + emit(node[c])
            for c in sorted(node) if c
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy: the longer name first, the shorter where it ends at a word.
        return f"(?:{body})?" if "" in node else body

    return emit(tree)


def _fold_with_offsets(text):
    """`names.fold` applied letter by letter, and where each folded letter came from."""
    parts = []
    where = []
    cache = {}
    for i, c in enumerate(text):
        f = cache.get(c)
        if f is None:
            f = " " if c.isspace() else fold(c)
            cache[c] = f
        parts.append(f)
        where.extend([i] * len(f))
    return "".join(parts), where


# --- the check -----------------------------------------------------------


class Checker:
    def __init__(self, settings, findings):
        from pelican.readers import Readers

        self.settings = settings
        self.findings = findings
        self.registry = Registry(settings, findings).load(settings["PATH"])
        self.linker = Linker(settings, self.registry, findings)
        self.readers = Readers(settings)
        self.stories = []  # (Source, Article, its HTML before linking)
        self.pages = []

    def run(self):
        from pelican.contents import Article, Page

        for path in content_files(self.settings, "ARTICLE_PATHS", "ARTICLE_EXCLUDES"):
            self._read(path, Article, self.stories)
        for path in content_files(self.settings, "PAGE_PATHS", "PAGE_EXCLUDES"):
            self._read(path, Page, self.pages)
        shown = lambda a: shown_path(a.source_path, None)  # noqa: E731
        ledger = identity.read_ledger(self.settings, self.findings, lambda p: shown_path(p, None))
        identity.assign([a for _, a, _ in self.stories], self.settings, ledger, self.findings, shown)
        report_shared_pages(
            [c for _, c, _ in self.stories + self.pages], self.findings,
            lambda c: shown_path(c.source_path, None), moved=forget_url,
        )
        self._render_bios()
        self._check_profiles()
        finder = NameFinder(self.registry)
        for src, content, html in self.stories + self.pages:
            self._check_text(src, content, html, finder)
        return self.findings

    # --- one file ------------------------------------------------------------

    def _read(self, path, content_class, into):
        src = sourcefile.read(path, shown_path(path, self.settings))
        if src.problem:
            self.findings.error(src.path, *sourcefile.unreadable(src))
            return
        self._check_header(src)
        self._report_left_out(src)
        try:
            content = self.readers.read_file(
                base_path=self.settings["PATH"],
                path=os.path.relpath(path, self.settings["PATH"]),
                content_class=content_class,
                context={"generated_content": {}, "static_content": {}, "localsiteurl": ""},
            )
        except Exception as exc:  # whatever stops Pelican stops the build
            self.findings.error(src.path, *sourcefile.pelican_error(exc, src))
            return
        if content is None or getattr(content, "status", None) == "skip" or not hasattr(
            content, "metadata"
        ):
            return
        why = sourcefile.why_skipped(content, src)
        if why or not content.is_valid():  # Pelican leaves it out and builds the rest
            self.findings.warning(src.path, *(why or (1, 1, "Pelican skips this file")))
            return
        html = content._content or ""  # as the build's Markdown made it
        self.linker.link(content)
        into.append((src, content, html))

    def _report_left_out(self, src):
        """Controls and noncharacters (control_chars.py): left out, and said where."""
        for line, column, char in src.left_out[:10]:
            self.findings.warning(
                src.path, line, column,
                f"an invisible control character (U+{ord(char):04X}) is left out here; "
                "no web page or feed may carry it - delete it in your editor",
            )

    def _check_header(self, src):
        for f in src.fields:
            if f.key in STORY_KEYS:
                continue
            guess = difflib.get_close_matches(f.key, sorted(STORY_KEYS), n=1, cutoff=0.75)
            if guess:
                self.findings.warning(
                    src.path, f.line, 1,
                    f"unknown header key '{f.raw_key}:'; did you mean '{guess[0].title()}:'?",
                )
        lines = src.lines
        no_colon = sourcefile.missing_colon(src)
        if no_colon:
            self.findings.warning(src.path, *no_colon)
        elif (
            src.fields
            and src.body_line <= len(lines)
            and src.body.strip()
            and lines[src.body_line - 2].strip()
            and not sourcefile._END.match(lines[src.body_line - 2])
        ):
            self.findings.warning(
                src.path, src.body_line, 1,
                "the header has no blank line after it; add one before the text "
                "(a text line that looks like 'Key: value' would be read as a header)",
            )

    # --- the whole site ------------------------------------------------------

    def _render_bios(self):
        """Mentions in bios and event descriptions, resolved as the build does
        (Linker.profile_bodies), after the stories."""
        for _entity, _html in self.linker.profile_bodies(self.settings["MARKDOWN"]):
            pass

    def _check_profiles(self):
        used = set()
        for _, content, _ in self.stories + self.pages:
            if is_linked(content):
                used.update(id(e) for e in self.linker.tagged(content) + content.events)
                used.update(id(p) for p in content.author_people)
        root = self.settings["PATH"]
        for kind in ("person", "event"):
            for entity in self.registry.all(kind):
                if not entity.has_profile:
                    continue
                src = entity.source
                self._report_left_out(src)
                if id(entity) not in used:
                    sigil = entity.sigil
                    self.findings.note(
                        src.path, 1, 1,
                        f"no story tags {kind} '{entity.name}'; tag "
                        f"{entity.pronoun} with "
                        f"{sigil}[{entity.name}] or delete the profile",
                    )
                avatar = src.get("avatar") if kind == "person" else None
                if avatar and entity.avatar_path:  # a path the registry accepted
                    target = os.path.join(root, entity.avatar_path)
                    if not os.path.isfile(target):
                        self.findings.warning(
                            src.path, avatar.line, avatar.column,
                            f"the avatar '{avatar.value}' does not exist in the content "
                            f"folder ({shown_path(target, None)}); fix the path or add the image",
                        )
                self._check_links(src, src.body_line, src.body)

    # --- the text of a story ---------------------------------------------------

    def _check_text(self, src, content, html, finder):
        body = src.body
        starts = _line_starts(body)

        def position(offset):
            index = bisect.bisect_right(starts, offset) - 1
            return src.body_line + index, offset - starts[index] + 1

        code_free = mask_code(body)
        for m in mention_syntax(code_free):
            text = m.group("text").strip()
            if not m.group("escape") and is_empty(m):
                line, column = position(m.start())
                self.findings.warning(
                    src.path, line, column,
                    f"empty mention '{m.group(0)}' stays as written; put a name in it, "
                    f"e.g. {m.group('sigil')}[{text or 'Zoë Laurent'}], or remove it",
                )
        prose = mask_prose(body, mentions_in(body, html))
        for m in _TOO_LONG.finditer(prose):
            line, column = position(m.start())
            self.findings.warning(
                src.path, line, column,
                f"'{m.group('sigil')}[{_short(m.group('text'))}]' is longer than a name may "
                f"be ({MENTION_NAME_MAX} characters) and stays as written; shorten it",
            )
        unclosed = unclosed_mentions(prose)
        for start, _end, sigil, rest in unclosed:
            line, column = position(start)
            known = finder.match_at(rest.lstrip())
            fix = f"write {sigil}[{known}]" if known else f"close it: {sigil}[name]"
            self.findings.warning(
                src.path, line, column,
                f"'{sigil}[{_short(rest)}' has no closing ']' and stays as written; {fix}",
            )
        # What follows an unclosed mention is not prose.
        prose = _blank_spans(prose, [(start, end) for start, end, _, _ in unclosed])
        known_here = set()
        if is_linked(content):
            known_here.update(id(e) for e in self.linker.tagged(content) + content.events)
            known_here.update(id(p) for p in content.author_people)
        reported = set()
        for start, end, entities in finder.find(prose):
            if not entities or any(id(e) in known_here or id(e) in reported for e in entities):
                continue
            entity = entities[0]
            reported.add(id(entity))
            written = " ".join(body[start:end].split())
            line, column = position(start)
            self.findings.warning(
                src.path, line, column,
                f"'{written}' is mentioned on line {line} but not tagged: "
                f"write {entity.sigil}[{written}]",
            )
        self._check_links(src, src.body_line, body, code_free)

    def _check_links(self, src, first_line, body, code_free=None):
        code_free = mask_code(body) if code_free is None else code_free
        starts = _line_starts(body)
        base = os.path.dirname(os.path.abspath(os.path.join(os.getcwd(), src.path)))
        if not os.path.isdir(base):
            base = self.settings["PATH"]
        for m in _INTRASITE.finditer(code_free):
            target = urllib.parse.unquote(m.group("target").split("#")[0].split("?")[0])
            if not target or target.startswith("/@"):
                continue
            if target.startswith("/"):
                path = os.path.join(self.settings["PATH"], target.lstrip("/"))
            else:
                path = os.path.join(base, target)
            if os.path.exists(path):
                continue
            index = bisect.bisect_right(starts, m.start()) - 1
            what = "image or file" if (m.group("a") or m.group("b")) != "filename" else "page"
            self.findings.warning(
                src.path, first_line + index, m.start() - starts[index] + 1,
                f"the {what} '{m.group('target')}' does not exist "
                f"({shown_path(os.path.normpath(path), None)}); fix the path",
            )


def _line_start(starts, offset):
    return starts[bisect.bisect_right(starts, offset) - 1]


def _line_starts(text):
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def _short(text, limit=30):
    text = text.rstrip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check(settings, paths=()):
    """The findings about the content (a Findings), the build's rules and more."""
    findings = Findings(log=False)
    Checker(settings, findings).run()
    if paths:
        wanted = {os.path.normpath(shown_path(os.path.abspath(p), None)) for p in paths}
        findings.items = [f for f in findings.items if os.path.normpath(f.path) in wanted]
    return findings


def main(args):
    # Pelican's own log lines are not findings: keep the output to ours.
    logging.getLogger("pelican").setLevel(logging.CRITICAL)
    logging.getLogger("markdown").setLevel(logging.CRITICAL)
    try:
        settings = load_settings(args.settings)
    except FileNotFoundError as exc:
        print(f"connections: {exc.filename}: no such file", file=sys.stderr)
        return 2
    except (ValueError, ContentError) as exc:  # a settings mistake, said in one line
        print(f"connections: {args.settings}: {exc}", file=sys.stderr)
        return 2
    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        print(f"connections: {missing[0]}: no such file", file=sys.stderr)
        return 2
    findings = check(settings, args.paths)
    for finding in sorted(findings.items):
        print(finding)
    print(f"connections check: {findings.summary()}")
    return 1 if findings.failing(args.strict) else 0
