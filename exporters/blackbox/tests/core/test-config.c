/* blackbox.yml loading: modules with prober sections, errors naming
 * file:line:key, the dump for /config with secrets hidden, Go durations. */
#include <string.h>

#include "config.h"
#include "omx-test.h"

static int load(const char *text, bb_config **c, char *err, size_t errlen) {
    return bb_config_load_string("bb.yml", text, strlen(text), c, err, errlen);
}

static void expect_error(const char *text, const char *want) {
    char err[1024] = "";
    bb_config *c = NULL;
    int rc = load(text, &c, err, sizeof err);
    ASSERT_MSG(rc < 0, "no error for: %s", text);
    ASSERT(c == NULL);
    ASSERT_MSG(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

static void test_good(void) {
    char err[1024] = "";
    bb_config *c = NULL;
    ASSERT_OK(load("modules:\n"
                   "  tcp_connect:\n"
                   "    prober: tcp\n"
                   "    timeout: 1m30s\n"
                   "  http_2xx:\n"
                   "    prober: http\n"
                   "    http:\n",
                   &c, err, sizeof err));
    ASSERT_EQ(bb_config_n_modules(c), 2);
    ASSERT_STR_EQ(bb_config_module_at(c, 0)->name, "http_2xx"); /* sorted */
    const bb_module *m = bb_config_module(c, "tcp_connect");
    ASSERT(m != NULL);
    ASSERT(m->prober == &bb_prober_tcp);
    ASSERT_EQ(m->timeout_ns, 90000000000LL);
    ASSERT(bb_config_module(c, "nope") == NULL);
    ASSERT(bb_config_passive(c) == NULL);
    size_t len;
    const char *y = bb_module_yaml(m, &len);
    /* then the sections upstream shows in every module (http's defaults...) */
    ASSERT(!strncmp(y, "prober: tcp\ntimeout: 1m30s\n", 27));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(bb_config_dump(c, &b));
    ASSERT(strstr(b.data, "modules:\n  http_2xx:\n    prober: http\n") == b.data);
    ASSERT(strstr(b.data, "  tcp_connect:\n    prober: tcp\n    timeout: 1m30s\n") != NULL);
    omx_buf_free(&b);
    bb_config *r = bb_config_ref(c);
    ASSERT(bb_config_unref(c) == NULL);
    ASSERT(bb_config_module(r, "http_2xx") != NULL); /* still alive: one reference left */
    ASSERT(bb_config_unref(r) == NULL);
    ASSERT(bb_config_unref(NULL) == NULL);

    ASSERT_OK(load("", &c, err, sizeof err)); /* an empty file has no modules */
    ASSERT_EQ(bb_config_n_modules(c), 0);
    bb_config_unref(c);
}

static void test_errors(void) {
    expect_error("modules:\n  m:\n    prober: http\n    timeoutt: 5s\n", "bb.yml:4:");
    expect_error("modules:\n  m:\n    prober: http\n    timeoutt: 5s\n", "modules.m.timeoutt");
    expect_error("modules:\n  m:\n    prober: gopher\n", "unknown prober 'gopher'");
    expect_error("modules:\n  m:\n    prober: unix\n", "unix prober is not supported");
    expect_error("modules:\n  m:\n    timeout: 5s\n", "missing prober");
    expect_error("modules:\n  m:\n    prober: http\n    timeout: 5 s\n", "invalid duration");
    expect_error("modules:\n  m:\n    prober: http\n  m:\n    prober: tcp\n", "defined twice");
    expect_error("module:\n  m:\n    prober: http\n", "\"module\"");
    expect_error("modules: [a, b]\n", "expected a mapping");
    expect_error("modules:\n  m: 3\n", "a module must be a mapping");
    expect_error("modules:\n  m:\n    prober: http\n    tcp: [1]\n", "expected a mapping");
    expect_error("modules:\n  m:\n    prober: [http]\n", "modules.m.prober");
    expect_error("modules:\n  m:\n   - : :\n", "bb.yml");
}

static void test_durations(void) {
    static const struct {
        int64_t ns;
        const char *want;
    } cases[] = {{0, "0s"},
                 {5000000000LL, "5s"},
                 {90000000000LL, "1m30s"},
                 {3600000000000LL, "1h0m0s"},
                 {500000000, "500ms"},
                 {1500000000, "1.5s"},
                 {1500, "1.5µs"},
                 {7, "7ns"},
                 {2500000, "2.5ms"}};
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bb_format_go_duration(buf, sizeof buf, cases[i].ns);
        ASSERT_STR_EQ(buf, cases[i].want);
    }
}

static void test_common(void) {
    char err[1024] = "";
    omx_yaml *y = NULL;
    const char *text = "tls_config:\n  ca_file: /ca.pem\n  key: hunter2\n  cert: PEM\n"
                       "  min_version: TLS12\n  server_name: example.org\n"
                       "ip:\n  preferred_ip_protocol: ip4\n  ip_protocol_fallback: false\n"
                       "  source_ip_address: 127.0.0.1\n";
    ASSERT_OK(omx_yaml_load_string("t.yml", text, strlen(text), &y, err, sizeof err));
    const omx_yaml_node *k, *v;
    ASSERT_OK(omx_yaml_pair(y, omx_yaml_root(y), 0, &k, &v));
    bb_tls_config tls;
    ASSERT_OK(bb_tls_config_parse(y, v, &tls));
    ASSERT_STR_EQ(tls.ca_file, "/ca.pem");
    ASSERT_EQ(tls.min_version, 0x0303);
    omx_buf b;
    omx_buf_init(&b, 4096);
    ASSERT_OK(bb_tls_config_dump(&tls, &b, 2));
    ASSERT(strstr(b.data, "  key: <secret>\n") != NULL);
    ASSERT(strstr(b.data, "hunter2") == NULL);
    ASSERT(strstr(b.data, "  min_version: TLS12\n") != NULL);
    ASSERT(strstr(b.data, "  insecure_skip_verify: false\n") != NULL);
    omx_buf_reset(&b);

    ASSERT_OK(omx_yaml_pair(y, omx_yaml_root(y), 1, &k, &v));
    bb_ip_opts ip;
    bb_ip_opts_default(&ip);
    ASSERT_EQ(ip.preferred, 6);
    for (size_t i = 0; i < omx_yaml_len(v); i++) {
        const omx_yaml_node *kk, *vv;
        ASSERT_OK(omx_yaml_pair(y, v, i, &kk, &vv));
        ASSERT_EQ(bb_ip_opts_field(y, vv, omx_yaml_scalar(kk), &ip), 1);
    }
    ASSERT_EQ(bb_ip_opts_field(y, v, "x.other", &ip), 0);
    ASSERT_EQ(ip.preferred, 4);
    ASSERT(!ip.fallback);
    ASSERT_STR_EQ(ip.source_ip, "127.0.0.1");
    ASSERT_OK(bb_ip_opts_dump(&ip, &b, 0));
    ASSERT_STR_EQ(b.data, "preferred_ip_protocol: ip4\nip_protocol_fallback: false\n"
                          "source_ip_address: 127.0.0.1\n");
    omx_buf_reset(&b);
    omx_yaml_free(y);

    /* errors */
    static const char *const bad[] = {"tls_config:\n  ca: a\n  ca_file: b\n",
                                      "tls_config:\n  cert: a\n",
                                      "tls_config:\n  min_version: TLS9\n",
                                      "tls_config:\n  ca_ref: x\n",
                                      "tls_config:\n  bogus: x\n",
                                      "tls_config:\n  min_version: TLS13\n  max_version: TLS12\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ASSERT_OK(omx_yaml_load_string("t.yml", bad[i], strlen(bad[i]), &y, err, sizeof err));
        ASSERT_OK(omx_yaml_pair(y, omx_yaml_root(y), 0, &k, &v));
        ASSERT_MSG(bb_tls_config_parse(y, v, &tls) == OMX_ECONFIG, "%s", bad[i]);
        ASSERT(strstr(err, "t.yml:") != NULL);
        ASSERT(strstr(err, "tls_config") != NULL);
        omx_yaml_free(y);
    }
    const char *badip = "preferred_ip_protocol: ip5\nsource_ip_address: nowhere\n";
    ASSERT_OK(omx_yaml_load_string("t.yml", badip, strlen(badip), &y, err, sizeof err));
    for (size_t i = 0; i < 2; i++) {
        ASSERT_OK(omx_yaml_pair(y, omx_yaml_root(y), i, &k, &v));
        ASSERT_EQ(bb_ip_opts_field(y, v, omx_yaml_scalar(k), &ip), OMX_ECONFIG);
    }
    omx_yaml_free(y);

    /* quoting */
    static const struct {
        const char *in, *want;
    } q[] = {{"plain", "k: plain\n"},   {"true", "k: \"true\"\n"}, {"", "k: \"\"\n"},
             {"a: b", "k: \"a: b\"\n"}, {"12", "k: \"12\"\n"},     {"x\ny", "k: \"x\\ny\"\n"},
             {"-x", "k: \"-x\"\n"},     {"a\"b", "k: a\"b\n"}};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        omx_buf_reset(&b);
        ASSERT_OK(bb_dump_kv(&b, 0, "k", q[i].in));
        ASSERT_STR_EQ(b.data, q[i].want);
    }
    omx_buf_reset(&b);
    ASSERT_OK(bb_dump_kv(&b, 0, "k", NULL));
    ASSERT_OK(bb_dump_secret(&b, 0, "k", ""));
    ASSERT_EQ(b.len, 0);
    omx_buf_free(&b);
}

int main(void) {
    test_good();
    test_errors();
    test_durations();
    test_common();
    TEST_DONE();
}
