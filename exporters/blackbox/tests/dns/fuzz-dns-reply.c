/* libFuzzer target: bytes as the reply to "example.com. IN <type>" through
 * the dns prober's reply path: bb_dns_reply_parse (the id is taken from the
 * input so most inputs get past it), the valid_rcodes and validate_*_rrs
 * rules with a regex of each kind on each section, and bb_dns_rr_text of
 * every record ldns can read, whatever the question. */
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>

#include "probers/dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bb_dns_config cfg;
static ldns_rdf *qname;

static void add(bb_dns_rr_rules *r, int k, const char *pattern) {
    bb_dns_regexes *x = &r->r[k];
    x->src = calloc(2, sizeof *x->src);
    x->re = calloc(1, sizeof *x->re);
    if (!x->src || !x->re || !(x->src[0] = strdup(pattern)) ||
        omx_regex_new(pattern, 0, &x->re[0], NULL, 0) < 0)
        abort();
    x->n = 1;
}

static void setup(void) {
    static const char *const pats[BB_DNS_N_RULES] = {"^zzz", "\tIN\t", "\\.", "[0-9]{3}"};
    bb_dns_rr_rules *all[] = {&cfg.answer, &cfg.authority, &cfg.additional};
    for (size_t i = 0; i < 3; i++)
        for (int k = 0; k < BB_DNS_N_RULES; k++)
            add(all[i], k, pats[k]);
    static char *names[] = {"NOERROR", "NXDOMAIN", NULL};
    static uint16_t codes[] = {0, 3};
    cfg.valid_rcode_names = names;
    cfg.valid_rcodes = codes;
    cfg.n_valid_rcodes = 2;
    if (ldns_str2rdf_dname(&qname, "example.com.") != LDNS_STATUS_OK)
        abort();
}

static void quiet(void *ctx, int level, const char *fmt, va_list ap) {
    char line[512];
    (void)ctx;
    (void)level;
    vsnprintf(line, sizeof line, fmt, ap);
}

static void texts(const ldns_rr_list *l, omx_buf *out) {
    for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
        omx_buf_reset(out);
        bb_dns_rr_text(ldns_rr_list_rr(l, i), out);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!qname)
        setup();
    if (size < 1)
        return 0;
    /* The first byte picks the question type; the rest is the reply. */
    static const uint16_t types[] = {1, 2, 5, 6, 15, 16, 28, 33, 255};
    uint16_t qtype = types[data[0] % (sizeof types / sizeof types[0])];
    data++;
    size--;
    uint16_t id = size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0;
    char why[256];
    bb_dns_reply r;
    if (bb_dns_reply_parse(data, size, id, qname, qtype, LDNS_RR_CLASS_IN, &r, why, sizeof why) ==
        BB_DNS_REPLY_OK) {
        bb_dns_reply_valid(&cfg, &r, quiet, NULL);
        bb_dns_reply_clear(&r);
    }
    ldns_pkt *pkt = NULL;
    if (ldns_wire2pkt(&pkt, data, size) == LDNS_STATUS_OK) {
        omx_buf out;
        omx_buf_init(&out, 1 << 20);
        texts(ldns_pkt_question(pkt), &out);
        texts(ldns_pkt_answer(pkt), &out);
        texts(ldns_pkt_authority(pkt), &out);
        texts(ldns_pkt_additional(pkt), &out);
        omx_buf_free(&out);
    }
    ldns_pkt_free(pkt);
    return 0;
}
