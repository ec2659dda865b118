#!/usr/bin/python3
"""The docs agree with `omx-node --help`, so they cannot drift from the code.

- Collectors: the table of docs/node.md plus the "## <name>" sections of
  docs/node-collectors-hw.md name every collector --help lists, once, with its
  default (on/off; a hw section says "(off by default)" when off); docs/omx-node.1's
  "Enabled by default:" / "Disabled by default:" lists are exactly --help's; no
  collector appears in node.md's "Not implemented:" list.
- Flags: every --collector.NAME.* flag --help lists is named in node.md or the hw
  page (full, or as a shorthand beside a full one in the same table row or
  paragraph: `.info.flags-include`, `-exclude`, `device-exclude`,
  `.enable-{a,b}-metrics`); every full flag the docs name is accepted by omx-node
  (listed by --help, or a hidden deprecated spelling).
"""
import os
import re
import subprocess
import sys

SRC = os.environ.get("OMX_SRC", os.path.join(os.path.dirname(__file__), "../../.."))
BUILD = os.environ.get("OMX_BUILD", "build")
OMX = os.path.join(BUILD, "exporters/node/omx-node")
DOCS = os.path.join(SRC, "docs")
errors = []


def fail(msg):
    errors.append(msg)


def read(name):
    with open(os.path.join(DOCS, name), encoding="utf-8") as f:
        return f.read()


def help_flags():
    out = subprocess.run([OMX, "--help"], capture_output=True, text=True, check=True).stdout
    flags, collectors = {}, {}
    lines = out.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^  --(\[no-\])?([A-Za-z0-9_.-]+)", line)
        if not m:
            continue
        text = lines[i + 1] if i + 1 < len(lines) else ""
        d = re.search(r"\(default: (.*)\)$", text)
        flags[m.group(2)] = d.group(1) if d else ""
        c = re.match(r"^collector\.([a-z0-9_]+)$", m.group(2))
        if c and m.group(1) and f"Enable the {c.group(1)} collector" in text:
            collectors[c.group(1)] = flags[m.group(2)] == "true"
    return flags, collectors


def expand_braces(tok):
    m = re.search(r"\{([^{}]*)\}", tok)
    if not m:
        return [tok]
    out = []
    for alt in m.group(1).split(","):
        out += expand_braces(tok[:m.start()] + alt + tok[m.end():])
    return out


def doc_flags(text):
    """(full flags, shorthand expansions, those of table rows) named in text,
    unit by unit (table row or paragraph): a shorthand is relative to the last
    full flag before it. Bare words may be other things (metric names), so only
    table rows' ".x" and "-x" must be flags."""
    full, short, table_short = set(), set(), set()
    for unit in re.split(r"\n(?=\|)|\n\s*\n", text):
        last = None
        row = unit.lstrip().startswith("|")
        for raw in re.findall(r"`([^`]+)`", unit):
            for tok in expand_braces(raw.split("=")[0].strip()):
                if tok.startswith("--"):
                    name = tok[2:]
                    if name.startswith("no-"):
                        name = name[3:]
                    if re.fullmatch(r"[A-Za-z0-9_.-]+", name) and "." in name and \
                            not re.search(r"\.[A-Z]+(\.|$)", name):  # not --collector.NAME
                        full.add(name)
                        last = name
                elif last and last.startswith("collector.") and re.fullmatch(r"[.-]?[A-Za-z0-9_.-]+", tok):
                    parts = last.split(".")
                    prefix = ".".join(parts[:2])  # collector.NAME
                    if tok.startswith("."):
                        name = prefix + tok
                    elif tok.startswith("-"):
                        # --x.device-include / -exclude: swap the last -word
                        name = re.sub(r"-[A-Za-z0-9]+$", "", last) + tok
                    else:
                        name = prefix + "." + tok
                    short.add(name)
                    if row and tok[0] in ".-":
                        table_short.add(name)
    return full, short, table_short


def accepted(flag):
    """Whether omx-node parses --flag=true (a hidden flag is not in --help)."""
    r = subprocess.run([OMX, f"--{flag}=true", "--version"], capture_output=True, text=True)
    return r.returncode == 0


def main():
    if not os.access(OMX, os.X_OK):
        print(f"SKIP: {OMX} not built")
        return 77
    flags, collectors = help_flags()
    if len(collectors) < 40:
        fail(f"--help lists only {len(collectors)} collectors: parser out of date?")
    node_md, hw_md, man = read("node.md"), read("node-collectors-hw.md"), read("omx-node.1")

    # collectors in node.md's table(s): header "| collector | default | ..."
    seen = {}
    in_table = False
    for line in node_md.splitlines():
        if re.match(r"^\| collector \| default \|", line):
            in_table = True
            continue
        if not line.startswith("|"):
            in_table = False
            continue
        if not in_table or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        on = cells[1].split()[0] == "on"
        for name in re.split(r",\s*", cells[0]):
            seen.setdefault(name, []).append(("node.md", on))
    for m in re.finditer(r"^## ([a-z0-9_]+)( \(off by default\))?\s*$", hw_md, re.M):
        seen.setdefault(m.group(1), []).append(("node-collectors-hw.md", not m.group(2)))
    for name, on in sorted(collectors.items()):
        where = seen.get(name, [])
        if not where:
            fail(f"collector {name} is in --help but in no docs table")
        elif len(where) > 1:
            fail(f"collector {name} is documented {len(where)} times: {where}")
        elif where[0][1] != on:
            fail(f"collector {name}: {where[0][0]} says {'on' if where[0][1] else 'off'}, "
                 f"--help says {'on' if on else 'off'}")
    for name in sorted(set(seen) - set(collectors)):
        fail(f"collector {name} is documented ({seen[name][0][0]}) but not in --help")

    # the man page's two lists
    for label, want in (("Enabled", True), ("Disabled", False)):
        m = re.search(label + r" by default:(.*?)\.\n", man, re.S)
        if not m:
            fail(f"omx-node.1 has no '{label} by default:' list")
            continue
        names = {n.strip() for n in re.split(r",", re.sub(r"\([^)]*\)", "", m.group(1))) if n.strip()}
        have = {n for n, on in collectors.items() if on == want}
        for n in sorted(have - names):
            fail(f"omx-node.1: {n} missing from '{label} by default'")
        for n in sorted(names - have):
            fail(f"omx-node.1: '{label} by default' lists {n}, --help does not agree")

    # node.md's "Not implemented:" list
    m = re.search(r"Not implemented: the other off-by-default collectors of node_exporter \((.*?)\)",
                  node_md, re.S)
    if not m:
        fail("node.md has no 'Not implemented:' list")
    else:
        for n in re.split(r",\s*", m.group(1)):
            n = n.strip().rstrip("*")
            if n in collectors:
                fail(f"node.md lists {n} as not implemented, but --help has it")

    # flags
    full, short, table_short = set(), set(), set()
    for text in (node_md, hw_md):
        f, s, t = doc_flags(text)
        full |= f
        short |= s
        table_short |= t
    for flag in sorted(flags):
        if flag.startswith("collector.") and flag.count(".") >= 2 and \
                flag not in full and flag not in short:
            fail(f"flag --{flag} is in --help but not in docs/node.md or node-collectors-hw.md")
    for flag in sorted(full):
        if flag not in flags and not accepted(flag):
            fail(f"docs name --{flag}, which omx-node does not accept")
    for flag in sorted(table_short - full):
        if flag not in flags and not accepted(flag):
            fail(f"docs name {flag} (shorthand), which omx-node does not accept")

    for e in errors:
        print("FAIL:", e)
    if errors:
        return 1
    print(f"ok: {len(collectors)} collectors and {sum(1 for f in flags if f.startswith('collector.'))} "
          f"collector flags agree with the docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
