#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The licenses of what rustha ships, derived from `cargo metadata` (Cargo.lock).

  packaging/licenses.py copyright     the machine-readable debian/copyright: our sources, the
                                      vendored fence_na 1.1.6 test oracle, and one paragraph per
                                      crate in Cargo.lock (= vendor/ of the source tarball)
  packaging/licenses.py rpm-license   the SPDX expression for the RPM's License: tag: ours AND
                                      the licenses of the crates linked into the binaries
  packaging/licenses.py check         both committed files (packaging/debian/copyright, the
                                      License: line of packaging/rpm/rustha.spec) are what the
                                      two commands above print; on a dependency change, run
                                        packaging/licenses.py copyright > packaging/debian/copyright
                                      and update the spec's License: line
"""
import json
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OURS = "GPL-2.0-or-later"
# SPDX -> DEP-5 short names.
DEP5 = {"MIT": "Expat", "Apache-2.0": "Apache-2.0", "Unlicense": "Unlicense",
        "Unicode-3.0": "Unicode-3.0", "GPL-2.0-or-later": "GPL-2+", "GPL-2.0-only": "GPL-2"}


def metadata():
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked", "--offline",
         "--manifest-path", os.path.join(REPO, "Cargo.toml")],
        check=True, stdout=subprocess.PIPE).stdout
    return json.loads(out)


def third_party(meta):
    ws = set(meta["workspace_members"])
    return sorted((p for p in meta["packages"] if p["id"] not in ws),
                  key=lambda p: (p["name"], p["version"]))


def linked(meta):
    """Crates whose code ends up in a shipped binary: reachable from a registered package
    ([package.metadata.rustha]) through normal dependencies, proc-macros and build scripts
    excluded (they run at build time only)."""
    pkgs = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    roots = [p["id"] for p in meta["packages"]
             if p["id"] in meta["workspace_members"] and (p.get("metadata") or {}).get("rustha")]
    seen, todo = set(), list(roots)
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        for d in nodes[i]["deps"]:
            if not any(k["kind"] is None for k in d["dep_kinds"]):
                continue
            target_kinds = {k for t in pkgs[d["pkg"]]["targets"] for k in t["kind"]}
            if "proc-macro" in target_kinds:
                continue
            todo.append(d["pkg"])
    ws = set(meta["workspace_members"])
    return sorted((pkgs[i] for i in seen if i not in ws), key=lambda p: (p["name"], p["version"]))


def normalize(expr):
    """'Apache-2.0 OR MIT' and 'MIT OR Apache-2.0' are one license choice."""
    expr = expr.replace("/", " OR ")
    def sort_or(m):
        parts = sorted(x.strip() for x in m.group(0).split(" OR "))
        return " OR ".join(parts)
    return re.sub(r"[A-Za-z0-9.+-]+(?: OR [A-Za-z0-9.+-]+)+", sort_or, expr)


def dep5(expr):
    """An SPDX expression as DEP-5 writes it: lower-case and/or, a comma for the outer 'and'
    of '(A or B) and C'."""
    expr = normalize(expr)
    m = re.fullmatch(r"\((.*)\) AND (.*)", expr)
    if m:
        return f"{dep5(m.group(1))}, and {dep5(m.group(2))}"
    words = []
    for w in expr.split():
        words.append({"OR": "or", "AND": "and"}.get(w, DEP5.get(w, w)))
    return " ".join(words)


def ids(expr):
    return set(re.findall(r"[A-Za-z0-9.+-]+", expr)) - {"OR", "AND", "WITH"}


def rpm_license(meta):
    exprs = sorted({normalize(p["license"]) for p in linked(meta)})
    parts = [OURS] + [f"({e})" if " OR " in e and " AND " not in e else e for e in exprs]
    return " AND ".join(parts)


EXPAT = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE."""

UNLICENSE = """This is free and unencumbered software released into the public domain.

Anyone is free to copy, modify, publish, use, compile, sell, or
distribute this software, either in source code form or as a compiled
binary, for any purpose, commercial or non-commercial, and by any
means.

In jurisdictions that recognize copyright laws, the author or authors
of this software dedicate any and all copyright interest in the
software to the public domain. We make this dedication for the benefit
of the public at large and to the detriment of our heirs and
successors. We intend this dedication to be an overt act of
relinquishment in perpetuity of all present and future rights to this
software under copyright law.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR
OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,
ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR
OTHER DEALINGS IN THE SOFTWARE.

For more information, please refer to <http://unlicense.org/>"""

UNICODE = """UNICODE LICENSE V3

COPYRIGHT AND PERMISSION NOTICE

Copyright © 1991-2023 Unicode, Inc.

NOTICE TO USER: Carefully read the following legal agreement. BY
DOWNLOADING, INSTALLING, COPYING OR OTHERWISE USING DATA FILES, AND/OR
SOFTWARE, YOU UNEQUIVOCALLY ACCEPT, AND AGREE TO BE BOUND BY, ALL OF THE
TERMS AND CONDITIONS OF THIS AGREEMENT. IF YOU DO NOT AGREE, DO NOT
DOWNLOAD, INSTALL, COPY, DISTRIBUTE OR USE THE DATA FILES OR SOFTWARE.

Permission is hereby granted, free of charge, to any person obtaining a
copy of data files and any associated documentation (the "Data Files") or
software and any associated documentation (the "Software") to deal in the
Data Files or Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, and/or sell
copies of the Data Files or Software, and to permit persons to whom the
Data Files or Software are furnished to do so, provided that either (a)
this copyright and permission notice appear with all copies of the Data
Files or Software, or (b) this copyright and permission notice appear in
associated Documentation.

THE DATA FILES AND SOFTWARE ARE PROVIDED "AS IS", WITHOUT WARRANTY OF ANY
KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT OF
THIRD PARTY RIGHTS.

IN NO EVENT SHALL THE COPYRIGHT HOLDER OR HOLDERS INCLUDED IN THIS NOTICE
BE LIABLE FOR ANY CLAIM, OR ANY SPECIAL INDIRECT OR CONSEQUENTIAL DAMAGES,
OR ANY DAMAGES WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS,
WHETHER IN AN ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION,
ARISING OUT OF OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THE DATA
FILES OR SOFTWARE.

Except as contained in this notice, the name of a copyright holder shall
not be used in advertising or otherwise to promote the sale, use or other
dealings in these Data Files or Software without prior written
authorization of the copyright holder."""

TEXTS = {
    "GPL-2+": "This program is free software; you can redistribute it and/or modify it under\n"
              "the terms of the GNU General Public License as published by the Free Software\n"
              "Foundation; either version 2 of the License, or (at your option) any later\n"
              "version.\n\nOn Debian systems, the complete text of the GNU General Public License\n"
              "version 2 can be found in `/usr/share/common-licenses/GPL-2'.",
    "GPL-2": "This program is free software; you can redistribute it and/or modify it under\n"
             "the terms of the GNU General Public License version 2 as published by the Free\n"
             "Software Foundation.\n\nOn Debian systems, the complete text of the GNU General\n"
             "Public License version 2 can be found in `/usr/share/common-licenses/GPL-2'.",
    "Apache-2.0": "Licensed under the Apache License, Version 2.0.\n\nOn Debian systems, the "
                  "complete text of the Apache License, Version 2.0\ncan be found in "
                  "`/usr/share/common-licenses/Apache-2.0'.",
    "Expat": EXPAT,
    "Unlicense": UNLICENSE,
    "Unicode-3.0": UNICODE,
}


def field(text):
    """A multi-line DEP-5 field value: continuation lines start with a space, '.' for empty."""
    return "\n".join(" " + (l if l.strip() else ".") for l in text.split("\n"))


def copyright_text(meta):
    out = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        "Upstream-Name: rustha",
        "Upstream-Contact: rustha developers <maintainers@rustha.org>",
        "Comment: Generated by packaging/licenses.py copyright from Cargo.lock (cargo metadata);",
        " packaging/licenses.py check (make package-check) keeps it current. The resource",
        " agents are linked statically (glibc: see Built-Using); every crate below is vendored",
        " in the source tarball (vendor/) and those reachable from a shipped binary are linked",
        " into it.",
        "",
        "Files: *",
        "Copyright: 2026 rustha developers",
        "License: GPL-2+",
        "",
        "Files: tools/sim/na-sim/tests/fence_na-1.1.6/*",
        "Copyright: 2010 Digimer <digimer@alteeve.com>",
        "License: GPL-2",
        "Comment: The original Node Assassin fence agent 1.1.6 (Perl), unmodified, as fence-agents",
        " last shipped it; a test oracle run against na-sim by na-sim's tests, never built,",
        " installed or packaged.",
    ]
    used = {"GPL-2+", "GPL-2"}
    linked_ids = {p["id"] for p in linked(meta)}
    for p in third_party(meta):
        lic = dep5(p["license"] or "UNKNOWN")
        used |= ids(lic) - {"or", "and"}
        authors = [re.sub(r"\s+", " ", a) for a in p["authors"]] or [f"the {p['name']} authors"]
        out += ["", f"Files: vendor/{p['name']}-{p['version']}/*",
                "Copyright: " + "\n ".join(authors),
                f"License: {lic}"]
        if p["id"] in linked_ids:
            out.append("Comment: linked into the shipped binaries")
    for name in sorted(used):
        if name not in TEXTS:
            sys.exit(f"licenses.py: no license text for {name!r}: add it to TEXTS")
        out += ["", f"License: {name}", field(TEXTS[name])]
    return "\n".join(out) + "\n"


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd not in ("copyright", "rpm-license", "check"):
        sys.exit(__doc__)
    meta = metadata()
    if cmd == "copyright":
        sys.stdout.write(copyright_text(meta))
    elif cmd == "rpm-license":
        print(rpm_license(meta))
    else:
        bad = False
        path = os.path.join(REPO, "packaging/debian/copyright")
        if open(path, encoding="utf-8").read() != copyright_text(meta):
            print(f"licenses.py: {path} is not what Cargo.lock says: "
                  "packaging/licenses.py copyright > packaging/debian/copyright", file=sys.stderr)
            bad = True
        spec = os.path.join(REPO, "packaging/rpm/rustha.spec")
        want = rpm_license(meta)
        have = re.search(r"^License:\s*(.*)$", open(spec, encoding="utf-8").read(), re.M)
        if not have or have.group(1).strip() != want:
            print(f"licenses.py: {spec}: License: should be {want}", file=sys.stderr)
            bad = True
        if bad:
            sys.exit(1)
        print("licenses.py: debian/copyright and the RPM License: tag match Cargo.lock")


if __name__ == "__main__":
    main()
