#!/usr/bin/env python3
"""check_citation.py: checks CITATION.cff against the Citation File Format 1.2.0 (the keys,
types and required fields of its schema that this file uses), that its version is the one in
CMakeLists.txt, and that LICENSE, NOTICE and README.md agree on the licence and the patent
notice. Usage: check_citation.py SOURCE_DIR. Prints "N passed, M failed"."""
import re
import sys

import yaml

src = sys.argv[1]
passed = failed = 0


def check(name, cond, why=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - " + name)
    else:
        failed += 1
        print("FAIL - %s (%s)" % (name, why))


# CFF 1.2.0: the top-level keys the schema allows, the required ones, and the reference types.
TOP_KEYS = {"abstract", "authors", "cff-version", "commit", "contact", "date-released", "doi",
            "identifiers", "keywords", "license", "license-url", "message", "preferred-citation",
            "references", "repository", "repository-artifact", "repository-code", "title", "type",
            "url", "version"}
REQUIRED = {"authors", "cff-version", "message", "title"}
REF_TYPES = {"art", "article", "audiovisual", "bill", "blog", "book", "catalogue",
             "conference", "conference-paper", "data", "database", "dictionary",
             "edited-work", "encyclopedia", "film-broadcast", "generic", "government-document",
             "grant", "hearing", "historical-work", "legal-case", "legal-rule", "magazine-article",
             "manual", "map", "multimedia", "music", "newspaper-article", "pamphlet", "patent",
             "personal-communication", "proceedings", "report", "serial", "slides", "software",
             "software-code", "software-container", "software-executable",
             "software-virtual-machine", "sound-recording", "standard", "statute", "thesis",
             "unpublished", "video", "website"}
PERSON_KEYS = {"family-names", "given-names", "name-particle", "name-suffix", "affiliation",
               "email", "orcid", "website", "alias", "address", "city", "country", "fax",
               "post-code", "region", "tel"}
ENTITY_KEYS = {"name", "address", "alias", "city", "country", "date-end", "date-start",
               "email", "fax", "location", "orcid", "post-code", "region", "tel", "website"}
ID_TYPES = {"doi", "url", "swh", "other"}


def check_authors(where, authors):
    check(where + ": authors is a non-empty list", isinstance(authors, list) and authors,
          repr(authors))
    for a in authors or []:
        keys = set(a)
        ok = (("name" in keys and keys <= ENTITY_KEYS) or
              (("family-names" in keys or "given-names" in keys) and keys <= PERSON_KEYS))
        check(where + ": author %r is a person or an entity" % a, ok, "keys %s" % sorted(keys))


with open(src + "/CITATION.cff", encoding="utf-8") as f:
    cff = yaml.safe_load(f)
check("CITATION.cff is a mapping", isinstance(cff, dict), type(cff).__name__)
check("only CFF 1.2.0 keys", set(cff) <= TOP_KEYS, sorted(set(cff) - TOP_KEYS))
check("required keys present", REQUIRED <= set(cff), sorted(REQUIRED - set(cff)))
check("cff-version is 1.2.0", cff.get("cff-version") == "1.2.0", cff.get("cff-version"))
check("type is software or dataset", cff.get("type", "software") in ("software", "dataset"),
      cff.get("type"))
check_authors("citation", cff.get("authors"))
for k in ("title", "message", "version", "license"):
    check(k + " is a string", isinstance(cff.get(k), str), repr(cff.get(k)))

cmake = open(src + "/CMakeLists.txt", encoding="utf-8").read()
m = re.search(r"project\(membptt VERSION ([0-9.]+)", cmake)
check("version equals CMakeLists.txt's", m and m.group(1) == cff.get("version"),
      "%s vs %s" % (m and m.group(1), cff.get("version")))

refs = cff.get("references") or []
gruslys = [r for r in refs if "Backpropagation Through Time" in str(r.get("title"))]
check("Gruslys et al. 2016 is a reference", len(gruslys) == 1, [r.get("title") for r in refs])
for r in refs:
    t = r.get("title")
    check("reference %r has a known type" % t, r.get("type") in REF_TYPES, r.get("type"))
    check_authors("reference %r" % t, r.get("authors"))
    for i in r.get("identifiers", []):
        check("reference %r identifier type" % t, i.get("type") in ID_TYPES and "value" in i,
              repr(i))
if gruslys:
    g = gruslys[0]
    names = [a.get("family-names") for a in g.get("authors", [])]
    check("Gruslys et al. authors in order",
          names == ["Gruslys", "Munos", "Danihelka", "Lanctot", "Graves"], names)
    check("Gruslys et al. year 2016", g.get("year") == 2016, g.get("year"))

lic = open(src + "/LICENSE", encoding="utf-8").read()
check("LICENSE is the Apache License 2.0",
      "Apache License" in lic and "Version 2.0, January 2004" in lic, lic[:80])
check("license key matches LICENSE", cff.get("license") == "Apache-2.0", cff.get("license"))
notice = open(src + "/NOTICE", encoding="utf-8").read()
readme = open(src + "/README.md", encoding="utf-8").read()
check("NOTICE states the patent", "US patent 11,256,990" in notice, notice[:80])
check("README states the patent", "11,256,990" in readme, "")
check("README names the licence", "Apache License" in readme and "NOTICE" in readme, "")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
