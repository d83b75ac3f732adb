"""What a warm build wrote into one output folder, kept so the next can trust it.

The records of one output folder are a file in CACHE_PATH named for that
folder (`connections-output-<digest of its path>.json`): building into
`output/` and then into `preview/` with the same settings keeps two sets of
records, and neither build touches the other folder. They hold, for every
file the build wrote: the key it was made from, its size and modification
time when the build ended (a file changed since, by hand or by anything
else, is written again and never deleted), and the people and events whose
lists its page read; and what each template (by the digest of its source)
names and pulls in, so that a warm build parses none it parsed before.

A build that stops half-way (Ctrl-C, `kill -9`, a traceback, a file it
cannot write) must leave nothing a cold build would not: so the records of
the last finished build stay as they are until this build finishes, and
replace them in one step (a new file renamed over the old); and before it
writes a file, the build adds the file's path to a journal beside them
(one line each). A journal found at the start of a build says the one
before it was interrupted: that build trusts none of the records and
renders every file, and at its end deletes every file the interrupted
builds or the last finished one wrote that it did not (a person made
private in between loses their page and feeds), as a cold build would have
left them. Only files inside the build's own output folder are ever deleted.
"""

import hashlib
import json
import os
from pathlib import Path

FORMAT = 3


def _folder_digest(output_path):
    return hashlib.blake2b(
        os.path.abspath(output_path).encode("utf-8", "surrogatepass"), digest_size=8
    ).hexdigest()


def _inside(folder, target):
    folder = os.path.abspath(folder)
    target = os.path.abspath(target)
    return os.path.commonpath([folder, target]) == folder and target != folder


class Records:
    """The records of one output folder: the last finished build's, and this one's."""

    def __init__(self, settings, output_path):
        self.output_path = os.path.abspath(output_path)
        stem = f"connections-output-{_folder_digest(output_path)}"
        folder = Path(settings["CACHE_PATH"])
        self.file = folder / f"{stem}.json"
        self.journal_file = folder / f"{stem}.journal"
        self.keep = bool(settings.get("CACHE_CONTENT"))
        self.interrupted = self.journal_file.exists()
        recorded, self.analyses = self._load()
        self.templates = {}  # this build's template analyses, kept for the next
        # Files a build may delete if this one does not write them again.
        self.ours = {t: r for t, r in recorded.items() if _inside(self.output_path, t)}
        self.journaled = self._journaled() if self.interrupted else set()
        use = bool(settings.get("LOAD_CONTENT_CACHE")) and not self.interrupted
        self.previous = self.ours if use else {}
        self.current = {}  # target -> record, for files kept or written
        self.pending = {}  # target -> (key, reads), for files being written
        self._journal = None

    def _load(self):
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}, {}
        files, templates = data.get("files"), data.get("templates")
        return (files if isinstance(files, dict) else {},
                templates if isinstance(templates, dict) else {})

    def _journaled(self):
        try:
            text = self.journal_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return set()
        return {line for line in text.splitlines()
                if line and _inside(self.output_path, line)}

    def reads(self, target):
        """What the page the last build wrote to `target` read ([] if nothing)."""
        record = self.previous.get(target)
        return record[3] if record is not None else []

    def unchanged(self, target, key):
        """True (and the file kept) when `target` is what the last build wrote for `key`."""
        if not self.matches(target, key):
            return False
        self.kept(target)
        return True

    def matches(self, target, key):
        """Whether `target` is what the last build wrote for `key` (its record
        and its file's size and modification time), changing nothing: a
        worker may ask (incremental.OutputCache.decide)."""
        record = self.previous.get(target)
        if record is None or key is None or record[0] != key:
            return False
        try:
            stat = os.stat(target)
        except OSError:
            return False
        return [stat.st_size, stat.st_mtime_ns] == record[1:3]

    def kept(self, target):
        """`target`, unchanged, stays as the last build recorded it."""
        self.current[target] = self.previous[target]

    def writing(self, target, key=None, reads=()):
        """`target` is about to be written (for `key`; None: it can't be known):
        into the journal first, so an interrupted build knows the file is ours."""
        self.current.pop(target, None)
        self.pending[target] = (key, list(reads))
        if self._journal is None:
            self.journal_file.parent.mkdir(parents=True, exist_ok=True)
            self._journal = open(self.journal_file, "a", encoding="utf-8")
        self._journal.write(target + "\n")
        self._journal.flush()

    def written(self, target, key=None, reads=()):
        """`target`, journaled by `writing` before, was written for `key`
        after reading `reads` (a batch's page: its reads known once rendered)."""
        self.pending[target] = (key, list(reads))

    def remove_left_over(self):
        """Delete what an earlier build wrote here and this one did not (a
        story deleted, a person made private), unless changed since by
        someone else: a warm build leaves the same files as a cold one."""
        removed = 0
        candidates = set(self.ours) | self.journaled
        for target in sorted(candidates):
            if target in self.current or target in self.pending:
                continue
            if target not in self.journaled:
                record = self.ours[target]
                try:
                    stat = os.stat(target)
                except OSError:
                    continue
                if [stat.st_size, stat.st_mtime_ns] != record[1:3]:
                    continue
            try:
                os.remove(target)
            except OSError:
                continue
            removed += 1
            folder = os.path.dirname(target)
            while _inside(self.output_path, folder):
                try:
                    os.rmdir(folder)
                except OSError:
                    break
                folder = os.path.dirname(folder)
        return removed

    def save(self):
        """The build finished: its records replace the last ones in one step,
        then the journal goes."""
        for target, (key, reads) in self.pending.items():
            if key is None:
                # Written, but from what can't be known: never skipped, yet
                # still ours to delete when no longer made.
                key = ""
            try:
                stat = os.stat(target)
            except OSError:
                continue
            self.current[target] = [key, stat.st_size, stat.st_mtime_ns, reads]
        self.pending = {}
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self.keep:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            data = {"format": FORMAT, "output": self.output_path, "files": self.current,
                    "templates": self.templates}
            tmp = self.file.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps(data, separators=(",", ":")))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.file)
        elif self.file.exists():
            self.file.unlink()  # records no longer kept: none may be trusted later
        try:
            self.journal_file.unlink()
        except FileNotFoundError:
            pass
