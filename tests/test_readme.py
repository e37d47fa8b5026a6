#!/usr/bin/env python3
"""test_readme.py: the README's examples stay true. Every fenced block of README.md whose first
line starts with "$ " is run (its commands in order, in one scratch folder, `membptt` being the
build's) and the output the README shows is compared with what the commands print:

- "key value" lines: the same value, except for what is measured (keys ending in _s or
  holding "seconds", "ratio", "cpu", "wall" or "contended"), which varies run to run;
- JSON objects: every key the README shows, times excepted, with the same value;
- `membptt compare`'s table: every column but the last (solve_s);
- other lines (messages, errors): the same text, on standard output or standard error;
- "..." stands for lines the README leaves out; the lines shown must appear in that order.

The ```ini block of the README is saved as mine.ini first (the sweep example uses it), and the
exit status must be the one the README's text around the block gives (3, 4) or else 0. The
reproduce summary is checked the same way against `membptt reproduce`'s output (its rows that
are not times), and every CSV it writes must have the JSON sidecar the README promises. Usage:
test_readme.py PATH/TO/membptt SOURCE_DIR. Prints one line per block, then "N passed, M failed".
"""
import json
import os
import re
import subprocess
import sys
import tempfile

BIN, SRC = os.path.abspath(sys.argv[1]), sys.argv[2]
passed = failed = 0


def result(name, problems):
    global passed, failed
    if problems:
        failed += 1
        print("FAIL - %s (%s)" % (name, "; ".join(problems[:4])))
    else:
        passed += 1
        print("ok - " + name)


def volatile(key):
    return key.endswith("_s") or any(w in key for w in ("seconds", "contended", "ratio",
                                                          "cpu", "wall"))


def blocks(text):
    """(fence info, lines, text before the block) for every fenced block."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and lines[j] != "```":
            j += 1
        before = "\n".join(lines[max(0, i - 4):i])
        out.append((m.group(1), lines[i + 1:j], before))
        i = j + 1
    return out


def match_lines(expected, actual, is_compare):
    """Checks that the expected lines appear in `actual` in order, as the docstring says."""
    problems, pos = [], 0
    for e in expected:
        if e.strip() in ("...", ""):
            continue
        if e.lstrip().startswith("{"):
            want = json.loads(e)
            got = None
            for k in range(pos, len(actual)):
                if actual[k].lstrip().startswith("{"):
                    got, pos = json.loads(actual[k]), k + 1
                    break
            if got is None:
                problems.append("no JSON object printed")
                continue
            for key, v in want.items():
                if volatile(key):
                    continue
                if key not in got or got[key] != v:
                    problems.append("%s: README %r, printed %r" % (key, v, got.get(key)))
            continue
        tokens = e.split()
        found = None
        for k in range(pos, len(actual)):
            a = actual[k].split()
            if is_compare and len(tokens) == 6 and tokens[0] == (a[0] if a else None):
                if a[:5] == tokens[:5]:
                    found = k
                else:
                    problems.append("%s: README %s, printed %s" % (tokens[0], tokens[:5], a[:5]))
                    found = k
                break
            if len(tokens) == 2 and re.match(r"^[a-z_.:A-Z-]+$", tokens[0]) and a[:1] == tokens[:1]:
                if volatile(tokens[0]) or a[1:] == tokens[1:]:
                    found = k
                else:
                    problems.append("%s: README %s, printed %s" % (tokens[0], tokens[1], " ".join(a[1:])))
                    found = k
                break
            if a == tokens:
                found = k
                break
        if found is None:
            problems.append("not printed: %r" % e.strip()[:100])
        else:
            pos = found + 1
    return problems


def expected_status(before):
    m = re.search(r"status (\d)", before)
    return int(m.group(1)) if m else 0


readme = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
work = tempfile.mkdtemp(prefix="membptt-readme.")
bindir = os.path.join(work, "bin")
os.mkdir(bindir)
os.symlink(BIN, os.path.join(bindir, "membptt"))
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
all_blocks = blocks(readme)
for info, lines, _ in all_blocks:
    if info == "ini":
        with open(os.path.join(work, "mine.ini"), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

for info, lines, before in all_blocks:
    if info not in ("", "sh") or not lines or not lines[0].startswith("$ "):
        continue
    cmds = [l[2:] for l in lines if l.startswith("$ ")]
    expected = [l for l in lines if not l.startswith("$ ")]
    name = cmds[-1].split("#")[0].strip()
    # The measured run is repeated once, not N times: only its deterministic numbers are compared.
    cmds = [re.sub(r"--repeat \d+", "--repeat 1", c) for c in cmds]
    out = err = ""
    status = 0
    problems = []
    for c in cmds:
        p = subprocess.run(["bash", "-c", c], cwd=work, env=env, capture_output=True, text=True,
                           timeout=600)
        out, err, status = p.stdout, p.stderr, p.returncode
        if c is not cmds[-1] and status != 0:
            problems.append("%r: exit %d: %s" % (c, status, err.strip()[-200:]))
    want = expected_status(before)  # the last command's; the others must succeed
    if status != want:
        problems.append("exit %d, README says %d: %s" % (status, want, err.strip()[-200:]))
    actual = out.split("\n") + err.split("\n")
    problems += match_lines(expected, actual, name.startswith("membptt compare"))
    result(name, problems)

# The reproduce summary (what `make run` prints): its deterministic rows.
summary = None
for info, lines, _ in all_blocks:
    if info == "" and lines and lines[0].startswith("==== membptt reproduce"):
        summary = lines
if summary is None:
    result("README shows the reproduce summary", ["no block starting with '==== membptt reproduce'"])
else:
    p = subprocess.run([BIN, "reproduce", "--out", os.path.join(work, "repro"), "--quiet"],
                       cwd=work, env=env, capture_output=True, text=True, timeout=1200)
    problems = [] if p.returncode == 0 else ["reproduce exit %d: %s" % (p.returncode, p.stderr[-200:])]
    got = {}
    for l in p.stdout.split("\n"):
        m = re.match(r"^(\S.*?\S)\s{2,}(\S+)\s+(\S+)$", l)
        if m:
            got[m.group(1)] = m.group(2)
    for l in summary[1:]:
        m = re.match(r"^(\S.*?\S)\s{2,}(\S+)\s+(\S+)$", l)
        if not m or m.group(1) == "":
            continue
        label, value = m.group(1), m.group(2)
        if label == "" or value == "membptt" or "median" in label or "measured op costs" in label:
            continue  # the header, and the rows that are times
        if got.get(label) != value:
            problems.append("%s: README %s, printed %s" % (label, value, got.get(label)))
    result("membptt reproduce summary (deterministic rows)", problems)
    # "It writes results/*.csv (each with a .json metadata sidecar)": each CSV has its sidecar.
    rdir = os.path.join(work, "repro", "results")
    csvs = [f for f in os.listdir(rdir) if f.endswith(".csv") and not f.endswith(".timing.csv")] \
        if os.path.isdir(rdir) else []
    lonely = [f for f in csvs if not os.path.exists(os.path.join(rdir, f[:-4] + ".json"))]
    result("reproduce: every results CSV has its JSON sidecar (%d CSVs)" % len(csvs),
           ([] if csvs else ["no CSV written"]) + ["%s has no sidecar" % f for f in lonely])

subprocess.run(["rm", "-rf", work])
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
