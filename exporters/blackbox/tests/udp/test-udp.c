/* The udp prober against python peers on 127.0.0.1 and ::1 (responder.py):
 * an NTP query, a syslog-style send-only target, a silent peer, a closed
 * port, replies too big or not matching. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-core.h"
#include "omx-test.h"
#include "udp.h"

static const char *responder_path;

typedef struct peer {
    pid_t pid;
    int port;
} peer;

static void peer_start(peer *pr, const char *mode, const char *addr, const char *file) {
    int fds[2];
    ASSERT_OK(pipe(fds));
    fflush(NULL);
    pr->pid = fork();
    ASSERT(pr->pid >= 0);
    if (pr->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* a failed assertion must not leave it behind */
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl("/usr/bin/python3", "python3", responder_path, mode, addr, file, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char line[32] = "";
    FILE *f = fdopen(fds[0], "r");
    ASSERT(f && fgets(line, sizeof line, f));
    fclose(f);
    pr->port = atoi(line);
    ASSERT(pr->port > 0);
}

static void peer_stop(peer *pr) {
    kill(pr->pid, SIGTERM);
    waitpid(pr->pid, NULL, 0);
}

static bool probe(const char *yaml, const char *target, int timeout_ms, bb_probe *p) {
    void *cfg = NULL;
    char err[512];
    int rc = fake_parse(&bb_prober_udp, yaml, &cfg, err, sizeof err);
    ASSERT_MSG(rc == 0, "%s", err);
    static const bb_module m = {.name = "udp_test", .prober = &bb_prober_udp};
    fake_probe_init(p, &m, target, timeout_ms);
    bool ok = bb_prober_udp.run(p, cfg);
    if (getenv("FAKE_VERBOSE"))
        fake_print(p);
    bb_prober_udp.free(cfg);
    return ok;
}

static double value(const bb_probe *p, const char *name) {
    double v = -1;
    ASSERT_MSG(fake_value(p, name, NULL, &v), "no %s", name);
    return v;
}

static char ntp_yaml[512];

static void test_ntp(const char *addr, const char *fmt, int proto) {
    peer pr;
    char target[64];
    bb_probe p;
    peer_start(&pr, "ntp", addr, NULL);
    snprintf(target, sizeof target, fmt, pr.port);
    bool ok = probe(ntp_yaml, target, 2000, &p);
    peer_stop(&pr);
    if (!ok)
        fake_print(&p);
    ASSERT(ok);
    ASSERT_DBL_EQ(value(&p, "probe_udp_reply_received"), 1.0);
    ASSERT_DBL_EQ(value(&p, "probe_udp_reply_bytes"), 48.0);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_regex"), 0.0);
    ASSERT_DBL_EQ(value(&p, "probe_ip_protocol"), (double)proto);
    double rtt = value(&p, "probe_udp_rtt_seconds");
    ASSERT(rtt > 0 && rtt < 1);
    fake_probe_done(&p);
}

static void test_peers(void) {
    peer pr;
    char target[64];
    bb_probe p;

    peer_start(&pr, "garbage", "127.0.0.1", NULL);
    snprintf(target, sizeof target, "127.0.0.1:%d", pr.port);
    ASSERT(!probe(ntp_yaml, target, 2000, &p));
    peer_stop(&pr);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_regex"), 1.0);
    ASSERT_DBL_EQ(value(&p, "probe_udp_reply_received"), 1.0);
    ASSERT(fake_log_has(&p, "Regexp did not match"));
    fake_probe_done(&p);

    /* syslog: nothing comes back, the datagram is the whole job. */
    char sink[] = "/tmp/bb-udp-sink-XXXXXX";
    int sfd = mkstemp(sink);
    ASSERT(sfd >= 0);
    close(sfd);
    peer_start(&pr, "sink", "127.0.0.1", sink);
    snprintf(target, sizeof target, "127.0.0.1:%d", pr.port);
    ASSERT(probe("preferred_ip_protocol: ip4\n"
                 "payload: '<14>1 2026-12-03T10:00:00Z host omx - - - probe'\n",
                 target, 2000, &p));
    ASSERT(!fake_value(&p, "probe_udp_reply_received", NULL, NULL));
    fake_probe_done(&p);
    /* The same silent peer when a reply is wanted: a timeout, on time. */
    int64_t t0 = bb_now_ns();
    ASSERT(!probe("payload: ping\nexpect_reply: true\n", target, 400, &p));
    int64_t took = bb_now_ns() - t0;
    ASSERT_MSG(took < 700000000LL, "took %lld ms", (long long)(took / 1000000));
    ASSERT_DBL_EQ(value(&p, "probe_udp_reply_received"), 0.0);
    ASSERT(fake_log_has(&p, "Timeout waiting for a reply"));
    fake_probe_done(&p);
    usleep(100000);
    peer_stop(&pr);
    char got[256] = "";
    FILE *f = fopen(sink, "r");
    ASSERT(f && fgets(got, sizeof got, f));
    fclose(f);
    unlink(sink);
    ASSERT_STR_EQ(got, "<14>1 2026-12-03T10:00:00Z host omx - - - probe\n");

    /* The peer is gone: the ICMP port unreachable ends the probe early. */
    t0 = bb_now_ns();
    ASSERT(!probe("payload: ping\nexpect_reply: true\n", target, 3000, &p));
    took = bb_now_ns() - t0;
    ASSERT(fake_log_has(&p, "port unreachable"));
    ASSERT_MSG(took < 1000000000LL, "took %lld ms", (long long)(took / 1000000));
    fake_probe_done(&p);

    peer_start(&pr, "big", "127.0.0.1", NULL);
    snprintf(target, sizeof target, "127.0.0.1:%d", pr.port);
    ASSERT(!probe("payload: x\nexpect_reply: true\nmax_reply_size: 512\n", target, 2000, &p));
    ASSERT(fake_log_has(&p, "longer than max_reply_size 512"));
    ASSERT_DBL_EQ(value(&p, "probe_udp_reply_bytes"), 60000.0);
    fake_probe_done(&p);
    ASSERT(probe("payload: x\nexpect: '^x+$'\n", target, 2000, &p));
    peer_stop(&pr);
    fake_probe_done(&p);

    ASSERT(!probe("", "no-port", 1000, &p));
    ASSERT(fake_log_has(&p, "not host:port"));
    fake_probe_done(&p);
}

static void parse_fails(const char *yaml, const char *want) {
    void *cfg = NULL;
    char err[512];
    ASSERT(fake_parse(&bb_prober_udp, yaml, &cfg, err, sizeof err) < 0);
    ASSERT(cfg == NULL);
    ASSERT_MSG(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

static void test_config(void) {
    parse_fails("payload: a\npayload_hex: '00'\n", "mutually exclusive");
    parse_fails("payload_hex: '0g'\n", "not hex digits");
    parse_fails("payload_hex: '012'\n", "not hex digits");
    parse_fails("payload_hex: '0 1'\n", "not hex digits");
    parse_fails("max_reply_size: 0\n", "max_reply_size");
    parse_fails("expect: '(?<=a)b'\n", "Could not compile");
    parse_fails("expect_reply: sometimes\n", "expect_reply");
    parse_fails("payload_base64: AA==\n", "payload_base64");

    unsigned char *b = NULL;
    size_t n = 0;
    ASSERT_OK(udp_hex_decode("17 2a:FF-00\n0a", &b, &n));
    ASSERT_EQ(n, 5);
    ASSERT(memcmp(b, "\x17\x2a\xff\x00\x0a", 5) == 0);
    free(b);
    ASSERT_OK(udp_hex_decode("", &b, &n));
    ASSERT_EQ(n, 0);
    free(b);

    void *cfg = NULL;
    char err[256];
    ASSERT_OK(fake_parse(&bb_prober_udp, ntp_yaml, &cfg, err, sizeof err));
    const udp_config *c = cfg;
    ASSERT_EQ(c->payload_len, 48);
    ASSERT(c->expect_reply); /* implied by expect */
    char *d = fake_dump(&bb_prober_udp, cfg);
    ASSERT_MSG(strstr(d, "  payload_hex: ") && strstr(d, "  expect_reply: true\n") &&
                   strstr(d, "  max_reply_size: 65507\n"),
               "%s", d);
    free(d);
    bb_prober_udp.free(cfg);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    ASSERT(argc == 2);
    responder_path = argv[1];
    /* An NTP client request: LI 0, VN 4, mode 3 (0x23), then 47 zero bytes. */
    snprintf(ntp_yaml, sizeof ntp_yaml,
             "payload_hex: '23000000 00000000%s'\nexpect: '^[\\x1c\\x24]'\n",
             " 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 "
             "00000000");
    test_config();
    test_ntp("127.0.0.1", "127.0.0.1:%d", 4);
    test_ntp("::1", "[::1]:%d", 6);
    test_peers();
    TEST_DONE();
}
