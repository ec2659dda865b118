"""A DNS server that misbehaves on purpose, for the dns prober's tests.

It listens on udp and tcp (plain, and TLS when given a certificate) on one
port of 127.0.0.1 or ::1. The first label of the query name picks what it
does; any other name gets a correct answer (A 192.0.2.53)."""
import os
import socket
import ssl
import struct
import threading
import time


def parse_query(q):
    """(id, flags, qname wire bytes, qname text, qtype, qclass) or None."""
    if len(q) < 12:
        return None
    qid, flags = struct.unpack(">HH", q[:4])
    off, labels = 12, []
    while off < len(q) and q[off] != 0:
        n = q[off]
        labels.append(q[off + 1 : off + 1 + n].decode("ascii", "replace").lower())
        off += 1 + n
    if off + 5 > len(q):
        return None
    qname = q[12 : off + 1]
    qtype, qclass = struct.unpack(">HH", q[off + 1 : off + 5])
    return qid, flags, qname, labels, qtype, qclass


def answer(qid, qname, qtype, qclass, flags=0x8180, rcode=0, an=True):
    hdr = struct.pack(">HHHHHH", qid, flags | rcode, 1, 1 if an else 0, 0, 0)
    body = qname + struct.pack(">HH", qtype, qclass)
    if an:
        body += b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 53])
    return hdr + body


def reply_for(q):
    """What to send for query q: a list of (delay seconds, bytes); None: nothing."""
    p = parse_query(q)
    if not p:
        return None
    qid, flags, qname, labels, qtype, qclass = p
    mode = labels[0] if labels else ""
    good = answer(qid, qname, qtype, qclass)
    if mode == "silent":
        return None
    if mode == "wrongid":
        return [(0, answer(qid ^ 0x5555, qname, qtype, qclass))]
    if mode == "spoofed":  # a stray reply first, then the real one
        return [(0, answer(qid ^ 0x5555, qname, qtype, qclass)), (0.1, good)]
    if mode == "otherq":
        other = b"\x05other" + qname
        return [(0, answer(qid, other, qtype, qclass))]
    if mode == "query":  # the query echoed back, QR clear
        return [(0, q)]
    if mode == "garbage":
        return [(0, struct.pack(">HH", qid, 0x8180) + os.urandom(200))]
    if mode == "short":  # header claims an answer that is not there
        return [(0, struct.pack(">HHHHHH", qid, 0x8180, 0, 1, 0, 0))]
    if mode == "cut":
        return [(0, good[:-3])]
    if mode == "tc":
        return [(0, answer(qid, qname, qtype, qclass, flags=0x8380, an=False))]
    if mode == "rd":  # REFUSED when recursion was asked for
        rd = flags & 0x0100
        return [(0, answer(qid, qname, qtype, qclass, rcode=5 if rd else 0, an=not rd))]
    if mode == "big":  # 40 answers: 700 bytes, more than a 512-byte datagram
        hdr = struct.pack(">HHHHHH", qid, 0x8180, 1, 40, 0, 0) + qname + struct.pack(">HH", qtype, qclass)
        rrs = b"".join(b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, i])
                       for i in range(40))
        return [(0, hdr + rrs)]
    if mode == "tiny":
        return [(0, b"\x00")]
    return [(0, good)]


class Server:
    def __init__(self, host, certfile=None, keyfile=None):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        for _ in range(50):  # a udp port whose tcp twin is free too
            self.udp = socket.socket(fam, socket.SOCK_DGRAM)
            self.udp.bind((host, 0))
            self.port = self.udp.getsockname()[1]
            self.tcp = socket.socket(fam, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                self.tcp.bind((host, self.port))
                break
            except OSError:
                self.udp.close()
                self.tcp.close()
        self.tcp.listen(64)
        self.tls = None
        if certfile:
            self.tls = socket.socket(fam, socket.SOCK_STREAM)
            self.tls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tls.bind((host, 0))
            self.tls.listen(64)
            self.tls_port = self.tls.getsockname()[1]
            self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.ctx.load_cert_chain(certfile, keyfile)
        self.stopping = False
        self.threads = [threading.Thread(target=self.serve_udp, daemon=True),
                        threading.Thread(target=self.serve_tcp, args=(self.tcp, False), daemon=True)]
        if self.tls:
            self.threads.append(
                threading.Thread(target=self.serve_tcp, args=(self.tls, True), daemon=True))
        for t in self.threads:
            t.start()

    def serve_udp(self):
        while not self.stopping:
            try:
                q, peer = self.udp.recvfrom(65535)
            except OSError:
                return
            steps = reply_for(q)
            if steps:
                threading.Thread(target=self.send_udp, args=(steps, peer), daemon=True).start()

    def send_udp(self, steps, peer):
        for delay, data in steps:
            time.sleep(delay)
            try:
                self.udp.sendto(data, peer)
            except OSError:
                return

    def serve_tcp(self, sock, tls):
        while not self.stopping:
            try:
                c, _ = sock.accept()
            except OSError:
                return
            threading.Thread(target=self.conn, args=(c, tls), daemon=True).start()

    def conn(self, c, tls):
        try:
            if tls:
                c.settimeout(10)
                c = self.ctx.wrap_socket(c, server_side=True)
            c.settimeout(30)
            hdr = recv_all(c, 2)
            q = recv_all(c, struct.unpack(">H", hdr)[0])
            p = parse_query(q)
            mode = p[3][0] if p and p[3] else ""
            if mode == "close":
                return
            if mode == "hugelen":  # claims 65535 bytes, sends 100, then waits
                c.sendall(b"\xff\xff" + b"\x00" * 100)
                time.sleep(20)
                return
            steps = reply_for(q)
            if not steps:
                time.sleep(20)
                return
            data = steps[-1][1]
            framed = struct.pack(">H", len(data)) + data
            if mode == "trickle":
                for b in framed:
                    c.sendall(bytes([b]))
                    time.sleep(0.3)
                return
            if mode == "garbage":
                framed = struct.pack(">HHH", 300, p[0], 0x8180) + os.urandom(296)
            c.sendall(framed)
            time.sleep(0.5)
        except (OSError, ssl.SSLError, struct.error):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass

    def stop(self):
        self.stopping = True
        for s in (self.udp, self.tcp, self.tls):
            if s:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def recv_all(c, n):
    out = b""
    while len(out) < n:
        b = c.recv(n - len(out))
        if not b:
            raise OSError("closed")
        out += b
    return out
