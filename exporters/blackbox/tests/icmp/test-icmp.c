/* The icmp prober in a network namespace of its own (unshare): 127.0.0.1 and
 * ::1 through ping sockets and raw sockets (ping_group_range toggled), as an
 * unprivileged user, several echoes with a responder that drops and delays
 * some, floods of foreign replies, dont_fragment against a small MTU, and a
 * routed path through veth pairs and namespaces for TTL and hop limits (and
 * netem loss where the kernel has sch_netem). */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe-harness.h"
#include "icmp.h"
#include "omx-test.h"

static void write_sysctl(const char *path, const char *v) {
    FILE *f = fopen(path, "w");
    ASSERT_MSG(f, "cannot open %s", path);
    ASSERT(fputs(v, f) >= 0);
    ASSERT_OK(fclose(f));
}

static void ping_range(const char *v) { write_sysctl("/proc/sys/net/ipv4/ping_group_range", v); }

static void echo_ignore(bool on) {
    write_sysctl("/proc/sys/net/ipv4/icmp_echo_ignore_all", on ? "1" : "0");
}

static bool probe(const char *yaml, const char *target, int timeout_ms, bb_probe *p) {
    void *cfg = NULL;
    char err[512];
    int rc = harness_parse(&bb_prober_icmp, yaml, &cfg, err, sizeof err);
    ASSERT_MSG(rc == 0, "%s", err);
    static const bb_module m = {.name = "icmp_test", .prober = &bb_prober_icmp};
    harness_probe_init(p, &m, target, timeout_ms);
    bool ok = bb_prober_icmp.run(p, cfg);
    if (getenv("HARNESS_VERBOSE"))
        harness_print(p);
    bb_prober_icmp.free(cfg);
    return ok;
}

static double value(const bb_probe *p, const char *name, const char *labels) {
    double v = -1;
    ASSERT_MSG(harness_value(p, name, labels, &v), "no %s{%s}", name, labels ? labels : "");
    return v;
}

/* One echo to target; checks upstream's families and which socket served it. */
static void basic(const char *yaml, const char *target, const char *socket_kind, int proto) {
    bb_probe p;
    bool ok = probe(yaml, target, 2000, &p);
    if (!ok)
        harness_print(&p);
    ASSERT(ok);
    ASSERT(harness_log_has(&p, socket_kind));
    ASSERT_DBL_EQ(value(&p, "probe_icmp_reply_hop_limit", NULL), 64.0);
    ASSERT_DBL_EQ(value(&p, "probe_ip_protocol", NULL), (double)proto);
    double rtt = value(&p, "probe_icmp_duration_seconds", "phase=rtt");
    ASSERT(rtt > 0 && rtt < 1);
    ASSERT(harness_value(&p, "probe_icmp_duration_seconds", "phase=resolve", NULL));
    ASSERT(harness_value(&p, "probe_icmp_duration_seconds", "phase=setup", NULL));
    ASSERT(!harness_value(&p, "probe_icmp_packets_sent", NULL, NULL)); /* only with packets */
    harness_probe_done(&p);
}

static void test_sockets(void) {
    ping_range("0 2147483647");
    basic("preferred_ip_protocol: ip4\n", "127.0.0.1", "unprivileged ping socket", 4);
    basic("{}", "::1", "unprivileged ping socket", 6);
    basic("preferred_ip_protocol: ip4\nttl: 3\npayload_size: 1000\n", "127.0.0.1",
          "unprivileged ping socket", 4);
    ping_range("1 0");
    basic("preferred_ip_protocol: ip4\n", "127.0.0.1", "raw socket", 4);
    basic("{}", "::1", "raw socket", 6);
    basic("preferred_ip_protocol: ip6\npayload_size: 3\n", "::1", "raw socket", 6);
    basic("preferred_ip_protocol: ip4\nsource_ip_address: 127.0.0.2\n", "127.0.0.1", "raw socket",
          4);

    bb_probe p;
    ASSERT(!probe("preferred_ip_protocol: ip4\nsource_ip_address: '::1'\n", "127.0.0.1", 1000, &p));
    ASSERT(harness_log_has(&p, "not an IPv4 address"));
    harness_probe_done(&p);
    ASSERT(!probe("{}", "no-such-host.invalid", 1000, &p));
    ASSERT(harness_log_has(&p, "Error resolving address"));
    ASSERT(harness_value(&p, "probe_icmp_duration_seconds", "phase=rtt", NULL));
    harness_probe_done(&p);
}

/* As nobody: ping sockets when the range holds its group, a clear failure when not. */
static void test_unprivileged(void) {
    static const char *const ranges[] = {"65534 65534", "1 0"};
    for (int i = 0; i < 2; i++) {
        ping_range(ranges[i]);
        fflush(NULL);
        pid_t pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
            if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                _exit(3);
            bb_probe p;
            bool ok = probe("preferred_ip_protocol: ip4\n", "127.0.0.1", 1000, &p);
            bool why = harness_log_has(&p, "needs CAP_NET_RAW");
            harness_probe_done(&p);
            _exit(i == 0 ? (ok ? 0 : 1) : (!ok && why ? 0 : 2));
        }
        int st = 0;
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        ASSERT_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 0, "range %s: child status %d", ranges[i],
                   st);
    }
}

/* --- a userspace echo responder: drops every third request, delays every other --- */

typedef struct responder {
    int fd;
    atomic_bool stop;
    int seen;
    pthread_t thread;
} responder;

static void *responder_main(void *arg) {
    responder *r = arg;
    unsigned char buf[2048];
    while (!atomic_load(&r->stop)) {
        struct sockaddr_in from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(r->fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
        if (n < 28)
            continue;
        size_t ihl = (size_t)(buf[0] & 0xf) * 4;
        unsigned char *icmp = buf + ihl;
        size_t len = (size_t)n - ihl;
        if (icmp[0] != ICMP_ECHO)
            continue;
        int k = r->seen++;
        if (k % 3 == 2)
            continue;
        if (k % 2 == 1)
            usleep(20000);
        icmp[0] = ICMP_ECHOREPLY;
        icmp[2] = icmp[3] = 0;
        uint16_t sum = icmp_checksum(icmp, len);
        icmp[2] = (unsigned char)(sum >> 8);
        icmp[3] = (unsigned char)sum;
        sendto(r->fd, icmp, len, 0, (struct sockaddr *)&from, fl);
    }
    return NULL;
}

static void responder_start(responder *r) {
    memset(r, 0, sizeof *r);
    r->fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    ASSERT(r->fd >= 0);
    struct timeval tv = {.tv_usec = 100000};
    ASSERT_OK(setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    ASSERT_OK(pthread_create(&r->thread, NULL, responder_main, r));
}

static void responder_stop(responder *r) {
    atomic_store(&r->stop, true);
    pthread_join(r->thread, NULL);
    close(r->fd);
}

/* More echoes than the timeout has room for: only those sent count. */
static void test_schedule(void) {
    bb_probe p;
    ASSERT(
        probe("preferred_ip_protocol: ip4\npackets: 10\ninterval: 100ms\n", "127.0.0.1", 450, &p));
    double sent = value(&p, "probe_icmp_packets_sent", NULL);
    ASSERT_MSG(sent >= 4 && sent <= 5, "sent %g", sent);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_received", NULL), sent);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packet_loss_ratio", NULL), 0.0);
    harness_probe_done(&p);
}

static void test_packets(const char *range, const char *kind) {
    ping_range(range);
    bb_probe p;
    ASSERT(probe("preferred_ip_protocol: ip4\npackets: 5\ninterval: 5ms\n", "127.0.0.1", 2000, &p));
    ASSERT(harness_log_has(&p, kind));
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_sent", NULL), 5.0);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_received", NULL), 5.0);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packet_loss_ratio", NULL), 0.0);
    ASSERT(value(&p, "probe_icmp_rtt_min_seconds", NULL) <=
           value(&p, "probe_icmp_rtt_max_seconds", NULL));
    harness_probe_done(&p);

    echo_ignore(true);
    responder r;
    responder_start(&r);
    int64_t t0 = bb_now_ns();
    bool ok =
        probe("preferred_ip_protocol: ip4\npackets: 12\ninterval: 40ms\n", "127.0.0.1", 1500, &p);
    int64_t took = bb_now_ns() - t0;
    responder_stop(&r);
    echo_ignore(false);
    if (!ok)
        harness_print(&p);
    ASSERT(ok); /* some replies came */
    ASSERT(took < 1800000000LL);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_sent", NULL), 12.0);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_received", NULL), 8.0);
    double loss = value(&p, "probe_icmp_packet_loss_ratio", NULL);
    ASSERT(loss > 0.333 && loss < 0.334);
    double min = value(&p, "probe_icmp_rtt_min_seconds", NULL);
    double max = value(&p, "probe_icmp_rtt_max_seconds", NULL);
    ASSERT_MSG(min < 0.015 && max >= 0.019 && max < 0.5, "min %g max %g", min, max);
    ASSERT(value(&p, "probe_icmp_rtt_stddev_seconds", NULL) > 0.005);
    ASSERT(harness_log_has(&p, "4 of 12 echo requests got no reply"));
    harness_probe_done(&p);
}

/* --- floods of foreign echo replies --- */

typedef struct flooder {
    int fd;
    atomic_bool stop;
    atomic_long sent;
    pthread_t thread;
} flooder;

static void *flood_main(void *arg) {
    flooder *f = arg;
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    unsigned char pkt[36];
    unsigned x = 12345;
    while (!atomic_load(&f->stop)) {
        x = x * 1103515245u + 12345u;
        memset(pkt, 0, sizeof pkt);
        memcpy(pkt + 8, "Prometheus Blackbox Exporter", 28); /* even the payload looks right */
        pkt[0] = ICMP_ECHOREPLY;
        pkt[4] = (unsigned char)(x >> 24);
        pkt[5] = (unsigned char)(x >> 16);
        pkt[6] = (unsigned char)(x >> 8);
        pkt[7] = (unsigned char)x;
        uint16_t sum = icmp_checksum(pkt, sizeof pkt);
        pkt[2] = (unsigned char)(sum >> 8);
        pkt[3] = (unsigned char)sum;
        if (sendto(f->fd, pkt, sizeof pkt, 0, (struct sockaddr *)&to, sizeof to) > 0)
            atomic_fetch_add(&f->sent, 1);
    }
    return NULL;
}

static void test_flood(void) {
    ping_range("1 0"); /* raw sockets see every reply: the hard case */
    flooder f = {.fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)};
    ASSERT(f.fd >= 0);
    ASSERT_OK(pthread_create(&f.thread, NULL, flood_main, &f));
    usleep(50000);
    bb_probe p;
    int64_t t0 = bb_now_ns();
    bool ok =
        probe("preferred_ip_protocol: ip4\npackets: 3\ninterval: 10ms\n", "127.0.0.1", 2000, &p);
    int64_t took = bb_now_ns() - t0;
    ASSERT(ok);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_received", NULL), 3.0);
    ASSERT_MSG(took < 1000000000LL, "took %lld ms", (long long)(took / 1000000));
    harness_probe_done(&p);

    echo_ignore(true); /* nothing of ours comes back: only the flood */
    t0 = bb_now_ns();
    ok = probe("preferred_ip_protocol: ip4\n", "127.0.0.1", 500, &p);
    took = bb_now_ns() - t0;
    echo_ignore(false);
    ASSERT(!ok);
    ASSERT(harness_log_has(&p, "Timeout reading from socket"));
    ASSERT_MSG(took < 800000000LL, "took %lld ms", (long long)(took / 1000000));
    harness_probe_done(&p);
    atomic_store(&f.stop, true);
    pthread_join(f.thread, NULL);
    close(f.fd);
    ASSERT(atomic_load(&f.sent) > 100);
}

/* --- concurrent probes on raw sockets keep their replies apart --- */

static void *concurrent_main(void *arg) {
    bb_probe *p = arg;
    bool ok =
        probe("preferred_ip_protocol: ip4\npackets: 5\ninterval: 2ms\n", "127.0.0.1", 2000, p);
    return ok ? p : NULL;
}

static void test_concurrent(void) {
    ping_range("1 0");
    pthread_t t[8];
    bb_probe p[8];
    for (int i = 0; i < 8; i++)
        ASSERT_OK(pthread_create(&t[i], NULL, concurrent_main, &p[i]));
    for (int i = 0; i < 8; i++) {
        void *ret = NULL;
        pthread_join(t[i], &ret);
        ASSERT(ret == &p[i]);
        ASSERT_DBL_EQ(value(&p[i], "probe_icmp_packets_received", NULL), 5.0);
        harness_probe_done(&p[i]);
    }
}

static void test_dont_fragment(void) {
    ASSERT_OK(system("ip link set lo mtu 1500"));
    static const char *const ranges[] = {"0 2147483647", "1 0"};
    for (int i = 0; i < 2; i++) {
        ping_range(ranges[i]);
        bb_probe p;
        ASSERT(!probe("preferred_ip_protocol: ip4\npayload_size: 2000\ndont_fragment: true\n",
                      "127.0.0.1", 1000, &p));
        ASSERT(harness_log_has(&p, "Message too long"));
        harness_probe_done(&p);
        ASSERT(probe("preferred_ip_protocol: ip4\npayload_size: 2000\n", "127.0.0.1", 1000, &p));
        harness_probe_done(&p);
        ASSERT(!probe("payload_size: 2000\ndont_fragment: true\n", "::1", 1000, &p));
        ASSERT(harness_log_has(&p, "Message too long"));
        harness_probe_done(&p);
    }
    ASSERT_OK(system("ip link set lo mtu 65536"));
}

/* --- a routed path: this namespace, a router namespace, a target namespace --- */

static char ns_router[64], ns_target[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
    char cmd[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
    return rc;
}

/* Whether path is a mount point (a line of /proc/self/mountinfo names it). */
static bool is_mount(const char *path) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f)
        return false;
    char line[4096], mp[4096];
    bool found = false;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "%*s %*s %*s %*s %4095s", mp) == 1 && strcmp(mp, path) == 0;
    fclose(f);
    return found;
}

/* `ip netns add` makes /run/netns a mount point of its own and leaves it so;
 * when this test made it one, it is undone, so the machine is left as found. */
static bool netns_dir_was_mount;

static void routed_down(void) {
    if (ns_router[0]) {
        sh("ip netns del %s; ip netns del %s", ns_router, ns_target);
        if (!netns_dir_was_mount && is_mount("/run/netns"))
            umount2("/run/netns", MNT_DETACH);
    }
    ns_router[0] = 0;
}

/* Named namespaces outlive the process: remove them when an assertion aborts. */
static void on_abort(int sig) {
    routed_down();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* 10.201.0.1 (here) - 10.201.0.2 router 10.201.1.1 - 10.201.1.2 target, and
 * fd01:0::/64, fd01:1::/64 the same way. */
static bool routed_up(void) {
    snprintf(ns_router, sizeof ns_router, "bbnet-router-%d", (int)getpid());
    snprintf(ns_target, sizeof ns_target, "bbnet-target-%d", (int)getpid());
    signal(SIGABRT, on_abort);
    netns_dir_was_mount = is_mount("/run/netns");
    const char *r = ns_router, *t = ns_target;
    return sh("ip netns add %s && ip netns add %s", r, t) == 0 &&
           sh("ip link add a0 type veth peer name r0 netns %s", r) == 0 &&
           sh("ip -n %s link add r1 type veth peer name t0 netns %s", r, t) == 0 &&
           sh("ip addr add 10.201.0.1/24 dev a0 && ip addr add fd01::1/64 dev a0 nodad && "
              "ip link set a0 up && ip route add 10.201.1.0/24 via 10.201.0.2 && "
              "ip route add fd01:1::/64 via fd01::2") == 0 &&
           sh("ip -n %s addr add 10.201.0.2/24 dev r0 && ip -n %s addr add 10.201.1.1/24 dev r1 && "
              "ip -n %s addr add fd01::2/64 dev r0 nodad && "
              "ip -n %s addr add fd01:1::1/64 dev r1 nodad && ip -n %s link set r0 up && "
              "ip -n %s link set r1 up && ip -n %s link set lo up",
              r, r, r, r, r, r, r) == 0 &&
           sh("ip netns exec %s sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward && "
              "echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'",
              r) == 0 &&
           sh("ip -n %s addr add 10.201.1.2/24 dev t0 && ip -n %s addr add fd01:1::2/64 dev t0 nodad "
              "&& ip -n %s link set t0 up && ip -n %s link set lo up && "
              "ip -n %s route add default via 10.201.1.1 && ip -n %s route add default via fd01:1::1",
              t, t, t, t, t, t) == 0;
}

/* ttl counts hops: one is not enough past the router, two is; the reply
 * arrives with one hop spent. */
static void test_routed_ttl(const char *target, const char *proto) {
    char yaml[128];
    bb_probe p;
    snprintf(yaml, sizeof yaml, "preferred_ip_protocol: %s\nttl: 1\n", proto);
    ASSERT(!probe(yaml, target, 400, &p));
    ASSERT(harness_log_has(&p, "Timeout reading from socket"));
    harness_probe_done(&p);
    snprintf(yaml, sizeof yaml, "preferred_ip_protocol: %s\nttl: 2\n", proto);
    bool ok = probe(yaml, target, 2000, &p);
    if (!ok)
        harness_print(&p);
    ASSERT(ok);
    ASSERT_DBL_EQ(value(&p, "probe_icmp_reply_hop_limit", NULL), 63.0);
    harness_probe_done(&p);
}

static void test_routed(void) {
    if (!routed_up()) {
        routed_down();
        printf("routed path: skipped, cannot build the veth namespaces\n");
        return;
    }
    static const char *const ranges[] = {"0 2147483647", "1 0"};
    for (int i = 0; i < 2; i++) {
        ping_range(ranges[i]);
        test_routed_ttl("10.201.1.2", "ip4");
        test_routed_ttl("fd01:1::2", "ip6");
        /* veth's MTU is 1500: DF fails a bigger echo, fragments make it through. */
        bb_probe p;
        ASSERT(!probe("preferred_ip_protocol: ip4\npayload_size: 1600\ndont_fragment: true\n",
                      "10.201.1.2", 1000, &p));
        ASSERT(harness_log_has(&p, "Message too long"));
        harness_probe_done(&p);
        ASSERT(probe("preferred_ip_protocol: ip4\npayload_size: 1600\n", "10.201.1.2", 1000, &p));
        harness_probe_done(&p);
    }

    /* Loss on the link towards the router (the brief's netem case) when the kernel has it. */
    if (system("tc qdisc add dev a0 root netem loss 30% 2>/dev/null") != 0) {
        printf("netem loss: skipped, the kernel has no sch_netem (the responder test covers "
               "loss)\n");
    } else {
        ping_range("0 2147483647");
        bb_probe p;
        probe("preferred_ip_protocol: ip4\npackets: 50\ninterval: 2ms\n", "10.201.1.2", 2000, &p);
        double got = value(&p, "probe_icmp_packets_received", NULL);
        ASSERT_DBL_EQ(value(&p, "probe_icmp_packets_sent", NULL), 50.0);
        ASSERT_MSG(got >= 20 && got <= 48, "received %g of 50 with 30%% loss", got);
        double loss = value(&p, "probe_icmp_packet_loss_ratio", NULL);
        ASSERT(loss > 0.03 && loss < 0.6);
        harness_probe_done(&p);
    }
    routed_down();
    signal(SIGABRT, SIG_DFL);
}

static void parse_fails(const char *yaml, const char *want) {
    void *cfg = NULL;
    char err[512];
    ASSERT(harness_parse(&bb_prober_icmp, yaml, &cfg, err, sizeof err) < 0);
    ASSERT(cfg == NULL);
    ASSERT_MSG(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

static void test_config(void) {
    parse_fails("ttl: 256\n", "cannot exceed 255");
    parse_fails("ttl: -1\n", "cannot be less than 0");
    parse_fails("packets: 0\n", "packets");
    parse_fails("packets: 1001\n", "packets");
    parse_fails("interval: 0s\n", "at least 1ms");
    parse_fails("interval: soon\n", "interval");
    parse_fails("payload_size: 70000\n", "payload_size");
    parse_fails("dont_fragment: 2\n", "dont_fragment");
    parse_fails("count: 3\n", "count");
    void *cfg = NULL;
    char err[256];
    ASSERT_OK(harness_parse(&bb_prober_icmp,
                            "ttl: 9\npackets: 4\ninterval: 250ms\npayload_size: 56\n", &cfg, err,
                            sizeof err));
    char *d = harness_dump(&bb_prober_icmp, cfg);
    ASSERT_MSG(strstr(d, "  payload_size: 56\n  ttl: 9\n  packets: 4\n"
                         "  interval: 250ms\n"),
               "%s", d);
    free(d);
    bb_prober_icmp.free(cfg);
    ASSERT_OK(bb_prober_icmp.parse(NULL, NULL, &cfg));
    d = harness_dump(&bb_prober_icmp, cfg);
    ASSERT(strstr(d, "ttl: 64\n") && !strstr(d, "packets"));
    free(d);
    bb_prober_icmp.free(cfg);

    unsigned char b[64];
    ASSERT_EQ(icmp_payload(0, b, sizeof b), 28);
    ASSERT(memcmp(b, "Prometheus Blackbox Exporter", 28) == 0);
    ASSERT_EQ(icmp_payload(4, b, sizeof b), 4);
    ASSERT(memcmp(b, "Prom", 4) == 0);
    ASSERT_EQ(icmp_payload(40, b, sizeof b), 40);
    ASSERT_EQ(b[39], 0);
    /* RFC 1071's example words sum to 0xddf2; the checksum is its complement. */
    static const unsigned char words[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    ASSERT_EQ(icmp_checksum(words, sizeof words), 0x220d);
}

int main(void) {
    test_config();
    if (geteuid() != 0) {
        printf("skip: needs root to create a network namespace\n");
        return 77;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        printf("skip: unshare(CLONE_NEWNET): %s\n", strerror(errno));
        return 77;
    }
    if (system("ip link set lo up") != 0) {
        printf("skip: cannot bring lo up in the new namespace\n");
        return 77;
    }
    test_sockets();
    test_unprivileged();
    test_packets("0 2147483647", "unprivileged ping socket");
    test_packets("1 0", "raw socket");
    test_schedule();
    test_flood();
    test_concurrent();
    test_dont_fragment();
    test_routed();
    TEST_DONE();
}
