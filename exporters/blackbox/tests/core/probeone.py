"""What the tests that run bb-probe-one case by case share: a tally of named
checks, and pinning "localhost" targets to IPv4."""
import sys

_checks = 0
_fails = []


def check(name, cond, detail=""):
    """Counts one check; a failed one is printed with detail and remembered."""
    global _checks
    _checks += 1
    if not cond:
        _fails.append(name)
        print("FAIL %s %s" % (name, detail))


def finish():
    """Prints the tally and exits: 1 when a check failed."""
    print("tests: %d checks, %d failed" % (_checks, len(_fails)))
    sys.exit(1 if _fails else 0)


# The test servers named "localhost" listen on 127.0.0.1 only, but Debian's
# /etc/hosts maps localhost to ::1 as well, and the prober prefers ip6 as
# upstream does: such targets get preferred_ip_protocol ip4 unless the case
# sets it, so the outcome does not depend on the machine's hosts file.
def pin_ip4(section, target):
    host = target.split("://", 1)[-1]
    if host.startswith("localhost:") and "preferred_ip_protocol" not in section:
        return "preferred_ip_protocol: ip4\n" + section
    return section
