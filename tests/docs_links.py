"""Fails on a broken relative link in the docs, or on a README.md over 200 lines.

Checks README.md, docs/*.md and models/README.md: every relative link or image
([text](path), ![alt](path), optionally with #anchor) must name a file or folder that
exists; an anchor into a Markdown file must match one of its headings (GitHub's rule:
lower case, punctuation dropped, spaces to hyphens). Every README.md in the tree (but
under results/runs/ and build folders) must be at most 200 lines.

    /usr/bin/python3 tests/docs_links.py            # from the repository root
    /usr/bin/python3 tests/docs_links.py /path/to/repo
"""

import pathlib
import re
import sys

MAX_README_LINES = 200
CHECKED = ["README.md", "docs/*.md", "models/README.md"]
SKIPPED_FOLDERS = {".git", "build", "node_modules", "runs"}
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def anchors(markdown_file):
    """GitHub's anchors for the headings of a Markdown file (inline code keeps its text)."""
    found, seen, inside = set(), {}, False
    for line in markdown_file.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            inside = not inside
            continue
        heading = None if inside else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = heading.group(1).strip().lower()
        slug = re.sub(r"[^\w\- ]", "", slug).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(root, markdown_file):
    problems = []
    text = markdown_file.read_text(encoding="utf-8")
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        if FENCE.match(line):
            inside = not inside
            continue
        if inside:
            continue
        for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue  # http:, https:, mailto:
            path, _, anchor = target.partition("#")
            where = markdown_file if not path else (markdown_file.parent / path)
            name = f"{markdown_file.relative_to(root)}:{number}"
            if not where.exists():
                problems.append(f"{name}: {target}: no such file")
            elif anchor and where.suffix == ".md" and anchor not in anchors(where):
                problems.append(f"{name}: {target}: no heading with that anchor")
    return problems


def long_readmes(root):
    problems = []
    for readme in root.rglob("README.md"):
        parts = set(readme.relative_to(root).parts[:-1])
        if parts & SKIPPED_FOLDERS or any(p.startswith("build") for p in parts):
            continue
        lines = len(readme.read_text(encoding="utf-8").splitlines())
        if lines > MAX_README_LINES:
            problems.append(
                f"{readme.relative_to(root)}: {lines} lines, more than {MAX_README_LINES}")
    return problems


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    files = sorted({f for pattern in CHECKED for f in root.glob(pattern)})
    if not files:
        print(f"docs_links: no Markdown files under {root}", file=sys.stderr)
        return 1
    problems = long_readmes(root)
    for markdown_file in files:
        problems += broken_links(root, markdown_file)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    print(f"docs_links: {len(files)} files, every relative link resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main())
