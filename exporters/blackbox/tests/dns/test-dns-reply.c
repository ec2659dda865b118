/* Reply parsing (id, QR, question, malformed bytes, counts, serial, EDNS)
 * and the valid_rcodes / validate_*_rrs rules with upstream's outcomes. */
#include <ldns/ldns.h>
#include <stdarg.h>

#include "omx-test.h"
#include "probers/dns/dns.h"

static char logged[4096];

static void capture(void *ctx, int level, const char *fmt, va_list ap) {
    (void)ctx;
    if (level < OMX_LOG_ERROR)
        return;
    size_t n = strlen(logged);
    vsnprintf(logged + n, sizeof logged - n, fmt, ap);
    n = strlen(logged);
    if (n + 1 < sizeof logged)
        strcat(logged, "\n");
}

static ldns_rr *rr(const char *zone) {
    ldns_rr *r = NULL;
    ASSERT_MSG(ldns_rr_new_frm_str(&r, zone, 3600, NULL, NULL) == LDNS_STATUS_OK, "%s", zone);
    return r;
}

/* A reply to "example.com. IN <qtype>" with id 4242, records as zone lines
 * (NULL-terminated lists), in wire form. */
static uint8_t *reply(ldns_rr_type qtype, ldns_pkt_rcode rcode, const char *const *an,
                      const char *const *ns, const char *const *ar, int edns_udp, size_t *len) {
    ldns_rdf *qn = NULL;
    ASSERT(ldns_str2rdf_dname(&qn, "example.com.") == LDNS_STATUS_OK);
    ldns_pkt *p = ldns_pkt_query_new(qn, qtype, LDNS_RR_CLASS_IN, LDNS_QR | LDNS_AA);
    ASSERT(p);
    ldns_pkt_set_id(p, 4242);
    ldns_pkt_set_rcode(p, (uint8_t)rcode);
    for (size_t i = 0; an && an[i]; i++)
        ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr(an[i]));
    for (size_t i = 0; ns && ns[i]; i++)
        ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr(ns[i]));
    for (size_t i = 0; ar && ar[i]; i++)
        ldns_pkt_push_rr(p, LDNS_SECTION_ADDITIONAL, rr(ar[i]));
    if (edns_udp)
        ldns_pkt_set_edns_udp_size(p, (uint16_t)edns_udp);
    uint8_t *w = NULL;
    ASSERT(ldns_pkt2wire(&w, p, len) == LDNS_STATUS_OK);
    ldns_pkt_free(p);
    return w;
}

static ldns_rdf *qname(void) {
    ldns_rdf *d = NULL;
    ASSERT(ldns_str2rdf_dname(&d, "Example.COM") == LDNS_STATUS_OK); /* case does not matter */
    return d;
}

static int parse(const uint8_t *w, size_t len, uint16_t qtype, bb_dns_reply *r) {
    ldns_rdf *q = qname();
    char why[256];
    int e = bb_dns_reply_parse(w, len, 4242, q, qtype, LDNS_RR_CLASS_IN, r, why, sizeof why);
    ldns_rdf_deep_free(q);
    return e;
}

static void test_parse(void) {
    static const char *const an[] = {"example.com. 60 IN SOA ns. host. 2024120301 1 2 3 4",
                                     "example.com. 60 IN SOA ns. host. 7 1 2 3 4", NULL};
    static const char *const ns[] = {"example.com. 60 IN NS ns.example.com.", NULL};
    static const char *const ar[] = {"ns.example.com. 60 IN A 192.0.2.1", NULL};
    size_t len;
    uint8_t *w = reply(LDNS_RR_TYPE_SOA, LDNS_RCODE_NOERROR, an, ns, ar, 1232, &len);
    bb_dns_reply r;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OK);
    ASSERT_EQ(r.n_answer, 2);
    ASSERT_EQ(r.n_authority, 1);
    ASSERT_EQ(r.n_additional, 2); /* the OPT record counts, as in miekg/dns' Extra */
    ASSERT_EQ(r.rcode, 0);
    ASSERT(r.have_serial);
    ASSERT_EQ(r.serial, 7); /* the last SOA's, as upstream */
    bb_dns_reply_clear(&r);

    /* Not ours: another question, another id, a query (QR clear). */
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_A, &r), BB_DNS_REPLY_OTHER);
    w[1] ^= 1;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OTHER);
    w[1] ^= 1;
    w[2] &= 0x7f;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OTHER);
    w[2] |= 0x80;

    /* Cut anywhere: malformed, or (cut where a record ends) the records
     * before the cut, as miekg/dns reads it; inside a record always malformed. */
    for (size_t cut = 0; cut < len; cut++) {
        int e = parse(w, cut, LDNS_RR_TYPE_SOA, &r);
        ASSERT_MSG(e < 0 ||
                       (e == BB_DNS_REPLY_OK && r.n_answer + r.n_authority + r.n_additional < 5),
                   "cut at %zu of %zu: %d", cut, len, e);
        bb_dns_reply_clear(&r);
    }
    ASSERT_EQ(parse(w, len - 1, LDNS_RR_TYPE_SOA, &r), OMX_EVALUE);
    ASSERT_EQ(parse(w, 11, LDNS_RR_TYPE_SOA, &r), OMX_EVALUE);
    ASSERT_EQ(parse(w, 20, LDNS_RR_TYPE_SOA, &r), OMX_EVALUE);
    /* Counts claiming more records than the message holds: read as the
     * records there are, as miekg/dns does (here all 5 become answers)... */
    w[7] = 9;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OK);
    ASSERT_EQ(r.n_answer, 5);
    ASSERT_EQ(r.n_authority + r.n_additional, 0);
    bb_dns_reply_clear(&r);
    /* ...unless it does not end where a record ends. */
    w = realloc(w, len + 3);
    memcpy(w + len, "\005ab", 3);
    ASSERT_EQ(parse(w, len + 3, LDNS_RR_TYPE_SOA, &r), OMX_EVALUE);
    free(w);
    /* A bare header whose counts claim records: no records (miekg/dns too). */
    uint8_t bare[12] = {4242 >> 8, 4242 & 0xff, 0x81, 0x80, 0, 0, 0, 1};
    ASSERT_EQ(parse(bare, sizeof bare, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OK);
    ASSERT_EQ(r.n_answer, 0);
    bb_dns_reply_clear(&r);

    /* Header only (REFUSED without the question, as some servers send). */
    uint8_t hdr[12] = {4242 >> 8, 4242 & 0xff, 0x81, 0x05};
    ASSERT_EQ(parse(hdr, sizeof hdr, LDNS_RR_TYPE_SOA, &r), BB_DNS_REPLY_OK);
    ASSERT_EQ(r.rcode, LDNS_RCODE_REFUSED);
    ASSERT(!r.have_serial);
    bb_dns_reply_clear(&r);

    /* TC set: parsed as any reply; the prober logs it. */
    w = reply(LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, NULL, NULL, NULL, 0, &len);
    w[2] |= 0x02;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_A, &r), BB_DNS_REPLY_OK);
    ASSERT(r.truncated);
    ASSERT_EQ(r.n_additional, 0);
    bb_dns_reply_clear(&r);
    free(w);
}

static void add_rule(bb_dns_rr_rules *rules, int k, const char *pattern) {
    bb_dns_regexes *x = &rules->r[k];
    x->src = realloc(x->src, (x->n + 2) * sizeof *x->src);
    x->re = realloc(x->re, (x->n + 1) * sizeof *x->re);
    ASSERT(x->src && x->re);
    x->src[x->n] = strdup(pattern);
    x->src[x->n + 1] = NULL;
    ASSERT_OK(omx_regex_new(pattern, 0, &x->re[x->n], NULL, 0));
    x->n++;
}

/* The test's configs hold only what config() and add_rule() put there. */
static void cfg_free(bb_dns_config *c) {
    bb_dns_rr_rules *all[] = {&c->answer, &c->authority, &c->additional};
    for (size_t i = 0; i < 3; i++)
        for (size_t k = 0; k < BB_DNS_N_RULES; k++) {
            bb_dns_regexes *x = &all[i]->r[k];
            for (size_t j = 0; j < x->n; j++) {
                omx_regex_free(x->re[j]);
                free(x->src[j]);
            }
            free(x->re);
            free(x->src);
        }
    for (size_t i = 0; c->valid_rcode_names && c->valid_rcode_names[i]; i++)
        free(c->valid_rcode_names[i]);
    free(c->valid_rcode_names);
    free(c->valid_rcodes);
    free(c->query_name);
    free(c);
}

static bb_dns_config *config(void) {
    bb_dns_config *c = calloc(1, sizeof *c);
    ASSERT(c);
    c->query_name = strdup("example.com");
    c->query_type = LDNS_RR_TYPE_A;
    c->query_class = LDNS_RR_CLASS_IN;
    return c;
}

/* Judges a reply with answers an (NULL-terminated) under c. */
static bool judge(const bb_dns_config *c, ldns_pkt_rcode rcode, const char *const *an) {
    size_t len;
    uint8_t *w = reply(LDNS_RR_TYPE_A, rcode, an, NULL, NULL, 0, &len);
    bb_dns_reply r;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_A, &r), BB_DNS_REPLY_OK);
    logged[0] = 0;
    bool ok = bb_dns_reply_valid(c, &r, capture, NULL);
    bb_dns_reply_clear(&r);
    free(w);
    return ok;
}

static const char *const two[] = {"example.com. 300 IN A 192.0.2.1",
                                  "example.com. 300 IN A 192.0.2.2", NULL};
static const char *const none[] = {NULL};

static void test_rcodes(void) {
    bb_dns_config *c = config();
    ASSERT(judge(c, LDNS_RCODE_NOERROR, none));
    ASSERT(!judge(c, LDNS_RCODE_NXDOMAIN, none));
    ASSERT(strstr(logged, "string_rcode=NXDOMAIN valid_rcodes=NOERROR"));
    c->valid_rcode_names = calloc(3, sizeof(char *));
    c->valid_rcode_names[0] = strdup("NXDOMAIN");
    c->valid_rcode_names[1] = strdup("REFUSED");
    c->valid_rcodes = calloc(2, sizeof(uint16_t));
    c->valid_rcodes[0] = LDNS_RCODE_NXDOMAIN;
    c->valid_rcodes[1] = LDNS_RCODE_REFUSED;
    c->n_valid_rcodes = 2;
    ASSERT(judge(c, LDNS_RCODE_NXDOMAIN, none));
    ASSERT(judge(c, LDNS_RCODE_REFUSED, none));
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "valid_rcodes=NXDOMAIN,REFUSED"));
    cfg_free(c);
}

static void test_rules(void) {
    bb_dns_config *c = config();
    /* fail_if_matches_regexp: any RR matching fails. */
    add_rule(&c->answer, BB_DNS_FAIL_IF_MATCHES, "192\\.0\\.2\\.2$");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "At least one RR matched regexp"));
    ASSERT(strstr(logged, "Answer RRs validation failed"));
    ASSERT(judge(c, LDNS_RCODE_NOERROR, none));
    cfg_free(c);

    /* fail_if_all_match_regexp as upstream's code has it: fails when some RR
     * does not match (and passes with no RRs). */
    c = config();
    add_rule(&c->answer, BB_DNS_FAIL_IF_ALL_MATCH, "192\\.0\\.2\\.1");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "Not all RRs matched regexp"));
    ASSERT(judge(c, LDNS_RCODE_NOERROR, none));
    cfg_free(c);
    c = config();
    add_rule(&c->answer, BB_DNS_FAIL_IF_ALL_MATCH, "^example\\.com\\.\t300\tIN\tA\t");
    ASSERT(judge(c, LDNS_RCODE_NOERROR, two));
    cfg_free(c);

    /* fail_if_not_matches_regexp: every RR must match; none at all fails. */
    c = config();
    add_rule(&c->answer, BB_DNS_FAIL_IF_NOT_MATCHES, "\tA\t192\\.0\\.2\\.");
    ASSERT(judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, none));
    ASSERT(strstr(logged, "fail_if_not_matches_regexp specified but no RRs returned"));
    add_rule(&c->answer, BB_DNS_FAIL_IF_NOT_MATCHES, "\\.1$");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "At least one RR did not match regexp"));
    cfg_free(c);

    /* fail_if_none_matches_regexp: one RR matching is enough. */
    c = config();
    add_rule(&c->answer, BB_DNS_FAIL_IF_NONE_MATCHES, "192\\.0\\.2\\.2");
    ASSERT(judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, none));
    ASSERT(strstr(logged, "fail_if_none_matches_regexp specified but no RRs returned"));
    cfg_free(c);
    c = config();
    add_rule(&c->answer, BB_DNS_FAIL_IF_NONE_MATCHES, "198\\.51\\.100\\.");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "None of the RRs did matched any regexp"));
    cfg_free(c);

    /* The authority and additional sections have their own rules. */
    c = config();
    add_rule(&c->authority, BB_DNS_FAIL_IF_NONE_MATCHES, "NS");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "Authority RRs validation failed"));
    cfg_free(c);
    c = config();
    add_rule(&c->additional, BB_DNS_FAIL_IF_NOT_MATCHES, "x");
    ASSERT(!judge(c, LDNS_RCODE_NOERROR, two));
    ASSERT(strstr(logged, "Additional RRs validation failed"));
    cfg_free(c);
}

/* The OPT record is in the additional section for the regexes too. */
static void test_opt_text(void) {
    bb_dns_config *c = config();
    add_rule(&c->additional, BB_DNS_FAIL_IF_NOT_MATCHES,
             "^\n;; OPT PSEUDOSECTION:\n; EDNS: version 0; flags:; udp: 1232$");
    size_t len;
    uint8_t *w = reply(LDNS_RR_TYPE_A, LDNS_RCODE_NOERROR, two, NULL, NULL, 1232, &len);
    bb_dns_reply r;
    ASSERT_EQ(parse(w, len, LDNS_RR_TYPE_A, &r), BB_DNS_REPLY_OK);
    logged[0] = 0;
    ASSERT_MSG(bb_dns_reply_valid(c, &r, capture, NULL), "%s", logged);
    bb_dns_reply_clear(&r);
    free(w);
    cfg_free(c);
}

int main(void) {
    test_parse();
    test_rcodes();
    test_rules();
    test_opt_text();
    TEST_DONE();
}
