"""Text from the repo or a workspace made inert before jobsync writes it where GitHub reads it
(PR comments, job summaries, pull-request titles and bodies, commit messages).

A name or description may say `@octocat`, `@acme/admins`, `#12`, `acme/jobs#12` or `GH-12`;
written as is, GitHub would notify those people or link those issues from jobsync's text. A
word joiner (U+2060, invisible, no width) after the `@` or `#` (and inside `GH-`) keeps what the
reader sees and stops GitHub from linking it. Code spans and fenced blocks are left alone:
GitHub links nothing there, and a diff inside a fence must stay copyable.

`one_line` makes a name safe inside a one-line slot (a commit message line, a trailer value):
line breaks and other control characters are shown escaped, so a name cannot start a line of
its own and forge a trailer such as `Signed-off-by:` or `Co-authored-by:`.
"""

from __future__ import annotations

import re

JOINER = "\u2060"
MENTION = re.compile(r"(?<![\w`/@.+-])@(?=[A-Za-z0-9])")
REFERENCE = re.compile(r"(?<!&)#(?=\d)")  # #12 and owner/repo#12; not an HTML entity (&#96;)
GH_REFERENCE = re.compile(r"(?<![\w`])GH-(?=\d)", re.IGNORECASE)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def _plain(text: str) -> str:
    text = MENTION.sub("@" + JOINER, text)
    text = REFERENCE.sub("#" + JOINER, text)
    return GH_REFERENCE.sub(lambda found: found.group(0)[:2] + JOINER + "-", text)


def _line(line: str) -> str:
    parts, end = [], 0
    for span in CODE_SPAN.finditer(line):
        parts += [_plain(line[end : span.start()]), span.group(0)]
        end = span.end()
    parts.append(_plain(line[end:]))
    return "".join(parts)


def inert(text: str) -> str:
    """`text` (Markdown) with every mention and issue reference outside code made inert."""
    out, fence = [], ""
    for line in text.split("\n"):
        opened = FENCE.match(line)
        if fence:
            out.append(line)
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
        elif opened:
            fence = opened.group(1)
            out.append(line)
        else:
            out.append(_line(line))
    return "\n".join(out)


def one_line(text: str) -> str:
    """`text` for a one-line slot: control characters escaped (`\\n`), mentions inert."""
    escaped = CONTROL.sub(lambda found: found.group(0).encode("unicode_escape").decode("ascii"), text)
    return _plain(escaped)
