/* The dns section of blackbox.yml: every 0.28 option read, defaults as
 * upstream's, errors naming file:line and key, the dump for /config. */
#include <string.h>

#include "config.h"
#include "omx-test.h"
#include "probers/dns/dns.h"

static bb_config *load(const char *text, char *err, size_t errlen) {
    bb_config *c = NULL;
    int rc = bb_config_load_string("bb.yml", text, strlen(text), &c, err, errlen);
    ASSERT_MSG(rc == 0, "%s", err);
    return c;
}

static void expect_error(const char *section, const char *want) {
    char text[2048], err[1024] = "";
    snprintf(text, sizeof text, "modules:\n  d:\n    prober: dns\n    dns:\n%s", section);
    bb_config *c = NULL;
    int rc = bb_config_load_string("bb.yml", text, strlen(text), &c, err, sizeof err);
    ASSERT_MSG(rc < 0, "no error for: %s", section);
    ASSERT(c == NULL);
    ASSERT_MSG(strstr(err, want) != NULL, "error '%s' lacks '%s'", err, want);
}

static void test_all_options(void) {
    char err[1024] = "";
    bb_config *c = load("modules:\n"
                        "  d:\n"
                        "    prober: dns\n"
                        "    dns:\n"
                        "      preferred_ip_protocol: ip4\n"
                        "      ip_protocol_fallback: false\n"
                        "      source_ip_address: 127.0.0.1\n"
                        "      transport_protocol: tcp\n"
                        "      dns_over_tls: true\n"
                        "      tls_config:\n"
                        "        insecure_skip_verify: true\n"
                        "        key: hunter2\n"
                        "        cert: PEM\n"
                        "      query_name: example.com\n"
                        "      query_type: SOA\n"
                        "      query_class: CH\n"
                        "      recursion_desired: false\n"
                        "      valid_rcodes: [NOERROR, NXDOMAIN]\n"
                        "      validate_answer_rrs:\n"
                        "        fail_if_matches_regexp: [a]\n"
                        "        fail_if_all_match_regexp: [b]\n"
                        "        fail_if_not_matches_regexp: [c, \"d\\t\"]\n"
                        "        fail_if_none_matches_regexp: [e]\n"
                        "      validate_authority_rrs:\n"
                        "        fail_if_matches_regexp: [f]\n"
                        "      validate_additional_rrs:\n"
                        "        fail_if_none_matches_regexp: ['^x$']\n",
                        err, sizeof err);
    const bb_module *m = bb_config_module(c, "d");
    ASSERT(m && m->prober == &bb_prober_dns);
    const bb_dns_config *d = m->cfg;
    ASSERT_EQ(d->ip.preferred, 4);
    ASSERT(!d->ip.fallback);
    ASSERT_STR_EQ(d->ip.source_ip, "127.0.0.1");
    ASSERT(d->tcp && d->dns_over_tls && d->tls.insecure_skip_verify);
    ASSERT_STR_EQ(d->query_name, "example.com");
    ASSERT_EQ(d->query_type, 6);
    ASSERT_EQ(d->query_class, 3);
    ASSERT(!d->recursion_desired);
    ASSERT_EQ(d->n_valid_rcodes, 2);
    ASSERT_EQ(d->valid_rcodes[1], 3);
    ASSERT_EQ(d->answer.r[BB_DNS_FAIL_IF_NOT_MATCHES].n, 2);
    ASSERT_EQ(d->authority.r[BB_DNS_FAIL_IF_MATCHES].n, 1);
    ASSERT_EQ(d->additional.r[BB_DNS_FAIL_IF_NONE_MATCHES].n, 1);
    ASSERT_EQ(omx_regex_match(d->additional.r[BB_DNS_FAIL_IF_NONE_MATCHES].re[0], "x", 1), 1);

    size_t len;
    const char *y = bb_module_yaml(m, &len);
    ASSERT_MSG(strstr(y, "dns:\n  preferred_ip_protocol: ip4\n  ip_protocol_fallback: false\n"
                         "  source_ip_address: 127.0.0.1\n  dns_over_tls: true\n  tls_config:\n") !=
                   NULL,
               "%s", y);
    ASSERT(strstr(y, "hunter2") == NULL);
    ASSERT(strstr(y, "    key: <secret>\n") != NULL);
    ASSERT_MSG(strstr(y, "  transport_protocol: tcp\n  query_class: CH\n  query_name: example.com\n"
                         "  query_type: SOA\n  valid_rcodes:\n  - NOERROR\n  - NXDOMAIN\n"
                         "  validate_answer_rrs:\n    fail_if_matches_regexp:\n    - a\n") != NULL,
               "%s", y);
    ASSERT_MSG(strstr(y, "recursion_desired") == NULL, "%s", y); /* false: omitted */
    ASSERT_MSG(strstr(y, "    fail_if_not_matches_regexp:\n    - c\n    - \"d\\t\"\n") != NULL,
               "%s", y);
    ASSERT_MSG(strstr(y, "  validate_additional_rrs:\n    fail_if_none_matches_regexp:\n"
                         "    - ^x$\n") != NULL,
               "%s", y);
    bb_config_unref(c);
}

static void test_defaults(void) {
    char err[1024] = "";
    /* Every module has a default dns section, which needs no query_name. */
    bb_config *c = load("modules:\n  h:\n    prober: http\n  d:\n    prober: dns\n"
                        "  q:\n    prober: dns\n    dns:\n      query_name: example.com\n",
                        err, sizeof err);
    const bb_dns_config *d = bb_config_module(c, "d")->cfg;
    ASSERT(d != NULL);
    ASSERT_EQ(d->ip.preferred, 6);
    ASSERT(d->ip.fallback);
    ASSERT(!d->tcp && !d->dns_over_tls);
    ASSERT(d->recursion_desired);
    ASSERT(d->valid_rcode_names == NULL); /* NOERROR only */
    d = bb_config_module(c, "q")->cfg;
    ASSERT_EQ(d->query_type, 255); /* ANY */
    ASSERT_EQ(d->query_class, 1);  /* IN */
    size_t len;
    const char *y = bb_module_yaml(bb_config_module(c, "q"), &len);
    ASSERT_MSG(strstr(y, "dns:\n  preferred_ip_protocol: ip6\n  ip_protocol_fallback: true\n"
                         "  query_name: example.com\n  recursion_desired: true\n") != NULL,
               "%s", y);
    bb_config_unref(c);
}

static void test_errors(void) {
    expect_error("      query_name: a\n      query_nam: b\n", "bb.yml:6:");
    expect_error("      query_name: a\n      query_nam: b\n", "dns.query_nam");
    expect_error("      query_type: A\n", "query name must be set for DNS module");
    expect_error("      query_name: a\n      query_type: a\n", "query type 'a' is not valid");
    expect_error("      query_name: a\n      query_type: TYPE1\n", "dns.query_type");
    expect_error("      query_name: a\n      query_class: XX\n", "query class 'XX' is not valid");
    expect_error("      query_name: a\n      transport_protocol: sctp\n",
                 "expected transport protocol udp or tcp");
    expect_error("      query_name: a\n      dns_over_tls: true\n", "dns_over_tls needs");
    expect_error("      query_name: a\n      dns_over_tls: maybe\n", "dns.dns_over_tls");
    expect_error("      query_name: a\n      recursion_desired: 3\n", "recursion_desired");
    expect_error("      query_name: a\n      valid_rcodes: [NOERROR, NOPE]\n",
                 "invalid rcode \"NOPE\"");
    expect_error("      query_name: a\n      valid_rcodes: [NOERROR, NOPE]\n", "bb.yml:6:");
    expect_error("      query_name: a\n      validate_answer_rrs:\n        fail_if_matches: [x]\n",
                 "dns.validate_answer_rrs.fail_if_matches");
    expect_error("      query_name: a\n      validate_authority_rrs: [x]\n", "expected a mapping");
    expect_error("      query_name: a\n      validate_additional_rrs:\n"
                 "        fail_if_matches_regexp: ['(?=x)']\n",
                 "bad regexp");
    expect_error("      query_name: a\n      validate_additional_rrs:\n"
                 "        fail_if_matches_regexp: ['(?=x)']\n",
                 "bb.yml:7:34:");
    expect_error("      query_name: a..b\n", "not a valid domain name");
    expect_error("      query_name: a\n      preferred_ip_protocol: ip5\n", "ip5");
    expect_error("      query_name: a\n      source_ip_address: nope\n", "not an IP address");
    expect_error("      query_name: a\n      tls_config:\n        bogus: 1\n", "bogus");
}

/* The config checks names without ldns: its verdict must be ldns' own. */
static void test_names_as_ldns(void) {
    char long_label[80], long_name[300];
    memset(long_label, 'a', 64);
    long_label[64] = 0;
    for (size_t i = 0; i < sizeof long_name - 1; i++)
        long_name[i] = i % 2 ? '.' : 'b';
    long_name[sizeof long_name - 1] = 0;
    const char *names[] = {".",
                           "a",
                           "a.",
                           "example.com",
                           "example.com.",
                           "a..b",
                           ".a",
                           "..",
                           "a\\.b",
                           "a\\065b",
                           "a\\256",
                           "a\\09",
                           "a\\",
                           "under_score.",
                           "sp ace.x",
                           long_label,
                           long_name + 40,
                           long_name,
                           "*.wild.card",
                           "x.\\..y"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ldns_rdf *d = NULL;
        bool ldns_ok = ldns_str2rdf_dname(&d, names[i]) == LDNS_STATUS_OK;
        ldns_rdf_deep_free(d);
        ASSERT_MSG(bb_dns_name_valid(names[i]) == ldns_ok, "'%s': ldns says %s", names[i],
                   ldns_ok ? "valid" : "invalid");
    }
    char escaped[400] = ""; /* 287 characters, 78 octets on the wire: valid */
    for (int l = 0; l < 7; l++) {
        for (int i = 0; i < 10; i++)
            strcat(escaped, "\\097");
        strcat(escaped, ".");
    }
    ldns_rdf *d = NULL;
    ASSERT(bb_dns_name_valid(escaped) == (ldns_str2rdf_dname(&d, escaped) == LDNS_STATUS_OK));
    ldns_rdf_deep_free(d);
    ASSERT(!bb_dns_name_valid(""));
    ASSERT(!bb_dns_name_valid(NULL));
}

int main(void) {
    test_names_as_ldns();
    test_all_options();
    test_defaults();
    test_errors();
    TEST_DONE();
}
