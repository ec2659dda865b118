/* The passive: section: defaults, every key, errors naming file:line and key,
 * the dump, CIDR matching and the BPF filter text. */
#include <string.h>

#include "omx-test.h"
#include "wire-int.h"

static int parse(const char *text, wire_config **ret, char *err, size_t errlen) {
    omx_yaml *y = NULL;
    int rc = omx_yaml_load_string("bb.yml", text, strlen(text), &y, err, errlen);
    if (rc == 0)
        rc = wire_config_parse(y, omx_yaml_root(y), ret);
    omx_yaml_free(y);
    return rc;
}

static void bad(const char *text, const char *want) {
    char err[512] = "";
    wire_config *c = NULL;
    ASSERT_EQ(parse(text, &c, err, sizeof err), OMX_ECONFIG);
    ASSERT(c == NULL);
    ASSERT_MSG(strstr(err, want) != NULL, "error \"%s\" lacks \"%s\"", err, want);
}

int main(void) {
    char err[512] = "";
    wire_config *c = NULL;
    ASSERT_OK(parse("interfaces: [eth0, lo]\n"
                    "filter: not host 10.9.9.9\n"
                    "snaplen: 256\n"
                    "handshake_acks: false\n"
                    "service_ports: [443, 22]\n"
                    "resolvers: [10.0.0.53, '2001:db8::53']\n"
                    "local_networks: [10.0.0.0/8]\n"
                    "networks:\n  lan: [10.0.0.0/8]\n  internet: [0.0.0.0/0, '::/0']\n"
                    "volume: true\n"
                    "top_peers: 5\n"
                    "limits: {handshake_table: 1000, dns_table: 10, handshake_timeout: 1m, "
                    "dns_timeout: 500ms}\n"
                    "buckets: {handshake: [0.001, 0.01], dns: [0.5]}\n",
                    &c, err, sizeof err));
    ASSERT_EQ(c->n_ifaces, 2);
    ASSERT_STR_EQ(c->ifaces[1], "lo");
    ASSERT_STR_EQ(c->filter, "not host 10.9.9.9");
    ASSERT_EQ(c->snaplen, 256);
    ASSERT_EQ(c->n_ports, 2);
    ASSERT_EQ(c->ports[0], 443);
    ASSERT_STR_EQ(c->resolver_names[1], "2001:db8::53");
    ASSERT_EQ(c->n_nets, 2);
    ASSERT_STR_EQ(c->nets[1].name, "internet");
    ASSERT_EQ(c->nets[1].n, 2);
    ASSERT_EQ(c->hs_table, 1000);
    ASSERT_EQ(c->dns_timeout_ns, 500000000);
    ASSERT_EQ(c->n_hs_buckets, 2);
    ASSERT(c->volume);
    ASSERT_EQ(c->top_peers, 5);
    omx_buf b;
    omx_buf_init(&b, 1 << 16);
    ASSERT_OK(wire_config_dump(c, &b, 2));
    ASSERT(strstr(b.data, "  filter: \"not host 10.9.9.9\"\n"));
    ASSERT(strstr(b.data, "  - 2001:db8::53\n"));
    ASSERT(strstr(b.data, "    internet:\n    - 0.0.0.0/0\n    - ::/0\n"));
    ASSERT(strstr(b.data, "    dns_timeout: 500ms\n"));
    ASSERT(strstr(b.data, "    handshake: [0.001, 0.01]\n"));
    /* the dump reads back as the same config */
    omx_buf b0;
    omx_buf_init(&b0, 1 << 16);
    ASSERT_OK(wire_config_dump(c, &b0, 0));
    wire_config *again = NULL;
    ASSERT_MSG(parse(b0.data, &again, err, sizeof err) == 0, "%s in\n%s", err, b0.data);
    omx_buf b2;
    omx_buf_init(&b2, 1 << 16);
    ASSERT_OK(wire_config_dump(again, &b2, 0));
    ASSERT_STR_EQ(b2.data, b0.data);
    wire_config_free(again);
    omx_buf_free(&b0);
    omx_buf_free(&b2);
    omx_buf_free(&b);
    char f[8192];
    ASSERT_OK(wire_filter_build(c, f, sizeof f));
    ASSERT_STR_EQ(f, "(ip or ip6) and (not host 10.9.9.9)");
    wire_config *d = wire_config_copy(c);
    ASSERT(d && d->nets[0].cidrs != c->nets[0].cidrs && d->nets[0].n == 1);
    wire_config_free(d);
    c = wire_config_free(c);

    /* defaults */
    ASSERT_OK(parse("{}", &c, err, sizeof err));
    ASSERT_STR_EQ(c->ifaces[0], "any");
    ASSERT_EQ(c->snaplen, 512);
    ASSERT_OK(wire_filter_build(c, f, sizeof f));
    ASSERT(strstr(f, "tcp[13] & 7 != 0") && strstr(f, "port 53") && strstr(f, "icmp6"));
    c = wire_config_free(c);
    ASSERT(wire_config_free(NULL) == NULL);

    bad("interfacez: [eth0]\n", "bb.yml:1:1: key \"passive.interfacez\"");
    bad("interfaces: [averyveryverylongname]\n", "invalid interface name");
    bad("interfaces: [eth0, eth0]\n", "given twice");
    bad("service_ports: [80, 70000]\n", "key \"passive.service_ports\": must be between 1 and");
    bad("service_ports: 80\n", "expected a list of ports");
    bad("resolvers: [10.0.0.0/8]\n", "invalid IP address");
    bad("local_networks: [10.0.0.0/33]\n", "invalid CIDR");
    bad("networks: {other: [10.0.0.0/8]}\n", "not \"other\"");
    bad("networks: {lan: []}\n", "key \"passive.networks.lan\": a network needs");
    bad("networks:\n  lan: [10.0.0.0/8]\n  wan: [bogus]\n",
        "bb.yml:3:9: key \"passive.networks.wan\"");
    bad("limits: {handshake_table: 0}\n", "passive.limits.handshake_table");
    bad("limits: {dns_timeout: 0s}\n", "passive.limits.dns_timeout");
    bad("limits: {size: 1}\n", "passive.limits.size");
    bad("buckets: {dns: [0.1, 0.05]}\n", "bucket bounds must increase");
    bad("buckets: {handshake: [-1]}\n", "positive");
    bad("top_peers: 1000\n", "passive.top_peers");
    bad("snaplen: 10\n", "passive.snaplen");
    bad("volume: maybe\n", "passive.volume");

    wire_cidr n;
    ASSERT_OK(wire_cidr_parse("10.1.2.3/16", &n));
    ASSERT(wire_cidr_match(&n, 4, (const uint8_t *)"\x0a\x01\xff\xff"));
    ASSERT(!wire_cidr_match(&n, 4, (const uint8_t *)"\x0a\x02\x00\x00"));
    ASSERT(!wire_cidr_match(&n, 6, (const uint8_t *)"\x0a\x01\x00\x00\0\0\0\0\0\0\0\0\0\0\0\0"));
    ASSERT_OK(wire_cidr_parse("2001:db8::/33", &n));
    ASSERT(wire_cidr_match(&n, 6, (const uint8_t *)"\x20\x01\x0d\xb8\x7f\0\0\0\0\0\0\0\0\0\0\1"));
    ASSERT(!wire_cidr_match(&n, 6, (const uint8_t *)"\x20\x01\x0d\xb8\x80\0\0\0\0\0\0\0\0\0\0\1"));
    char s[64];
    wire_cidr_format(&n, s, sizeof s);
    ASSERT_STR_EQ(s, "2001:db8::/33");
    ASSERT_EQ(wire_cidr_parse("", &n), -EINVAL);
    ASSERT_EQ(wire_cidr_parse("1.2.3.4/x", &n), -EINVAL);
    TEST_DONE();
}
