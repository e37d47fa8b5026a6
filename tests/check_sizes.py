#!/usr/bin/env python3
"""check_sizes.py: the size limits of docs/design.md ("Layout"). No source file (C, headers,
shell, Python, CMake, gnuplot) over 600 lines, solvers/dp.c excepted (its proof earns it);
no C function longer than 120 lines unless the comment just above it says why, in the words
"longer than 120 lines because ...". A function is counted from the line of its opening brace
(at the start of a line, as the house style puts it) to its closing brace. Prints one line per
file over a limit or function over it, then "N passed, M failed".
Usage: check_sizes.py SOURCE_DIR"""
import os
import re
import sys

MAX_FILE = 600
MAX_FUNCTION = 120
FILE_EXCEPTIONS = {os.path.join("solvers", "dp.c")}
SOURCE = (".c", ".h", ".sh", ".py", ".cmake", ".gp", ".in")
SKIP = {".git", "out"}
REASON = re.compile(r"longer than %d lines because \S" % MAX_FUNCTION)


def functions(lines):
    """(name, first line, opening brace line, closing brace line), 0-based, of every function
    definition: a '{' alone at the start of a line closes a signature; '}' at the start of a
    line ends the body."""
    i = 0
    while i < len(lines):
        if lines[i].rstrip() == "{" and i > 0 and lines[i - 1].rstrip().endswith(")"):
            # the signature: back to the line that starts it (at column 0, not a comment)
            s = i - 1
            while s > 0 and (lines[s][:1].isspace() or lines[s].startswith("(")):
                s -= 1
            m = re.search(r"(\w+)\s*\(", lines[s])
            name = m.group(1) if m else "?"
            e = i + 1
            while e < len(lines) and not lines[e].startswith("}"):
                e += 1
            yield name, s, i, e
            i = e
        i += 1


def comment_above(lines, s):
    """The block or line comments just above line s (blank lines not allowed between)."""
    text = []
    k = s - 1
    while k >= 0:
        t = lines[k].strip()
        if t.startswith(("/*", "*", "//")) or t.endswith("*/"):
            text.append(t)
            k -= 1
        else:
            break
    return " ".join(reversed(text))


def main():
    src = sys.argv[1]
    passed = failed = 0
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in SKIP and not d.startswith("build"))
        for name in sorted(files):
            if not (name.endswith(SOURCE) or name == "CMakeLists.txt"):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            try:
                with open(path, encoding="utf-8") as f:
                    lines = f.read().split("\n")
            except (UnicodeDecodeError, OSError):
                continue
            n = len(lines) - (lines[-1] == "")
            if n > MAX_FILE and rel not in FILE_EXCEPTIONS:
                print("FAIL - %s: %d lines (at most %d)" % (rel, n, MAX_FILE))
                failed += 1
            else:
                passed += 1
            if not name.endswith(".c") and not name.endswith(".h"):
                continue
            for fname, s, b, e in functions(lines):
                length = e - b + 1
                if length <= MAX_FUNCTION:
                    passed += 1
                elif REASON.search(comment_above(lines, s)):
                    print("ok - %s:%d: %s: %d lines, with its reason" % (rel, s + 1, fname,
                                                                        length))
                    passed += 1
                else:
                    print("FAIL - %s:%d: %s: %d lines (at most %d, or the comment above it "
                          "says \"longer than %d lines because ...\")"
                          % (rel, s + 1, fname, length, MAX_FUNCTION, MAX_FUNCTION))
                    failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
