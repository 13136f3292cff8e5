"""The guides in docs/ work as written: their shell blocks run in order in an empty folder.

A fenced block is one of:
- `sh`: commands, run in order. A plain `sluice ...` command (alone, or joined by `&&`) runs
  in this process (`tests/cli.py`'s `invoke`), `cd` moves the session, anything else and any
  line using the shell (a pipe, a redirection, `$VAR`) runs in bash with this venv on PATH.
  Every command must succeed.
- `<language> file=PATH`: written to PATH (relative to where the session is) before the
  commands after it run.
- `<language> unchecked`: not run (what needs software the tests do not have), and listed
  below, so a block is left unchecked only on purpose.
- `text`: output or a crontab line, shown only.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli import invoke

REPO = Path(__file__).resolve().parents[2]
GUIDES = ("operators.md", "module-authors.md")
FENCE = re.compile(r"^( *)```(\S+)([^\n]*)\n(.*?)^\1```[ ]*$", re.MULTILINE | re.DOTALL)
SHELL = {"|", "||", ";", "&", ">", ">>", "<", "<<", "2>&1"}
#: (guide, language, first line) of every block the test leaves alone, and why
UNCHECKED = {
    # the path is the reader's own project; tests/airflow imports the same two lines
    ("operators.md", "python", "# dags/sluice_analytics.py"),
}


@dataclass(frozen=True)
class Block:
    language: str
    options: str
    text: str
    line: int

    @property
    def file(self) -> str | None:
        found = re.search(r"\bfile=(\S+)", self.options)
        return found.group(1) if found else None


def blocks(guide: str) -> list[Block]:
    source = (REPO / "docs" / guide).read_text()
    found = []
    for match in FENCE.finditer(source):
        indent, language, options, body = match.groups()
        text = "".join(line[len(indent):] + "\n" for line in body.splitlines())
        found.append(Block(language, options.strip(), text, source.count("\n", 0, match.start()) + 1))
    return found


class Session:
    """A reader following a guide: a folder they are in, and the commands they type."""

    def __init__(self, root: Path):
        self.cwd = root
        bin_dir = str(Path(sys.executable).parent)
        self.env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                    "SLUICE_SRC": str(REPO)}

    def follow(self, block: Block, where: str) -> None:
        if block.file:
            path = self.cwd / block.file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text)
        elif block.language == "sh":
            for line in _command_lines(block.text):
                self.run_line(line, where)

    def run_line(self, line: str, where: str) -> None:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        tokens = list(lexer)
        if "$" in line or SHELL & set(tokens):
            self.bash(line, where)
            return
        command: list[str] = []
        for token in [*tokens, "&&"]:
            if token != "&&":
                command.append(token)
                continue
            self.run(command, where)
            command = []

    def run(self, argv: list[str], where: str) -> None:
        if argv[0] == "cd":
            self.cwd = (self.cwd / argv[1]).resolve()
        elif argv[0] == "sluice":
            result = invoke(self.cwd, *argv[1:])
            assert result.returncode == 0, f"{where}: {shlex.join(argv)}\n{result.stdout}\n{result.stderr}"
        else:
            self.bash(shlex.join(argv), where)

    def bash(self, script: str, where: str) -> None:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=self.cwd, env=self.env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{where}: {script}\n{done.stdout}\n{done.stderr}"


def _command_lines(text: str) -> list[str]:
    """The block's commands: comment lines dropped, `\\` continuations joined."""
    joined = text.replace("\\\n", " ")
    return [line for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("guide", GUIDES)
def test_every_command_of_the_guide_works_as_written(guide, tmp_path):
    session = Session(tmp_path)
    for block in blocks(guide):
        if "unchecked" not in block.options.split():
            session.follow(block, f"docs/{guide}:{block.line}")


@pytest.mark.parametrize("guide", GUIDES)
def test_every_block_is_run_written_shown_or_deliberately_unchecked(guide):
    for block in blocks(guide):
        where = f"docs/{guide}:{block.line}"
        if "unchecked" in block.options.split():
            assert (guide, block.language, block.text.splitlines()[0]) in UNCHECKED, where
        else:
            assert block.language in ("sh", "text") or block.file, f"{where}: a ```{block.language} block " \
                "must be run (sh), written (file=PATH), shown (text) or marked unchecked"


def test_the_readme_links_both_guides():
    readme = (REPO / "README.md").read_text()
    assert "docs/operators.md" in readme and "docs/module-authors.md" in readme


def test_the_block_reader_finds_indented_blocks_and_their_options():
    found = blocks("operators.md")
    assert any(b.language == "text" and b.text.startswith("loading 1 file (snowplow)\n") for b in found)
    assert [b.file for b in found if b.file] == ["sluice.yml"]
    assert sum("unchecked" in b.options for b in found) == 1
