#!/usr/bin/env python3
"""check_design_citations.py: every citation of docs/design.md in the sources (code comments,
scripts, CMake files, README.md) names a heading that exists in docs/design.md. A citation is
`design.md` followed by a quoted section name, as in `docs/design.md, "The plan IR"`, possibly
wrapped over comment lines. Usage: check_design_citations.py SOURCE_DIR. Prints one line per
citation checked, then "N passed, M failed"."""
import os
import re
import sys

src = sys.argv[1]
headings = set()
with open(os.path.join(src, "docs", "design.md"), encoding="utf-8") as f:
    in_code = False
    for line in f:
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            headings.add(line.lstrip("#").strip())

EXT = (".c", ".h", ".sh", ".py", ".gp", ".txt", ".cmake", ".in", ".ini", ".md")
SKIP = {".git", "build", "out"}
# a citation: design.md, then at most a comma, colon or parenthesis, then "Section"
CITE = re.compile(r'design\.md[,:;]?\s*\(?\s*(?:section\s+)?"([^"]+)"')
# comment leaders and line breaks between the parts of a wrapped citation
JOIN = re.compile(r'\s*\n\s*(?:\*|//|#)?\s*')
passed = failed = 0
for root, dirs, files in os.walk(src):
    dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("build"))
    for name in sorted(files):
        path = os.path.join(root, name)
        rel = os.path.relpath(path, src)
        if not name.endswith(EXT) or rel in (os.path.join("docs", "design.md"),
                                             os.path.join("tests", "check_design_citations.py")):
            continue
        try:
            text = open(path, encoding="utf-8").read()
        except (UnicodeDecodeError, OSError):
            continue
        if "design.md" not in text:
            continue
        joined = JOIN.sub(" ", text)
        for m in CITE.finditer(joined):
            section = m.group(1)
            if section in headings:
                passed += 1
                print('ok - %s cites "%s"' % (rel, section))
            else:
                failed += 1
                print('FAIL - %s cites "%s", which is no heading of docs/design.md' % (rel, section))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed or passed == 0 else 0)
