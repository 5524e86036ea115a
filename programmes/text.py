"""Text typed by people that must stay on one line as they read it: names, titles, e-mail headers.

A line break in a name can break an e-mail header; a Unicode direction control (U+202E, "right-to-
left override", and its kin) makes a name read backwards. ``one_line`` is the rule, applied to
every name and title on input (``NameField``, ``NameFormField``) and again to every e-mail header.
"""

import html
import re
import unicodedata

# Characters that change the direction in which the following text is shown.
DIRECTION_CONTROLS = frozenset(
    "\u061c"  # Arabic letter mark
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides
    "\u2066\u2067\u2068\u2069"  # isolates
)
# Line and paragraph separators are not "Cc" but still end a line.
LINE_BREAKS = frozenset("\u2028\u2029\x85")
SPACES = re.compile(r"\s+")


def one_line(value) -> str:
    """``value`` as one line: control characters (CR, LF, tab, NUL...) and line separators become
    spaces, direction controls are dropped, runs of spaces become one, the ends are trimmed."""
    if value is None:
        return ""
    text = str(value)
    cleaned = []
    for char in text:
        if char in DIRECTION_CONTROLS:
            continue
        if char in LINE_BREAKS or unicodedata.category(char) == "Cc":
            cleaned.append(" ")
        else:
            cleaned.append(char)
    return SPACES.sub(" ", "".join(cleaned)).strip()


def escaped(value) -> str:
    """Django's ``escape`` for the lines that tags write in Python: ``&<>"'`` as entities, the
    same text, without the wrapper that first checks every argument for a lazy translation (a
    third of its cost, paid some three hundred times by the participation page)."""
    return html.escape(str(value))


def conditionally_escaped(value) -> str:
    """Django's ``conditional_escape``: text marked safe as it is, any other escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
