/* Target parsing, resolution as upstream's chooseProtocol (literals,
 * localhost, fallback), the address hash, the allow-list and the timeout. */
#include <arpa/inet.h>
#include <string.h>

#include "allow.h"
#include "omx-test.h"
#include "plog.h"
#include "result.h"
#include "runtime.h"
#include "server.h"

static void test_split(void) {
    char host[256];
    uint16_t port = 0;
    ASSERT_OK(bb_split_host_port("example.org:80", host, sizeof host, &port, 0));
    ASSERT_STR_EQ(host, "example.org");
    ASSERT_EQ(port, 80);
    ASSERT_OK(bb_split_host_port("[::1]:53", host, sizeof host, &port, 0));
    ASSERT_STR_EQ(host, "::1");
    ASSERT_EQ(port, 53);
    ASSERT_OK(bb_split_host_port("::1", host, sizeof host, &port, 7));
    ASSERT_STR_EQ(host, "::1");
    ASSERT_EQ(port, 7);
    ASSERT_OK(bb_split_host_port("h", host, sizeof host, &port, 9));
    ASSERT_EQ(port, 9);
    ASSERT_EQ(bb_split_host_port("h", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port("h:0", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port("h:65536", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port("h:8x", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port(":80", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port("[::1", host, sizeof host, &port, 0), -EINVAL);
    ASSERT_EQ(bb_split_host_port("abcdef:1", host, 4, &port, 0), -EINVAL);
}

static bb_probe new_probe(const bb_runtime *rt) {
    bb_probe p = {
        .res = bb_result_new(), .log = bb_plog_new("m", "t", OMX_LOG_ERROR + 1), .rt = rt};
    p.start_ns = bb_now_ns();
    p.deadline_ns = p.start_ns + 5000000000LL;
    return p;
}

static void free_probe(bb_probe *p) {
    bb_result_free(p->res);
    bb_plog_free(p->log);
}

static void test_resolve(void) {
    struct sockaddr_storage ss;
    socklen_t len;
    double v;
    bb_ip_opts ip;
    bb_ip_opts_default(&ip);

    bb_probe p = new_probe(NULL);
    ASSERT_OK(bb_resolve(&p, "127.0.0.1", 8080, &ip, &ss, &len)); /* fallback to ip4 */
    ASSERT_EQ(ss.ss_family, AF_INET);
    ASSERT_EQ(len, sizeof(struct sockaddr_in));
    ASSERT_EQ(ntohs(((struct sockaddr_in *)&ss)->sin_port), 8080);
    ASSERT_OK(bb_result_get(p.res, "probe_ip_protocol", 0, NULL, &v));
    ASSERT_DBL_EQ(v, 4);
    ASSERT_OK(bb_result_get(p.res, "probe_ip_addr_hash", 0, NULL, &v));
    ASSERT_DBL_EQ(v, 3668918509.0); /* FNV-1a 32 of 7f 00 00 01 */
    ASSERT_OK(bb_result_get(p.res, "probe_dns_lookup_time_seconds", 0, NULL, &v));
    free_probe(&p);

    p = new_probe(NULL);
    ip.fallback = false; /* ip6 only: an IPv4 literal has no address of it */
    ASSERT(bb_resolve(&p, "127.0.0.1", 80, &ip, &ss, &len) < 0);
    ASSERT_OK(bb_result_get(p.res, "probe_ip_protocol", 0, NULL, &v));
    ASSERT_DBL_EQ(v, 0);
    ASSERT(strstr(bb_plog_text(p.log, NULL), "Resolution with IP protocol failed") != NULL);
    free_probe(&p);

    p = new_probe(NULL);
    ip.preferred = 4;
    ASSERT_OK(bb_resolve(&p, "localhost", 80, &ip, &ss, &len));
    ASSERT_EQ(ss.ss_family, AF_INET);
    free_probe(&p);

    p = new_probe(NULL);
    ASSERT(bb_resolve(&p, "does-not-exist.invalid", 80, &ip, &ss, &len) < 0);
    free_probe(&p);

    p = new_probe(NULL);
    p.deadline_ns = p.start_ns; /* expired: a lookup gives up at once */
    bb_ip_opts_default(&ip);
    int64_t t0 = bb_now_ns();
    int rc = bb_resolve(&p, "localhost", 80, &ip, &ss, &len);
    ASSERT(rc == 0 || rc == -ETIMEDOUT);
    ASSERT(bb_now_ns() - t0 < 1000000000LL);
    free_probe(&p);

    p = new_probe(NULL);
    ASSERT_OK(bb_resolve(&p, "::1", 80, &ip, &ss, &len));
    ASSERT_EQ(ss.ss_family, AF_INET6);
    ASSERT_OK(bb_result_get(p.res, "probe_ip_protocol", 0, NULL, &v));
    ASSERT_DBL_EQ(v, 6);
    free_probe(&p);
}

static void test_allow(void) {
    char err[256];
    bb_allow *a = NULL;
    ASSERT_OK(bb_allow_parse(NULL, &a, err, sizeof err));
    ASSERT(a == NULL);
    ASSERT(bb_allow_check(NULL, "x", NULL));
    const char *const specs[] = {"10.0.0.0/8,192.168.1.1", "*.example.com", "2001:db8::/32", NULL};
    ASSERT_OK(bb_allow_parse(specs, &a, err, sizeof err));
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    inet_pton(AF_INET, "10.1.2.3", &s4.sin_addr);
    ASSERT(bb_allow_check(a, "h", (struct sockaddr *)&s4));
    inet_pton(AF_INET, "11.1.2.3", &s4.sin_addr);
    ASSERT(!bb_allow_check(a, "h", (struct sockaddr *)&s4));
    ASSERT(bb_allow_check(a, "WWW.Example.com", (struct sockaddr *)&s4));
    ASSERT(!bb_allow_check(a, "example.com.evil.org", (struct sockaddr *)&s4));
    inet_pton(AF_INET, "192.168.1.1", &s4.sin_addr);
    ASSERT(bb_allow_check(a, NULL, (struct sockaddr *)&s4));
    inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr);
    ASSERT(bb_allow_check(a, NULL, (struct sockaddr *)&s6));
    inet_pton(AF_INET6, "::ffff:10.0.0.1", &s6.sin6_addr); /* mapped v4 is v4 */
    ASSERT(bb_allow_check(a, NULL, (struct sockaddr *)&s6));
    inet_pton(AF_INET6, "::1", &s6.sin6_addr);
    ASSERT(!bb_allow_check(a, NULL, (struct sockaddr *)&s6));

    /* checked inside bb_resolve */
    bb_runtime rt = {.allow = a};
    bb_probe p = new_probe(&rt);
    struct sockaddr_storage ss;
    socklen_t len;
    ASSERT_EQ(bb_resolve(&p, "127.0.0.1", 80, NULL, &ss, &len), -EACCES);
    ASSERT(strstr(bb_plog_text(p.log, NULL), "not allowed") != NULL);
    free_probe(&p);
    bb_allow_free(a);

    static const char *const bad[] = {"10.0.0.0/33", "10.0.0.0/", "a/b", "bad host!", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *one[] = {bad[i], NULL};
        a = NULL;
        int rc = bb_allow_parse(one, &a, err, sizeof err);
        ASSERT_MSG(rc == OMX_EINVAL || (rc == 0 && a == NULL), "%s", bad[i]);
        bb_allow_free(a);
    }
}

static void test_timeout(void) {
    double t;
    ASSERT_OK(bb_probe_timeout(NULL, 0, 0.5, &t));
    ASSERT_DBL_EQ(t, 119.5);
    ASSERT_OK(bb_probe_timeout("10", 0, 0.5, &t));
    ASSERT_DBL_EQ(t, 9.5);
    ASSERT_OK(bb_probe_timeout("10", 5000000000LL, 0.5, &t));
    ASSERT_DBL_EQ(t, 5);
    ASSERT_OK(bb_probe_timeout("3", 5000000000LL, 0.5, &t));
    ASSERT_DBL_EQ(t, 2.5);
    ASSERT_OK(bb_probe_timeout("0.2", 5000000000LL, 0.5, &t)); /* negative: module's */
    ASSERT_DBL_EQ(t, 5);
    ASSERT_EQ(bb_probe_timeout("abc", 0, 0.5, &t), -EINVAL);
}

int main(void) {
    test_split();
    test_resolve();
    test_allow();
    test_timeout();
    TEST_DONE();
}
