#!/usr/bin/python3
"""Tests of spec-tests/run itself: the per-process protocol and the batch mode
give the same verdicts, and a batch adapter that hangs or dies on one case
fails only that case (the runner restarts it for the next)."""
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
run = os.path.join(here, 'run')
py = os.environ.get('PYTHON', '/usr/bin/python3')

# A fake parser: accepts input starting with "ok", rejects the rest; input
# "hang" sleeps, "die" exits. BATCH=1 in its name's environment enables batch.
ADAPTER = r'''#!%s
import base64, json, os, sys, time
batch = os.environ.get('FAKE_BATCH') == '1'
def verdict(data):
    if data.startswith(b'hang'):
        time.sleep(30)
    if data.startswith(b'die'):
        os._exit(3)
    return data.startswith(b'ok')
if '--batch-probe' in sys.argv:
    if batch:
        print('omx-spec-batch 1')
    sys.exit(0 if batch else 2)
if '--batch' in sys.argv:
    for line in sys.stdin:
        req = json.loads(line)
        ok = verdict(base64.b64decode(req['input']))
        samples = [{"family": "a", "type": "unknown", "name": "a", "labels": {}, "value": 1,
                    "timestamp": None, "exemplar": None}] if ok and req['dump'] else []
        print(json.dumps({'accepted': ok, 'error': '' if ok else 'no', 'samples': samples}), flush=True)
    sys.exit(0)
ok = verdict(sys.stdin.buffer.read())
if ok and '--dump' in sys.argv:
    print('{"family": "a", "type": "unknown", "name": "a", "labels": {}, "value": 1, "timestamp": null, "exemplar": null}')
sys.exit(0 if ok else 1)
''' % py

CASES = {
    'good': (b'ok 1\n', True, True),
    'bad': (b'no\n', False, True),
    'hang': (b'hang\n', True, False),
    'die_0': (b'die\n', True, False),
    'after_die': (b'ok again\n', True, True),
    'wrong': (b'no\n', True, False),
}


def main():
    tmp = tempfile.mkdtemp(prefix='omx-spec-runner-')
    fails = 0
    try:
        adapter = os.path.join(tmp, 'fake-adapter')
        with open(adapter, 'w') as f:
            f.write(ADAPTER)
        os.chmod(adapter, 0o755)
        suite = os.path.join(tmp, 'suite')
        for name, (data, should, _) in CASES.items():
            d = os.path.join(suite, name)
            os.makedirs(d)
            with open(os.path.join(d, 'metrics'), 'wb') as f:
                f.write(data)
            spec = '{"type": "text", "file": "metrics", "shouldParse": %s%s}' % (
                'true' if should else 'false', ', "expected": "expected.jsonl"' if name == 'good' else '')
            with open(os.path.join(d, 'test.json'), 'w') as f:
                f.write(spec)
        with open(os.path.join(suite, 'good', 'expected.jsonl'), 'w') as f:
            f.write('{"family": "a", "type": "unknown", "name": "a", "labels": {}, "value": 1, "timestamp": null}\n')
        want_pass = sum(1 for _, _, p in CASES.values() if p)
        for batch in ('0', '1'):
            env = dict(os.environ, FAKE_BATCH=batch)
            p = subprocess.run([py, run, '--adapter', adapter, '--timeout', '2', suite], env=env,
                               stdout=subprocess.PIPE, universal_newlines=True, timeout=120)
            out = p.stdout
            score = [l for l in out.splitlines() if l.startswith('score ')]
            want = 'score fake-adapter: %d/%d passed' % (want_pass, len(CASES))
            if not score or not score[0].startswith(want):
                print('FAIL batch=%s: want "%s", got:\n%s' % (batch, want, out))
                fails += 1
            if (batch == '1') != score[0].endswith('batch mode') if score else True:
                print('FAIL batch=%s: batch mode marker wrong: %s' % (batch, score))
                fails += 1
            for name, why in (('hang', 'timeout'), ('die_0', 'rejected' if batch == '0' else 'adapter exited')):
                if '%s: %s' % (name, why) not in out:
                    print('FAIL batch=%s: %s not reported as %s:\n%s' % (batch, name, why, out))
                    fails += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if fails:
        return 1
    print('ok')
    return 0


if __name__ == '__main__':
    sys.exit(main())
