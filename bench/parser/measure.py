#!/usr/bin/python3
"""Parser benchmark driver (called by bench/parser.sh BUILD_DIR).
All three parsers are timed on the same bytes already in memory, by process
CPU time (the machines are shared, wall time would measure the neighbours).
Prints one line per case: bench parser/<case>: ours V U; <peer> V U; Rx"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
build = os.path.abspath(sys.argv[1])
check = os.path.join(build, 'parser', 'tools', 'omx-check')
tmp = tempfile.mkdtemp(prefix='omx-bench-parser-')


def gen(fmt, scale, path):
    with open(path, 'w') as f:
        subprocess.run(['/usr/bin/python3', os.path.join(here, 'gen.py'), fmt, str(scale)], stdout=f, check=True)
    return os.path.getsize(path)


def count_samples(path):
    n = 0
    with open(path, 'rb') as f:
        for line in f:
            if line and not line.startswith(b'#') and line.strip():
                n += 1
    return n


def ours(fmt, path, runs=30):
    # Parse from memory N times, best CPU time (see omx-check --repeat).
    p = subprocess.run([check, '--format=' + fmt, '--repeat=%d' % runs, path], stdout=subprocess.PIPE, check=True)
    return float(p.stdout.split()[0])


def python_peer(fmt, path):
    code = r'''
import sys, time
fmt, path = sys.argv[1], sys.argv[2]
if fmt == "openmetrics":
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
text = open(path).read()
t = time.process_time()
n = sum(len(f.samples) for f in text_string_to_metric_families(text))
print(time.process_time() - t, n)
'''
    p = subprocess.run(['/usr/bin/python3', '-c', code, fmt, path], stdout=subprocess.PIPE, check=True)
    return float(p.stdout.split()[0])


def go_peer(path):
    if not shutil.which('go') or not os.path.isdir('/usr/share/gocode/src/github.com/prometheus/common/expfmt'):
        return None
    src = os.path.join(tmp, 'gopath', 'src', 'omxbench')
    os.makedirs(src)
    shutil.copy(os.path.join(here, 'expfmt-bench.go'), os.path.join(src, 'main.go'))
    env = dict(os.environ, GO111MODULE='off', GOPATH='/usr/share/gocode', GOCACHE=os.path.join(tmp, 'gocache'), GOFLAGS='')
    binp = os.path.join(tmp, 'expfmt-bench')
    subprocess.run(['go', 'build', '-o', binp, '.'], cwd=src, env=env, check=True)
    p = subprocess.run([binp, path], stdout=subprocess.PIPE, check=True)
    return float(p.stdout.split()[0])


def whole_process(fmt, path, pipe=False, runs=10):
    # `omx-check --format=FMT FILE` (or `cat FILE | omx-check -`) as a user
    # runs it: process start, reading or mapping the file, parsing and exit.
    # Best CPU time (user + system) of omx-check alone, from wait4().
    best = None
    for _ in range(runs):
        with open(os.devnull, 'wb') as null:
            if pipe:
                g = subprocess.Popen(['cat', path], stdout=subprocess.PIPE)
                c = subprocess.Popen([check, '--format=' + fmt, '-'], stdin=g.stdout, stdout=null)
                g.stdout.close()
            else:
                c = subprocess.Popen([check, '--format=' + fmt, path], stdout=null)
            _, status, ru = os.wait4(c.pid, 0)
            if pipe:
                g.wait()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit('omx-check failed on ' + path)
        t = ru.ru_utime + ru.ru_stime
        best = t if best is None else min(best, t)
    return best


def max_rss_kb(cmd_in, fmt):
    # gen | omx-check -: the parser streams the pipe; omx-check's own max RSS
    # comes from wait4() on it (not the generator's).
    g = subprocess.Popen(cmd_in, stdout=subprocess.PIPE)
    c = subprocess.Popen([check, '--format=' + fmt, '-'], stdin=g.stdout)
    g.stdout.close()
    _, status, ru = os.wait4(c.pid, 0)
    c.returncode = os.waitstatus_to_exitcode(status)
    g.wait()
    if c.returncode != 0:
        raise SystemExit('omx-check failed on the generated input')
    return ru.ru_maxrss


def line(case, ov, unit, peer, pv, ratio):
    print('bench parser/%s: ours %s %s; %s %s %s; %.1fx' % (case, ov, unit, peer, pv, unit, ratio), flush=True)


def main():
    if not os.access(check, os.X_OK):
        print('bench parser: %s not built' % check, file=sys.stderr)
        return 1
    om = os.path.join(tmp, 'om.txt')
    prom = os.path.join(tmp, 'prom.txt')
    om_size = gen('openmetrics', 1, om)
    prom_size = gen('prometheus', 1, prom)
    n = count_samples(om)
    mb = lambda size, t: size / t / 1e6

    t_om = ours('openmetrics', om)
    t_py_om = python_peer('openmetrics', om)
    line('openmetrics-MBps', '%.0f' % mb(om_size, t_om), 'MB/s', 'python-prometheus-client',
         '%.1f' % mb(om_size, t_py_om), t_py_om / t_om)
    t_prom = ours('prometheus', prom)
    t_go = go_peer(prom)
    if t_go is not None:
        line('prometheus-MBps', '%.0f' % mb(prom_size, t_prom), 'MB/s', 'go-expfmt',
             '%.1f' % mb(prom_size, t_go), t_go / t_prom)
        line('prometheus-ns-per-sample', '%.1f' % (t_prom / n * 1e9), 'ns/sample', 'go-expfmt',
             '%.1f' % (t_go / n * 1e9), t_go / t_prom)
    t_py = python_peer('prometheus', prom)
    line('prometheus-vs-python-MBps', '%.0f' % mb(prom_size, t_prom), 'MB/s', 'python-prometheus-client',
         '%.1f' % mb(prom_size, t_py), t_py / t_prom)
    line('openmetrics-ns-per-sample', '%.1f' % (t_om / n * 1e9), 'ns/sample', 'python-prometheus-client',
         '%.1f' % (t_py_om / n * 1e9), t_py_om / t_om)
    # Whole process against the peers' parse from memory (their start-up and
    # file reading not counted: the comparison is at our expense).
    w_om = whole_process('openmetrics', om)
    line('whole-process-openmetrics-MBps', '%.0f' % mb(om_size, w_om), 'MB/s', 'python-prometheus-client',
         '%.1f' % mb(om_size, t_py_om), t_py_om / w_om)
    w_pipe = whole_process('openmetrics', om, pipe=True)
    line('whole-process-openmetrics-pipe-MBps', '%.0f' % mb(om_size, w_pipe), 'MB/s', 'python-prometheus-client',
         '%.1f' % mb(om_size, t_py_om), t_py_om / w_pipe)
    line('whole-process-vs-in-memory-MBps', '%.0f' % mb(om_size, w_om), 'MB/s', 'in-memory',
         '%.0f' % mb(om_size, t_om), t_om / w_om)
    if t_go is not None:
        w_prom = whole_process('prometheus', prom)
        line('whole-process-prometheus-MBps', '%.0f' % mb(prom_size, w_prom), 'MB/s', 'go-expfmt',
             '%.1f' % mb(prom_size, t_go), t_go / w_prom)
    genc = ['/usr/bin/python3', os.path.join(here, 'gen.py'), 'openmetrics']
    r1 = max_rss_kb(genc + ['1'], 'openmetrics')
    r10 = max_rss_kb(genc + ['10'], 'openmetrics')
    line('stream-max-rss-10x-input', '%d' % r10, 'KB', '1x-input', '%d' % r1, r1 / r10)
    print('bench parser: input %d bytes OM / %d bytes 0.0.4, %d samples, %d series' % (om_size, prom_size, n, 100000))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
