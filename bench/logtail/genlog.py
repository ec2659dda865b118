#!/usr/bin/python3
"""Writes a deterministic combined-format access log: genlog.py LINES OUT."""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(42)
methods = ["GET"] * 8 + ["POST", "PUT", "DELETE", "HEAD"]
statuses = ["200"] * 12 + ["201", "204", "301", "304", "400", "403", "404", "500", "502", "503"]
paths = ["/", "/index.html", "/api/v1/items", "/api/v1/users", "/static/app.js",
         "/static/style.css", "/login", "/logout", "/search", "/img/logo.png"]
with open(out, "w") as f:
    for i in range(n):
        s = i % 86400
        f.write('10.%d.%d.%d - - [03/Dec/2026:%02d:%02d:%02d +0000] "%s %s HTTP/1.1" %s %d %d.%03d\n' % (
            rnd.randrange(256), rnd.randrange(256), rnd.randrange(256),
            s // 3600, s // 60 % 60, s % 60,
            rnd.choice(methods), rnd.choice(paths), rnd.choice(statuses),
            rnd.randrange(100000), rnd.randrange(3), rnd.randrange(1000)))
