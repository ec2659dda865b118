#!/usr/bin/python3
"""UDP peers for the udp prober's tests: responder.py MODE ADDR [FILE].

Binds ADDR on a free port, prints the port, then serves until killed:
  ntp      answers a 48-byte client request (mode 3) as an NTP server (mode 4)
  sink     answers nothing and appends every datagram to FILE (a syslog receiver)
  garbage  answers any datagram with bytes that are not NTP
  big      answers any datagram with 60000 bytes
"""
import socket
import struct
import sys
import time

NTP_EPOCH = 2208988800


def ntp_reply(req):
    if len(req) < 48 or req[0] & 7 != 3:
        return None
    now = time.time() + NTP_EPOCH
    secs, frac = int(now), int((now % 1) * 2**32)
    # LI 0, VN 4, mode 4; stratum 2; poll 6; precision -20; root delay and
    # dispersion; reference id; reference, origin (the client's transmit),
    # receive and transmit timestamps.
    return struct.pack("!BBbb II 4s II 8s II II", 0x24, 2, 6, -20, 0, 0, b"LOCL",
                       secs, frac, req[40:48], secs, frac, secs, frac)


def main():
    mode, addr = sys.argv[1], sys.argv[2]
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    print(s.getsockname()[1], flush=True)
    while True:
        data, peer = s.recvfrom(65535)
        if mode == "ntp":
            reply = ntp_reply(data)
        elif mode == "sink":
            with open(sys.argv[3], "ab") as f:
                f.write(data + b"\n")
            reply = None
        elif mode == "garbage":
            reply = b"\x00garbage, not ntp\xff"
        else:
            reply = b"x" * 60000
        if reply is not None:
            s.sendto(reply, peer)


if __name__ == "__main__":
    main()
