#!/usr/bin/env python3
"""The docs cannot drift from the flags: every flag `omx-blackbox --help`
lists is named in docs/blackbox.md and in docs/omx-blackbox.1, and every
--flag those pages name is one --help lists.

usage: docs_flags.py OMX_BLACKBOX SRC_DIR"""
import re
import subprocess
import sys

binary, src = sys.argv[1], sys.argv[2]
out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
flags = set(re.findall(r"^\s+--(?:\[no-\])?([a-z][a-z0-9.-]*)", out, re.M))
errors = []
if len(flags) < 20:
    errors.append("--help lists only %d flags" % len(flags))
md = open(src + "/docs/blackbox.md").read()
man = open(src + "/docs/omx-blackbox.1").read().replace("\\-", "-")
for f in sorted(flags - {"help"}):
    if "--" + f not in md:
        errors.append("docs/blackbox.md does not name --" + f)
    if "--" + f not in man:
        errors.append("docs/omx-blackbox.1 does not name --" + f)
for name, text in (("docs/blackbox.md", md), ("docs/omx-blackbox.1", man)):
    for f in set(re.findall(r"--([a-z][a-z0-9.-]*[a-z0-9])", text)):
        if f not in flags and f not in ("help",):
            errors.append("%s names --%s, which --help does not list" % (name, f))
for e in errors:
    print("FAIL:", e)
print("%d flags checked" % len(flags))
sys.exit(1 if errors else 0)
