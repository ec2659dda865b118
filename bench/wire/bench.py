"""Passive capture benchmark (see bench/wire.sh). Prints bench lines:
  bench wire/<case>: ours <v> <unit>; <peer> <v> <unit>; <ratio>x"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

CONNECTIONS = 150000  # about a million packets
FLOODS = (100000, 1000000)


def cpu_of(cmd):
    """Runs cmd with output discarded; returns (user+sys CPU seconds, max RSS KiB)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit('bench wire: %s failed' % cmd[0])
    return ru.ru_utime + ru.ru_stime, ru.ru_maxrss


def main():
    build = sys.argv[1]
    wbench = os.path.join(build, 'bench/wire/wire-bench')
    wread = os.path.join(build, 'exporters/blackbox/tests/wire/wire-read')
    for exe in (wbench, wread):
        if not os.access(exe, os.X_OK):
            sys.exit('bench wire: %s not built' % exe)
    if not os.environ.get('OMX_BENCH_CPU_SHOWN'):
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
        print('bench cpu: %s, %d CPUs' % (cpu, os.cpu_count()))
    tcpdump = shutil.which('tcpdump') or '/usr/bin/tcpdump'
    tmp = tempfile.mkdtemp(prefix='wire-bench-')
    try:
        cap = os.path.join(tmp, 'traffic.pcap')
        subprocess.run([wbench, 'gen', cap, str(CONNECTIONS)], check=True)
        out = subprocess.run([wbench, 'run', cap, '3'], check=True, capture_output=True,
                             text=True).stdout.split()
        pps = float(out[out.index('pps') + 1])
        n = sum(1 for _ in iter_records(cap))
        have_td = os.access(tcpdump, os.X_OK)
        if have_td:
            td_cpu, _ = cpu_of([tcpdump, '-nn', '-r', cap, '-w', '/dev/null'])
            td_pps = n / td_cpu if td_cpu > 0 else float('inf')
            print('bench wire/dissect: ours %.2f Mpackets/s; tcpdump-r-floor %.2f Mpackets/s; '
                  '%.2fx' % (pps / 1e6, td_pps / 1e6, pps / td_pps))
        else:
            print('bench wire/dissect: ours %.2f Mpackets/s; tcpdump not installed' % (pps / 1e6))
        rd_cpu, rd_rss = cpu_of([wread, cap])
        rd_pps = n / rd_cpu
        if have_td:
            print('bench wire/read-file: ours %.2f Mpackets/s; tcpdump-r-floor %.2f Mpackets/s; '
                  '%.2fx (%d packets, whole file read by libpcap and written out)'
                  % (rd_pps / 1e6, td_pps / 1e6, rd_pps / td_pps, n))
        rss = []
        for syns in FLOODS:
            fl = os.path.join(tmp, 'flood.pcap')
            subprocess.run([wbench, 'flood', fl, str(syns)], check=True)
            _, kib = cpu_of([wread, fl])
            rss.append(kib)
            os.unlink(fl)
        print('bench wire/syn-flood-rss: ours %.1f MB at %dk SYNs; ours %.1f MB at %dk SYNs; '
              '%.2fx (tables fixed: 32768 handshakes, 8192 DNS)'
              % (rss[0] / 1024, FLOODS[0] // 1000, rss[1] / 1024, FLOODS[1] // 1000,
                 rss[1] / rss[0]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def iter_records(path):
    with open(path, 'rb') as f:
        f.read(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            caplen = struct.unpack('<I', h[8:12])[0]
            f.seek(caplen, 1)
            yield caplen


main()
