"""MkDocs hook: under each function's API entry, its standalone copy snippet.

For every ``::: dlnotes.<module>.<function>`` block of a page whose function
has a snippet (`dlnotes.snippets.public_names`), a folded "Copy" box follows
with the code that ``python -m dlnotes copy <module>.<function>`` prints; the
theme's copy button copies it as it is.
"""

from __future__ import annotations

import re
import textwrap

from dlnotes import snippets

_BLOCK = re.compile(
    r"^::: dlnotes\.(\w+)\.(\w+)[ \t]*\n((?:[ \t]+\S.*\n|[ \t]*\n(?=[ \t]+\S))*)", re.M
)


def on_page_markdown(markdown, page, config, files):
    public = set(snippets.public_names())

    def add_snippet(match):
        name = f"{match.group(1)}.{match.group(2)}"
        if name not in public:
            return match.group(0)
        code = textwrap.indent(snippets.snippet(name), "    ")
        return (
            f"{match.group(0)}\n"
            f'??? example "Copy `{match.group(2)}` into your project"\n'
            f"    The function alone, with the helpers it needs: it runs with NumPy and\n"
            f"    array-api-compat only (`python -m dlnotes copy {name}` prints the same).\n\n"
            f"    ```python\n{code}    ```\n\n"
        )

    return _BLOCK.sub(add_snippet, markdown if markdown.endswith("\n") else markdown + "\n")
