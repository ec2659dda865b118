"""Live capture test:
python3 live.py WIRE_LIVE --connections N --queries Q [--tcpdump] [--volume]
                [--late-interface]

Runs itself again inside a new network namespace (unshare --net), brings lo
up, starts wire-live capturing lo, a TCP server on a service port, a DNS
responder on 127.0.0.1:53, then makes N TCP connections (and one to a closed
port) and Q DNS queries. The handshake and DNS counts must equal what the test
did, nothing unanswered, no kernel drops (--volume: with the volume metrics
on, which take every packet; --late-interface: a second interface missing at
start whose capture must open once it is created); with --tcpdump, tcpdump captures lo
at the same time and its counts of SYNs and DNS queries must agree too.
Resets must be at least the refused one (and tcpdump's count).
Exits 77 (skip) without root or namespaces."""
import argparse
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

PORT = 8080
CLOSED_PORT = 8081


def skip(why):
    print('skip: ' + why)
    sys.exit(77)


def fail(why):
    print('FAIL: ' + why)
    sys.exit(1)


def parse(text):
    """Sample lines of a 0.0.4 exposition into {name{labels}: value}."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith('#'):
            continue
        key, _, val = line.rpartition(' ')
        out[key] = float(val)
    return out


def value(m, key):
    return m.get(key, 0.0)


class Live:
    def __init__(self, binary, config):
        self.p = subprocess.Popen([binary, config], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def scrape(self):
        self.p.stdin.write('scrape\n')
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                fail('wire-live exited')
            if line == '# END\n':
                return parse(''.join(lines))
            lines.append(line)

    def stop(self):
        self.p.stdin.close()
        self.p.wait(timeout=10)


def dns_responder(sock, stop):
    while not stop.is_set():
        try:
            data, addr = sock.recvfrom(512)
        except socket.timeout:
            continue
        if len(data) < 12:
            continue
        flags = struct.unpack('!H', data[2:4])[0] | 0x8080
        sock.sendto(data[:2] + struct.pack('!H', flags) + data[4:], addr)


def tcp_server(sock, stop):
    while not stop.is_set():
        try:
            c, _ = sock.accept()
        except socket.timeout:
            continue
        c.close()


def query(sock, qid, name):
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    q += b'\0' + struct.pack('!HH', 1, 1)
    sock.sendto(q, ('127.0.0.1', 53))
    data, _ = sock.recvfrom(512)
    if struct.unpack('!H', data[:2])[0] != qid:
        fail('DNS responder answered the wrong id')


def inner(args):
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    tmp = tempfile.mkdtemp(prefix='wire-live-')
    config = os.path.join(tmp, 'bb.yml')
    with open(config, 'w') as f:
        f.write('passive:\n  interfaces: [lo%s]\n  service_ports: [%d]\n'
                '  resolvers: [127.0.0.1]\n'
                '  limits: {handshake_timeout: 2s, dns_timeout: 2s}\n'
                % (', wlate0' if args.late_interface else '', PORT))
        if args.volume:
            f.write('  volume: true\n  top_peers: 3\n  networks: {loopback: [127.0.0.0/8]}\n')
    stop = threading.Event()
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(('127.0.0.1', 53))
    dns.settimeout(0.2)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(('127.0.0.1', PORT))
    srv.listen(4096)
    srv.settimeout(0.2)
    threads = [threading.Thread(target=dns_responder, args=(dns, stop)),
               threading.Thread(target=tcp_server, args=(srv, stop))]
    for t in threads:
        t.start()
    live = Live(args.wire_live, config)
    tcpdump = None
    try:
        for _ in range(50):
            m = live.scrape()
            if value(m, 'wire_capture_up{interface="lo"}') == 1:
                break
            time.sleep(0.1)
        else:
            fail('capture on lo never came up (see wire-live stderr)')
        if args.late_interface and value(m, 'wire_capture_up{interface="wlate0"}') != 0:
            fail('a capture on a missing interface is up')
        if args.tcpdump:
            if not shutil.which('tcpdump'):
                skip('tcpdump not installed')
            pcap = os.path.join(tmp, 'lo.pcap')
            tcpdump = subprocess.Popen(
                ['tcpdump', '-i', 'lo', '-nn', '-U', '--immediate-mode', '-B', '16384', '-s', '128', '-w', pcap,
                 'tcp[13] & 6 != 0 or udp port 53'],
                stderr=subprocess.PIPE, text=True)
            line = tcpdump.stderr.readline()
            if 'listening' not in line:
                fail('tcpdump did not start: ' + line)
        n, q = args.connections, args.queries
        for i in range(n):
            c = socket.create_connection(('127.0.0.1', PORT))
            c.close()
            if i % 50 == 0:
                live.scrape()  # scrapes while the capture thread updates
        try:
            socket.create_connection(('127.0.0.1', CLOSED_PORT)).close()
            fail('a closed port accepted')
        except ConnectionRefusedError:
            pass
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.settimeout(2)
        for i in range(q):
            query(sock, i + 1, 'host%d.example' % i)
        time.sleep(1)  # the capture thread polls every 100 ms; tcpdump writes as it goes
        m = live.scrape()
        if tcpdump:
            tcpdump.send_signal(signal.SIGINT)
            err = tcpdump.communicate(timeout=20)[1]
            dropped = re.search(r'(\d+) packets? dropped by kernel', err)
            if not dropped or int(dropped.group(1)) != 0:
                fail('tcpdump dropped packets: ' + err)

            def count(flt):
                out = subprocess.run(['tcpdump', '-nn', '-r', pcap, flt], check=True,
                                     capture_output=True, text=True).stdout
                return len(out.splitlines())
            td_syn = count('tcp[13] & 0x12 = 2 and tcp dst port %d' % PORT)
            td_synack = count('tcp[13] & 0x12 = 0x12 and tcp src port %d' % PORT)
            td_q = count('udp dst port 53')
            td_r = count('udp src port 53')
            td_rst = count('tcp[13] & 4 != 0')
            print('tcpdump: %d SYN, %d SYN/ACK to/from %d, %d queries, %d responses'
                  % (td_syn, td_synack, PORT, td_q, td_r))
            # a loaded host may drop a SYN and see it sent again: tcpdump and
            # the capture must then both have it
            retx = value(m, 'wire_tcp_syn_retransmits_total{port="%d"}' % PORT)
            if (td_syn, td_q, td_r) != (n + retx, q, q) or td_synack < n:
                fail('tcpdump counted other figures than the test made (and wire %d '
                     'retransmits)' % retx)
            if value(m, 'wire_tcp_resets_total{direction="local"}') != td_rst:
                fail('resets: tcpdump saw %d, wire %d'
                     % (td_rst, value(m, 'wire_tcp_resets_total{direction="local"}')))
    finally:
        stop.set()
        for t in threads:
            t.join()
    if args.late_interface:
        # the interface appears after the start: its capture opens on a retry
        subprocess.run(['ip', 'link', 'add', 'wlate0', 'type', 'veth', 'peer', 'name', 'wlate1'],
                       check=True)
        subprocess.run(['ip', 'link', 'set', 'wlate0', 'up'], check=True)
        subprocess.run(['ip', 'link', 'set', 'wlate1', 'up'], check=True)
        for _ in range(80):
            if value(live.scrape(), 'wire_capture_up{interface="wlate0"}') == 1:
                break
            time.sleep(0.1)
        else:
            fail('the capture on wlate0 did not open after the interface appeared')
    hs = 'wire_tcp_handshake_duration_seconds_count{port="%d",role="%s"}'
    checks = {
        hs % (PORT, 'client'): n,
        hs % (PORT, 'server'): n,
        'wire_tcp_syn_unanswered_total{port="other"}': 0,
        'wire_dns_response_duration_seconds_count{server="127.0.0.1",rcode="NOERROR"}': q,
        'wire_dns_queries_total{type="A"}': q,
        'wire_dns_queries_unanswered_total{server="127.0.0.1"}': 0,
        'wire_dns_responses_unmatched_total': 0,
        'wire_capture_packets_dropped_total{interface="lo"}': 0,
        'wire_table_evictions_total{table="handshake"}': 0,
    }
    bad = ['%s = %s, want %s' % (k, value(m, k), v) for k, v in checks.items()
           if value(m, k) != v]
    live.stop()
    shutil.rmtree(tmp, ignore_errors=True)
    print('wire: %d handshakes (client and server side), %d DNS responses, received %d, '
          'dropped %d' % (value(m, hs % (PORT, 'client')),
                          value(m, 'wire_dns_response_duration_seconds_count{server="127.0.0.1",'
                                   'rcode="NOERROR"}'),
                          value(m, 'wire_capture_packets_received_total{interface="lo"}'),
                          value(m, 'wire_capture_packets_dropped_total{interface="lo"}')))
    if args.volume and value(m, 'wire_network_packets_total{network="loopback",'
                             'direction="local"}') < 3 * n:
        bad.append('volume: too few packets counted for network loopback')
    # the refused connection resets; a loaded host may add resets of its own
    if value(m, 'wire_tcp_resets_total{direction="local"}') < 1:
        bad.append('no reset counted for the refused connection')
    if bad:
        fail('; '.join(bad))
    print('ok')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('wire_live')
    ap.add_argument('--connections', type=int, default=200)
    ap.add_argument('--queries', type=int, default=100)
    ap.add_argument('--tcpdump', action='store_true')
    ap.add_argument('--volume', action='store_true')
    ap.add_argument('--late-interface', action='store_true')
    ap.add_argument('--inner', action='store_true')
    args = ap.parse_args()
    if args.inner:
        inner(args)
        return
    if os.geteuid() != 0:
        skip('needs root for a network namespace and a capture')
    if not shutil.which('unshare') or not shutil.which('ip'):
        skip('unshare or ip missing')
    probe = subprocess.run(['unshare', '--net', 'true'], capture_output=True)
    if probe.returncode != 0:
        skip('cannot create a network namespace: ' + probe.stderr.decode().strip())
    cmd = ['unshare', '--net', sys.executable, os.path.abspath(__file__), '--inner'] + sys.argv[1:]
    sys.exit(subprocess.run(cmd).returncode)


main()
