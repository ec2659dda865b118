"""Every flag omx-logtail's --help lists is in docs/logtail.md and in the
man page docs/omx-logtail.1."""
import os
import re
import subprocess
import sys

src = os.environ.get("OMX_SRC", ".")
bin_ = sys.argv[1]
help_ = subprocess.run([bin_, "--help"], capture_output=True, text=True).stdout + \
    subprocess.run([bin_, "--help"], capture_output=True, text=True).stderr
flags = sorted(set(re.findall(r"^\s+--(?:\[no-\])?([a-z_.-]+)", help_, re.M)))
if len(flags) < 10:
    print("FAIL: too few flags in --help:", flags)
    sys.exit(1)
md = open(os.path.join(src, "docs/logtail.md")).read()
man = open(os.path.join(src, "docs/omx-logtail.1")).read().replace("\\-", "-")
shared = ("web.", "log.", "help", "version")
bad = 0
for f in flags:
    if f.startswith(shared):
        continue
    if "--" + f not in md and "`--no-" + f not in md:
        print("FAIL: --%s not in docs/logtail.md" % f)
        bad = 1
    if f not in man:
        print("FAIL: --%s not in docs/omx-logtail.1" % f)
        bad = 1
print("%d flags checked" % len(flags))
sys.exit(bad)
