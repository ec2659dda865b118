/* The tcp prober against servers on 127.0.0.1 and ::1: plain dialogues with
 * captures, TLS with a certificate made here, an SMTP-like starttls dialogue,
 * and hostile servers (silent, trickling, flooding, garbage TLS). */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter/file.h"
#include "exporter/writer.h"
#include "fake-core.h"
#include "omx-test.h"
#include "result.h"
#include "testsrv.h"

static const char *probe_hostname; /* ?hostname= of the next probes */
static char cert_path[128], key_path[128], old_cert[128], old_key[128], client_cert[128],
    client_key[128];

static void *cur_cfg; /* the section of the last probe: the result borrows from it */

/* Parses yaml as a tcp section and probes target; done() frees both. */
static bool probe(const char *yaml, const char *target, int timeout_ms, bb_probe *p) {
    char err[512];
    int rc = fake_parse(&bb_prober_tcp, yaml, &cur_cfg, err, sizeof err);
    ASSERT_MSG(rc == 0, "%s", err);
    static bb_module m = {.name = "tcp_test", .prober = &bb_prober_tcp};
    m.cfg = cur_cfg;
    fake_probe_init(p, &m, target, timeout_ms);
    p->hostname = probe_hostname;
    bool ok = bb_prober_tcp.run(p, cur_cfg);
    if (getenv("FAKE_VERBOSE"))
        fake_print(p);
    return ok;
}

static void done(bb_probe *p) {
    fake_probe_done(p);
    bb_prober_tcp.free(cur_cfg);
    cur_cfg = NULL;
}

static double value(const bb_probe *p, const char *name, const char *labels) {
    double v = -1;
    ASSERT_MSG(fake_value(p, name, labels, &v), "no %s{%s}", name, labels ? labels : "");
    return v;
}

static char *target_of(const testsrv *s, char *buf, size_t size) {
    snprintf(buf, size, "127.0.0.1:%d", s->port);
    return buf;
}

/* --- plain dialogues --- */

static void srv_ssh(int fd, void *ctx) {
    testsrv_write(fd, "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
    testsrv_read_line(fd, ctx, 256);
}

static void test_captures(void) {
    char got[256] = "", target[64];
    testsrv s;
    testsrv_start(&s, "127.0.0.1", srv_ssh, got);
    bb_probe p;
    bool ok = probe("preferred_ip_protocol: ip4\n"
                    "query_response:\n"
                    "  - expect: '^SSH-2.0-(?P<impl>[^ ]+) ([A-Za-z]+)'\n"
                    "    labels:\n"
                    "      - {name: impl, value: '${impl}'}\n"
                    "      - {name: os, value: 'os=$2'}\n"
                    "    send: 'SSH-2.0-check ${impl}-$$-$9-${x'\n",
                    target_of(&s, target, sizeof target), 2000, &p);
    testsrv_stop(&s);
    ASSERT(ok);
    ASSERT_STR_EQ(got, "SSH-2.0-check OpenSSH_9.2p1-$--${x");
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_regex", NULL), 0.0);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_bytes", NULL), 0.0);
    ASSERT_DBL_EQ(value(&p, "probe_expect_info", "impl=OpenSSH_9.2p1,os=os=Debian"), 1.0);
    ASSERT_DBL_EQ(value(&p, "probe_ip_protocol", NULL), 4.0);
    /* Written after the probe (and its config) as /probe writes it: label names stay valid. */
    omx_buf b;
    omx_buf_init(&b, 1 << 16);
    ASSERT_OK(bb_result_write_text(p.res, &b));
    ASSERT_MSG(strstr(b.data, "probe_expect_info{impl=\"OpenSSH_9.2p1\",os=\"os=Debian\"} 1\n"),
               "%s", b.data);
    omx_buf_free(&b);
    done(&p);
}

static void srv_hello_close(int fd, void *ctx) {
    (void)ctx;
    testsrv_write(fd, "hello\nworld\n");
}

static void test_no_match(void) {
    char target[64];
    testsrv s;
    testsrv_start(&s, "127.0.0.1", srv_hello_close, NULL);
    bb_probe p;
    bool ok = probe("query_response: [{expect: '^220 '}]\n", target_of(&s, target, sizeof target),
                    2000, &p);
    testsrv_stop(&s);
    ASSERT(!ok);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_regex", NULL), 1.0);
    ASSERT(fake_log_has(&p, "Regexp did not match"));
    done(&p);
}

static void srv_many_lines(int fd, void *ctx) {
    (void)ctx;
    char buf[4000];
    for (size_t i = 0; i + 2 <= sizeof buf; i += 2)
        memcpy(buf + i, "x\n", 2);
    for (int i = 0; i < 500; i++)
        if (send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0)
            break;
    testsrv_write(fd, "the end: 42\r\n");
}

/* A match far down a long stream; CR stripped; the last line has no newline. */
static void test_many_lines(void) {
    char target[64];
    testsrv s;
    testsrv_start(&s, "127.0.0.1", srv_many_lines, NULL);
    bb_probe p;
    bool ok = probe("query_response:\n"
                    "  - expect: 'end: (\\d+)$'\n"
                    "    labels: [{name: n, value: '$1'}]\n",
                    target_of(&s, target, sizeof target), 5000, &p);
    testsrv_stop(&s);
    ASSERT(ok);
    ASSERT_DBL_EQ(value(&p, "probe_expect_info", "n=42"), 1.0);
    done(&p);
}

static void srv_bytes(int fd, void *ctx) {
    (void)ctx;
    testsrv_write(fd, "OK!rest");
    char b[8];
    ssize_t n = read(fd, b, sizeof b); /* until the prober closes */
    (void)n;
}

static void test_expect_bytes(void) {
    char target[64];
    testsrv s;
    bb_probe p;
    testsrv_start(&s, "127.0.0.1", srv_bytes, NULL);
    ASSERT(probe("query_response: [{expect_bytes: 'OK!'}]\n", target_of(&s, target, sizeof target),
                 2000, &p));
    testsrv_stop(&s);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_bytes", NULL), 0.0);
    done(&p);

    testsrv_start(&s, "127.0.0.1", srv_bytes, NULL);
    ASSERT(!probe("query_response: [{expect_bytes: 'NO!'}]\n", target_of(&s, target, sizeof target),
                  2000, &p));
    testsrv_stop(&s);
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_bytes", NULL), 1.0);
    ASSERT(fake_log_has(&p, "Bytes did not match"));
    done(&p);
}

static void test_ipv6_and_refused(void) {
    char target[64];
    testsrv s;
    bb_probe p;
    testsrv_start(&s, "::1", srv_hello_close, NULL);
    snprintf(target, sizeof target, "[::1]:%d", s.port);
    ASSERT(probe("query_response: [{expect: world}]\n", target, 2000, &p));
    testsrv_stop(&s);
    ASSERT_DBL_EQ(value(&p, "probe_ip_protocol", NULL), 6.0);
    done(&p);

    /* The port of a listener just closed: nothing accepts there. */
    int port = s.port;
    snprintf(target, sizeof target, "[::1]:%d", port);
    ASSERT(!probe("", target, 2000, &p));
    ASSERT(fake_log_has(&p, "Error dialing"));
    ASSERT(!fake_value(&p, "probe_failed_due_to_regex", NULL, NULL));
    done(&p);

    ASSERT(!probe("", "no-port-here", 2000, &p));
    ASSERT(fake_log_has(&p, "not host:port"));
    done(&p);
}

/* --- hostile servers --- */

static void srv_silent(int fd, void *ctx) {
    (void)ctx;
    char b[64];
    while (read(fd, b, sizeof b) > 0) {
    }
}

/* One byte a second, until the prober hangs up. */
static void srv_trickle(int fd, void *ctx) {
    (void)ctx;
    for (int i = 0; i < 10; i++) {
        if (send(fd, "a", 1, MSG_NOSIGNAL) != 1)
            return;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 1000) != 0)
            return; /* EOF: the probe is over */
    }
}

static void srv_flood(int fd, void *ctx) {
    (void)ctx;
    char buf[65536];
    memset(buf, 'a', sizeof buf);
    for (int i = 0; i < 16384; i++) /* up to 1 GiB, until the prober hangs up */
        if (send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0)
            return;
}

static void srv_garbage(int fd, void *ctx) {
    (void)ctx;
    char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7 + 3);
    send(fd, buf, sizeof buf, MSG_NOSIGNAL);
    srv_silent(fd, NULL);
}

/* Probes with timeout_ms against fn; returns how long the probe took. */
static int64_t hostile(testsrv_fn *fn, const char *yaml, int timeout_ms, bb_probe *p) {
    char target[64];
    testsrv s;
    testsrv_start(&s, "127.0.0.1", fn, NULL);
    int64_t t0 = bb_now_ns();
    bool ok = probe(yaml, target_of(&s, target, sizeof target), timeout_ms, p);
    int64_t took = bb_now_ns() - t0;
    testsrv_stop(&s);
    ASSERT(!ok);
    ASSERT_MSG(took < (int64_t)(timeout_ms + 300) * 1000000, "took %lld ms",
               (long long)(took / 1000000));
    return took;
}

static void test_hostile(void) {
    bb_probe p;
    const char *expect = "query_response: [{expect: '^never'}]\n";
    hostile(srv_silent, expect, 500, &p);
    ASSERT(fake_log_has(&p, "timeout"));
    ASSERT_DBL_EQ(value(&p, "probe_failed_due_to_regex", NULL), 0.0);
    done(&p);

    hostile(srv_trickle, expect, 2500, &p); /* bytes keep coming; the deadline still holds */
    ASSERT(fake_log_has(&p, "timeout"));
    done(&p);

    int64_t took = hostile(srv_flood, expect, 5000, &p);
    ASSERT(fake_log_has(&p, "line longer than 65536"));
    ASSERT(took < 2000000000LL);
    done(&p);

    took = hostile(srv_garbage, "tls: true\ntls_config: {insecure_skip_verify: true}\n", 3000, &p);
    ASSERT(fake_log_has(&p, "TLS handshake failed"));
    ASSERT(took < 1000000000LL);
    done(&p);

    hostile(srv_silent, "tls: true\n", 500, &p);
    ASSERT(fake_log_has(&p, "TLS handshake failed: timeout"));
    done(&p);
}

/* --- TLS --- */

typedef struct tls_ctx {
    const char *cert, *key;
    const char *client_ca; /* when set, the server wants a client certificate it signed */
    char got[256];
} tls_ctx;

static void srv_tls_hello(int fd, void *vctx) {
    tls_ctx *c = vctx;
    gnutls_certificate_credentials_t cred = testcert_server_cred(c->cert, c->key);
    if (c->client_ca)
        ASSERT(gnutls_certificate_set_x509_trust_file(cred, c->client_ca, GNUTLS_X509_FMT_PEM) ==
               1);
    gnutls_session_t s;
    if (testcert_accept(fd, cred, c->client_ca != NULL, &s)) {
        gnutls_record_send(s, "hello tls\r\n", 11);
        char b[64];
        gnutls_record_recv(s, b, sizeof b); /* until close_notify or EOF */
        gnutls_deinit(s);
    }
    gnutls_certificate_free_credentials(cred);
}

static const char *client_ca; /* the next TLS servers want a client certificate */

static bool tls_probe(const char *cert, const char *key, const char *tls_config, bb_probe *p) {
    char yaml[4096], target[64];
    snprintf(yaml, sizeof yaml, "tls: true\ntls_config: %s\nquery_response: [{expect: '^hello'}]\n",
             tls_config);
    tls_ctx c = {.cert = cert, .key = key, .client_ca = client_ca};
    testsrv s;
    testsrv_start(&s, "127.0.0.1", srv_tls_hello, &c);
    bool ok = probe(yaml, target_of(&s, target, sizeof target), 3000, p);
    testsrv_stop(&s);
    return ok;
}

static void test_tls(void) {
    char cfg[512];
    bb_probe p;
    snprintf(cfg, sizeof cfg, "{ca_file: %s}", cert_path);
    ASSERT(tls_probe(cert_path, key_path, cfg, &p));
    ASSERT(fake_value(&p, "probe_tls_version_info", "version=TLS 1.3", NULL));
    ASSERT(value(&p, "probe_ssl_earliest_cert_expiry", NULL) > 1e9);
    ASSERT(value(&p, "probe_ssl_last_chain_expiry_timestamp_seconds", NULL) > 1e9);
    ASSERT(!fake_value(&p, "probe_tls_cipher_info", NULL, NULL)); /* not in tcp's set */
    omx_buf b;
    omx_buf_init(&b, 1 << 16);
    ASSERT_OK(bb_result_write_text(p.res, &b));
    ASSERT_MSG(strstr(b.data, "issuer=\"CN=localhost\",serialnumber=\"010203\",subject=\"CN="
                              "localhost\",subjectalternative=\"localhost\"} 1\n"),
               "%s", b.data);
    omx_buf_free(&b);
    done(&p);

    snprintf(cfg, sizeof cfg, "{ca_file: %s, max_version: TLS12}", cert_path);
    ASSERT(tls_probe(cert_path, key_path, cfg, &p));
    ASSERT(fake_value(&p, "probe_tls_version_info", "version=TLS 1.2", NULL));
    done(&p);

    snprintf(cfg, sizeof cfg, "{ca_file: %s, server_name: example.com}", cert_path);
    ASSERT(!tls_probe(cert_path, key_path, cfg, &p));
    ASSERT(fake_log_has(&p, "TLS handshake failed"));
    ASSERT(!fake_value(&p, "probe_tls_version_info", NULL, NULL));
    done(&p);

    snprintf(cfg, sizeof cfg, "{ca_file: %s, server_name: localhost}", cert_path);
    ASSERT(tls_probe(cert_path, key_path, cfg, &p));
    done(&p);

    /* ?hostname= names the server when tls_config does not. */
    snprintf(cfg, sizeof cfg, "{ca_file: %s}", cert_path);
    probe_hostname = "example.com";
    ASSERT(!tls_probe(cert_path, key_path, cfg, &p));
    ASSERT(fake_log_has(&p, "does not match"));
    done(&p);
    probe_hostname = "localhost";
    ASSERT(tls_probe(cert_path, key_path, cfg, &p));
    done(&p);
    snprintf(cfg, sizeof cfg, "{ca_file: %s, server_name: localhost}", cert_path);
    probe_hostname = "example.com";
    ASSERT(tls_probe(cert_path, key_path, cfg, &p)); /* server_name wins */
    done(&p);
    probe_hostname = NULL;

    ASSERT(!tls_probe(cert_path, key_path, "{}", &p)); /* self-signed: not in the system store */
    ASSERT(fake_log_has(&p, "TLS handshake failed"));
    done(&p);

    ASSERT(tls_probe(cert_path, key_path, "{insecure_skip_verify: true}", &p));
    done(&p);

    snprintf(cfg, sizeof cfg, "{ca_file: %s}", old_cert);
    ASSERT(!tls_probe(old_cert, old_key, cfg, &p));
    ASSERT(fake_log_has(&p, "expired"));
    done(&p);

    /* The CA inline, as a YAML string. */
    char *pem = NULL, inline_cfg[4096];
    size_t pem_len = 0, o = 0;
    ASSERT_OK(omx_read_file(cert_path, 8192, &pem, &pem_len));
    o += (size_t)snprintf(inline_cfg, sizeof inline_cfg, "{ca: \"");
    for (size_t i = 0; i < pem_len && o + 4 < sizeof inline_cfg; i++) {
        if (pem[i] == '\n') {
            inline_cfg[o++] = '\\';
            inline_cfg[o++] = 'n';
        } else {
            inline_cfg[o++] = pem[i];
        }
    }
    snprintf(inline_cfg + o, sizeof inline_cfg - o, "\"}");
    free(pem);
    ASSERT(tls_probe(cert_path, key_path, inline_cfg, &p));
    done(&p);

    /* A server that wants a client certificate signed by client.pem. */
    client_ca = client_cert;
    snprintf(cfg, sizeof cfg, "{ca_file: %s, cert_file: %s, key_file: %s}", cert_path, client_cert,
             client_key);
    ASSERT(tls_probe(cert_path, key_path, cfg, &p));
    done(&p);
    snprintf(cfg, sizeof cfg, "{ca_file: %s}", cert_path);
    ASSERT(!tls_probe(cert_path, key_path, cfg, &p)); /* no certificate to show */
    done(&p);
    snprintf(cfg, sizeof cfg, "{ca_file: %s, cert_file: %s, key_file: %s}", cert_path, old_cert,
             old_key);
    ASSERT(!tls_probe(cert_path, key_path, cfg, &p)); /* one the server does not trust */
    done(&p);
    client_ca = NULL;
    snprintf(cfg, sizeof cfg, "{ca_file: %s, cert_file: %s, key_file: %s}", cert_path, client_cert,
             key_path);
    ASSERT(!tls_probe(cert_path, key_path, cfg, &p)); /* key of another certificate */
    ASSERT(fake_log_has(&p, "cannot use the client certificate"));
    done(&p);

    ASSERT(!tls_probe(cert_path, key_path, "{ca_file: /nonexistent/ca.pem}", &p));
    ASSERT(fake_log_has(&p, "/nonexistent/ca.pem"));
    done(&p);
}

/* An SMTP-like dialogue that upgrades to TLS half way. */
static void srv_smtp(int fd, void *vctx) {
    tls_ctx *c = vctx;
    char line[256];
    testsrv_write(fd, "220 mail.test ESMTP\r\n");
    if (!testsrv_read_line(fd, line, sizeof line) || strcmp(line, "EHLO prober") != 0)
        return;
    testsrv_write(fd, "250-mail.test\r\n250 STARTTLS\r\n");
    if (!testsrv_read_line(fd, line, sizeof line) || strcmp(line, "STARTTLS") != 0)
        return;
    testsrv_write(fd, "220 2.0.0 Ready to start TLS\r\n");
    gnutls_certificate_credentials_t cred = testcert_server_cred(c->cert, c->key);
    gnutls_session_t s;
    if (testcert_accept(fd, cred, false, &s)) {
        ssize_t n = gnutls_record_recv(s, c->got, sizeof c->got - 1);
        if (n > 0) {
            c->got[n] = 0;
            gnutls_record_send(s, "250 mail.test after tls\r\n", 25);
        }
        gnutls_record_recv(s, line, sizeof line);
        gnutls_deinit(s);
    }
    gnutls_certificate_free_credentials(cred);
}

static void test_starttls(void) {
    char yaml[1024], target[64];
    snprintf(yaml, sizeof yaml,
             "preferred_ip_protocol: ip4\n"
             "query_response:\n"
             "  - expect: '^220 ([^ ]+) ESMTP'\n"
             "    send: 'EHLO prober'\n"
             "  - expect: '^250 STARTTLS'\n"
             "    send: STARTTLS\n"
             "  - expect: '^220'\n"
             "    starttls: true\n"
             "  - send: 'EHLO prober'\n"
             "  - expect: '^250 (\\S+) after tls'\n"
             "    labels: [{name: host, value: '$1'}]\n"
             "tls_config: {ca_file: %s, server_name: localhost}\n",
             cert_path);
    tls_ctx c = {.cert = cert_path, .key = key_path};
    testsrv s;
    testsrv_start(&s, "127.0.0.1", srv_smtp, &c);
    bb_probe p;
    bool ok = probe(yaml, target_of(&s, target, sizeof target), 3000, &p);
    testsrv_stop(&s);
    if (!ok)
        fake_print(&p);
    ASSERT(ok);
    ASSERT_STR_EQ(c.got, "EHLO prober\n");
    ASSERT_DBL_EQ(value(&p, "probe_expect_info", "host=mail.test"), 1.0);
    ASSERT(fake_value(&p, "probe_tls_version_info", NULL, NULL));
    done(&p);
}

/* --- config --- */

static void parse_fails(const char *yaml, const char *want) {
    void *cfg = NULL;
    char err[512];
    ASSERT(fake_parse(&bb_prober_tcp, yaml, &cfg, err, sizeof err) < 0);
    ASSERT(cfg == NULL);
    ASSERT_MSG(strstr(err, want), "error \"%s\" lacks \"%s\"", err, want);
}

static void test_config(void) {
    parse_fails("bogus: 1\n", "bogus");
    parse_fails("query_response: [{expect: '('}]\n", "Could not compile");
    parse_fails("query_response: [{expect: '(?=a)'}]\n", "test.yml:1:");
    parse_fails("query_response: [{expect: a, expect_bytes: b}]\n", "mutually exclusive");
    parse_fails("query_response: [{expect: a, labels: [{name: 'bad-name', value: x}]}]\n",
                "not a valid label name");
    parse_fails("query_response: [{expect: a, labels: [{value: x}]}]\n", "needs a name");
    parse_fails("query_response: [{sned: x}]\n", "sned");
    parse_fails("query_response: {expect: a}\n", "expected a list");
    parse_fails("tls: maybe\n", "tls");
    parse_fails("preferred_ip_protocol: ip5\n", "preferred_ip_protocol");

    void *cfg = NULL;
    char err[512];
    ASSERT_OK(fake_parse(&bb_prober_tcp,
                         "query_response:\n"
                         "  - expect: '^220'\n"
                         "    labels: [{name: a, value: '$1'}]\n"
                         "  - send: QUIT\n"
                         "    starttls: true\n"
                         "  - {}\n"
                         "tls_config: {insecure_skip_verify: true}\n",
                         &cfg, err, sizeof err));
    char *d = fake_dump(&bb_prober_tcp, cfg);
    ASSERT(d);
    ASSERT_MSG(strstr(d, "  query_response:\n  - expect: ^220\n    labels:\n    - name: a\n"
                         "      value: $1\n  - send: QUIT\n    starttls: true\n  - {}\n"
                         "  tls_config:\n    insecure_skip_verify: true\n"),
               "%s", d);
    free(d);
    bb_prober_tcp.free(cfg);
    bb_prober_tcp.free(NULL);

    /* No section: defaults (ip6 preferred, fallback on), plain connect. */
    ASSERT_OK(bb_prober_tcp.parse(NULL, NULL, &cfg));
    d = fake_dump(&bb_prober_tcp, cfg);
    ASSERT(strstr(d, "preferred_ip_protocol: ip6") && strstr(d, "ip_protocol_fallback: true"));
    free(d);
    bb_prober_tcp.free(cfg);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[64];
    snprintf(dir, sizeof dir, "%.30s/bb-tcp-XXXXXX", tmp);
    ASSERT(mkdtemp(dir));
    snprintf(cert_path, sizeof cert_path, "%s/cert.pem", dir);
    snprintf(key_path, sizeof key_path, "%s/key.pem", dir);
    snprintf(old_cert, sizeof old_cert, "%s/old.pem", dir);
    snprintf(old_key, sizeof old_key, "%s/oldkey.pem", dir);
    testcert_make(cert_path, key_path, false);
    testcert_make(old_cert, old_key, true);
    snprintf(client_cert, sizeof client_cert, "%s/client.pem", dir);
    snprintf(client_key, sizeof client_key, "%s/clientkey.pem", dir);
    testcert_make(client_cert, client_key, false);

    test_config();
    test_captures();
    test_no_match();
    test_many_lines();
    test_expect_bytes();
    test_ipv6_and_refused();
    test_hostile();
    test_tls();
    test_starttls();

    unlink(cert_path);
    unlink(key_path);
    unlink(old_cert);
    unlink(old_key);
    unlink(client_cert);
    unlink(client_key);
    rmdir(dir);
    TEST_DONE();
}
