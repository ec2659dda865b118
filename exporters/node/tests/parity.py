#!/usr/bin/python3
"""Parity of omx-node with prometheus-node-exporter (node_exporter 1.5) on this host.

Both run side by side on 127.0.0.1 (free ports) with the same collectors (those
both have and enable by default) and the same filter flags, on the real /proc
and /sys. For every family node_exporter emits (go_*, promhttp_* aside) ours must
emit the same family with the same type, HELP and label names, the same label
sets, equal values for stable metrics, and counters between node_exporter's
scrapes before and after ours. Gaps must be listed, with a reason, in
parity-gaps.txt ("<kind>:<family or collector>  reason"). Prints the coverage.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../testkit/python"))
from omxtest import fetch, free_port, start, stop, wait_up  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families

SRC = os.environ.get("OMX_SRC", os.path.join(os.path.dirname(__file__), "../../.."))
BUILD = os.environ.get("OMX_BUILD", "build")
OMX = os.environ.get("OMX_NODE", os.path.join(BUILD, "exporters/node/omx-node"))
NE = shutil.which("prometheus-node-exporter")
GAPS = os.path.join(SRC, "exporters/node/tests/parity-gaps.txt")

# Both run with their own defaults: omx-node's are Debian 12's, as the
# installed node_exporter's (mount points, netdev devices, textfile directory).
FILTERS = []
NE_ONLY = []
STABLE = {
    "node_memory_MemTotal_bytes", "node_memory_SwapTotal_bytes", "node_filesystem_size_bytes",
    "node_filesystem_files", "node_filesystem_readonly", "node_boot_time_seconds",
    "node_uname_info", "node_os_info", "node_os_version", "node_entropy_pool_size_bits",
    "node_filefd_maximum", "node_nf_conntrack_entries_limit", "node_disk_info",
    "node_time_clocksource_available_info", "node_time_clocksource_current_info",
    "node_time_zone_offset_seconds", "node_network_mtu_bytes", "node_network_info",
    "node_cpu_info", "node_dmi_info", "node_selinux_enabled", "node_timex_tick_seconds",
    "node_timex_status", "node_timex_sync_status",
}
SKIP_PREFIX = ("go_", "promhttp_")


def collectors_of(binary):
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout + \
        subprocess.run([binary, "--help"], capture_output=True, text=True).stderr
    on = set()
    # "--[no-]collector.cpu  Enable the cpu collector. (default: true)" (omx-node) or
    # "... Enable the cpu collector (default: enabled)." (node_exporter)
    for m in re.finditer(r"--(?:\[no-\])?collector\.([a-z0-9_]+)\s+Enable the \1 collector[^\n]*\(default:\s+(?:enabled|true)\)", out):
        on.add(m.group(1))
    return on


def parse(text):
    fams = {}
    for f in text_string_to_metric_families(text):
        if f.name.startswith(SKIP_PREFIX):
            continue
        samples = {}
        for s in f.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
        fams[f.name] = (f.type, f.documentation, samples)
    return fams


def main():
    if not NE:
        print("SKIP: prometheus-node-exporter not installed")
        return 77
    if not os.access(OMX, os.X_OK):
        print(f"SKIP: {OMX} not built")
        return 77
    gaps = {}
    if os.path.exists(GAPS):
        for line in open(GAPS):
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, reason = line.partition(" ")
                gaps[key] = reason.strip()
    both = sorted(collectors_of(OMX) & collectors_of(NE))
    if len(both) < 10:
        print(f"FAIL: only {len(both)} common collectors found: {both}")
        return 1
    cargs = ["--collector.disable-defaults"] + [f"--collector.{c}" for c in both] + FILTERS
    p_ne, p_omx = free_port(), free_port()
    ne = start([NE, f"--web.listen-address=127.0.0.1:{p_ne}"] + cargs + NE_ONLY)
    omx = start([OMX, f"--web.listen-address=127.0.0.1:{p_omx}", "--log.level=warn"] + cargs)
    url_ne, url_omx = f"http://127.0.0.1:{p_ne}/metrics", f"http://127.0.0.1:{p_omx}/metrics"
    try:
        wait_up(url_ne, ne, "node_exporter")
        wait_up(url_omx, omx, "omx-node")
        before = parse(fetch(url_ne))
        ours = parse(fetch(url_omx))
        after = parse(fetch(url_ne))
    finally:
        for p in (ne, omx):
            p.terminate()
        for p in (ne, omx):
            stop(p)
    failures, gap_used = [], set()

    def problem(key, msg):
        if key in gaps:
            gap_used.add(key)
        else:
            failures.append(f"{key}: {msg}")

    total = matched = 0
    for name, (typ, helptext, samples) in sorted(before.items()):
        total += 1
        if name not in ours:
            problem(f"family:{name}", "missing in omx-node")
            continue
        otyp, ohelp, osamples = ours[name]
        ok = True
        if otyp != typ:
            problem(f"type:{name}", f"type {otyp} != {typ}"); ok = False
        if ohelp != helptext:
            problem(f"help:{name}", f"HELP {ohelp!r} != {helptext!r}"); ok = False
        lnames = {k for (_, ls) in samples for k, _ in ls}
        olnames = {k for (_, ls) in osamples for k, _ in ls}
        if lnames != olnames:
            problem(f"labels:{name}", f"label names {sorted(olnames)} != {sorted(lnames)}"); ok = False
        # values of another process, or of the scrape itself
        volatile = (name.startswith(("node_scrape_collector_duration", "process_"))
                    or name == "node_exporter_build_info")
        akeys = set(after.get(name, (0, 0, {}))[2])
        if not volatile and set(osamples) != set(samples) and set(osamples) != akeys:
            missing = sorted(set(samples) - set(osamples))[:3]
            extra = sorted(set(osamples) - set(samples))[:3]
            problem(f"series:{name}", f"label sets differ: missing {missing} extra {extra}"); ok = False
        if ok and not volatile:
            for key, v in samples.items():
                if key not in osamples:
                    continue
                ov, av = osamples[key], after[name][2].get(key, v)
                if name in STABLE or name == "node_scrape_collector_success":
                    if ov != v:
                        problem(f"value:{name}", f"{key}: {ov} != {v}"); ok = False
                        break
                elif typ == "counter":
                    lo, hi = min(v, av), max(v, av)
                    if not (lo - 1e-9 * abs(lo) <= ov <= hi + 1e-9 * abs(hi)):
                        problem(f"value:{name}", f"counter {key}: {ov} not within [{v}, {av}]"); ok = False
                        break
        matched += ok
    stale = sorted(set(gaps) - gap_used)
    print(f"collectors compared: {len(both)} ({' '.join(both)})")
    print(f"coverage: {matched}/{total} node_exporter families matched exactly "
          f"({100.0 * matched / max(total, 1):.1f}%), {len(gap_used)} explained gaps used")
    for k in sorted(gap_used):
        print(f"  gap {k}: {gaps[k]}")
    if stale:
        print(f"note: gaps listed but not seen: {' '.join(stale)}")
    if failures:
        print(f"FAIL: {len(failures)} unexplained differences:")
        for f in failures:
            print("  " + f)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
