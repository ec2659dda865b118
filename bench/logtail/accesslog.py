"""Writes a deterministic access log: accesslog.py PATH LINES.
Combined log format plus the request time in seconds, over 30 sections."""
import random
import sys

METHODS = ["GET"] * 7 + ["POST"] * 2 + ["PUT", "DELETE", "HEAD"]
STATUS = [200] * 80 + [301, 302, 304] * 3 + [400, 401, 403] + [404] * 5 + [500, 502, 503]
AGENTS = ['Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0',
          'curl/7.88.1', 'Prometheus/2.42.0', 'Go-http-client/1.1']


def main():
    path, n = sys.argv[1], int(sys.argv[2])
    r = random.Random(20261203)
    with open(path, "w") as f:
        buf = []
        for i in range(n):
            sec = i // 1000
            buf.append('192.0.2.%d - - [03/Dec/2026:%02d:%02d:%02d +0000] "%s /section%d/item%d HTTP/1.1" '
                       '%d %d "-" "%s" %.3f\n' % (
                           r.randrange(1, 255), 10 + sec // 3600 % 12, sec // 60 % 60, sec % 60,
                           r.choice(METHODS), r.randrange(30), r.randrange(10000),
                           r.choice(STATUS), r.randrange(100, 60000), r.choice(AGENTS),
                           r.expovariate(10)))
            if len(buf) == 10000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))


if __name__ == "__main__":
    main()
