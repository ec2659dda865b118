/* A DNS reply: from bytes to an ldns packet checked against the query, then
 * valid_rcodes and validate_*_rrs applied as upstream's validRcode and
 * validRRs do (the same rules in the same order with the same outcome). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

/* An RR's text can be up to 64 KiB of rdata written 4 bytes a byte. */
#define BB_DNS_RR_TEXT_MAX (320u * 1024u)

static void say(bb_dns_log_fn *log, void *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(bb_dns_log_fn *log, void *ctx, int level, const char *fmt, ...) {
    if (!log)
        return;
    va_list ap;
    va_start(ap, fmt);
    log(ctx, level, fmt, ap);
    va_end(ap);
}

void bb_dns_reply_clear(bb_dns_reply *r) {
    if (!r)
        return;
    ldns_pkt_free(r->pkt);
    memset(r, 0, sizeof *r);
}

/* Skips a domain name at off (labels, or a compression pointer that ends
 * it): the offset after it, or 0 when it runs past len. */
static size_t skip_name(const uint8_t *m, size_t len, size_t off) {
    while (off < len) {
        uint8_t l = m[off];
        if ((l & 0xc0) == 0xc0)
            return off + 2 <= len ? off + 2 : 0;
        if (l & 0xc0)
            return 0;
        off += 1 + (size_t)l;
        if (l == 0)
            return off <= len ? off : 0;
    }
    return 0;
}

/* miekg/dns reads what a message holds when its section counts claim more
 * records than there are (the message ending where a record ends): counts
 * lowered to the records present, so ldns reads it the same. Returns true
 * and fills counts[4] when the message ends on a record boundary. */
static bool present_counts(const uint8_t *m, size_t len, uint16_t counts[4]) {
    size_t off = LDNS_HEADER_SIZE;
    for (int sec = 0; sec < 4; sec++) {
        uint16_t claimed = (uint16_t)(m[4 + 2 * sec] << 8 | m[5 + 2 * sec]), n = 0;
        while (n < claimed && off < len) {
            size_t e = skip_name(m, len, off);
            if (!e)
                return false;
            if (sec == 0) {
                e += 4;
            } else {
                if (e + 10 > len)
                    return false;
                e += 10 + (size_t)(m[e + 8] << 8 | m[e + 9]);
            }
            if (e > len)
                return false;
            off = e;
            n++;
        }
        counts[sec] = n;
    }
    return off == len;
}

int bb_dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id, const ldns_rdf *qname,
                       uint16_t qtype, uint16_t qclass, bb_dns_reply *ret, char *why,
                       size_t why_len) {
    memset(ret, 0, sizeof *ret);
    if (len < LDNS_HEADER_SIZE) {
        snprintf(why, why_len, "reply of %zu bytes is shorter than a DNS header", len);
        return OMX_EVALUE;
    }
    uint16_t rid = (uint16_t)(buf[0] << 8 | buf[1]);
    if (rid != id) {
        snprintf(why, why_len, "reply id %u is not the query's %u", rid, id);
        return BB_DNS_REPLY_OTHER;
    }
    if (!(buf[2] & 0x80)) {
        snprintf(why, why_len, "message with id %u is not a response (QR clear)", rid);
        return BB_DNS_REPLY_OTHER;
    }
    ldns_pkt *pkt = NULL;
    ldns_status st = ldns_wire2pkt(&pkt, buf, len);
    uint16_t counts[4];
    if (st != LDNS_STATUS_OK && st != LDNS_STATUS_MEM_ERR && present_counts(buf, len, counts)) {
        uint8_t *fixed = malloc(len);
        if (!fixed) {
            snprintf(why, why_len, "out of memory parsing the reply");
            return OMX_ENOMEM;
        }
        memcpy(fixed, buf, len);
        for (int i = 0; i < 4; i++) {
            fixed[4 + 2 * i] = (uint8_t)(counts[i] >> 8);
            fixed[5 + 2 * i] = (uint8_t)counts[i];
        }
        ldns_pkt_free(pkt);
        pkt = NULL;
        st = ldns_wire2pkt(&pkt, fixed, len);
        free(fixed);
    }
    if (st == LDNS_STATUS_MEM_ERR) {
        snprintf(why, why_len, "out of memory parsing the reply");
        return OMX_ENOMEM;
    }
    if (st != LDNS_STATUS_OK || !pkt) {
        snprintf(why, why_len, "malformed reply of %zu bytes: %s", len,
                 ldns_get_errorstr_by_id(st));
        ldns_pkt_free(pkt);
        return OMX_EVALUE;
    }
    /* Some servers leave the question out of errors (REFUSED, FORMERR): then
     * the id is all there is to match on. */
    const ldns_rr_list *q = ldns_pkt_question(pkt);
    if (q && ldns_rr_list_rr_count(q) > 0) {
        const ldns_rr *q0 = ldns_rr_list_rr(q, 0);
        if (ldns_rr_list_rr_count(q) != 1 || (uint16_t)ldns_rr_get_type(q0) != qtype ||
            (uint16_t)ldns_rr_get_class(q0) != qclass || !ldns_rr_owner(q0) ||
            ldns_dname_compare(ldns_rr_owner(q0), qname) != 0) {
            snprintf(why, why_len, "reply with id %u answers another question", rid);
            ldns_pkt_free(pkt);
            return BB_DNS_REPLY_OTHER;
        }
    }
    ret->pkt = pkt;
    ret->n_answer = ldns_rr_list_rr_count(ldns_pkt_answer(pkt));
    ret->n_authority = ldns_rr_list_rr_count(ldns_pkt_authority(pkt));
    ret->n_additional = ldns_rr_list_rr_count(ldns_pkt_additional(pkt)) +
                        (ldns_pkt_edns(pkt) ? 1 : 0) + (ldns_pkt_tsig(pkt) ? 1 : 0);
    ret->rcode =
        ldns_pkt_get_rcode(pkt) | (ldns_pkt_edns(pkt) ? ldns_pkt_edns_extended_rcode(pkt) << 4 : 0);
    ret->truncated = ldns_pkt_tc(pkt);
    const ldns_rr_list *an = ldns_pkt_answer(pkt);
    for (size_t i = 0; i < ret->n_answer; i++) {
        const ldns_rr *rr = ldns_rr_list_rr(an, i);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) >= 3 &&
            ldns_rdf_size(ldns_rr_rdf(rr, 2)) == 4) {
            ret->serial = ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
            ret->have_serial = true;
        }
    }
    return BB_DNS_REPLY_OK;
}

static bool valid_rcode(const bb_dns_config *c, int rcode, bb_dns_log_fn *log, void *ctx) {
    char name[16];
    bb_dns_rcode_name(rcode, name, sizeof name);
    if (!c->valid_rcode_names) {
        if (rcode == LDNS_RCODE_NOERROR)
            return true;
    } else {
        for (size_t i = 0; i < c->n_valid_rcodes; i++)
            if (c->valid_rcodes[i] == rcode) {
                say(log, ctx, OMX_LOG_DEBUG, "Rcode is valid: rcode=%d string_rcode=%s", rcode,
                    name);
                return true;
            }
    }
    char valid[256] = "NOERROR";
    if (c->valid_rcode_names) {
        size_t off = 0;
        valid[0] = 0;
        for (size_t i = 0; c->valid_rcode_names[i] && off < sizeof valid; i++) {
            int w = snprintf(valid + off, sizeof valid - off, "%s%s", i ? "," : "",
                             c->valid_rcode_names[i]);
            off += w > 0 ? (size_t)w : 0;
        }
    }
    say(log, ctx, OMX_LOG_ERROR,
        "Rcode is not one of the valid rcodes: rcode=%d string_rcode=%s valid_rcodes=%s", rcode,
        name, valid);
    return false;
}

/* The OPT pseudo-record as miekg/dns' OPT.String() writes it (its options
 * left out). */
static int opt_text(const ldns_pkt *pkt, omx_buf *out) {
    char s[160];
    uint16_t z = ldns_pkt_edns_z(pkt);
    bool d = ldns_pkt_edns_do(pkt), co = (z & 0x4000) != 0;
    char mbz[32] = "";
    if (z & 0x7fff & ~0x4000)
        snprintf(mbz, sizeof mbz, "MBZ: 0x%04x, ", z & 0x7fff);
    snprintf(s, sizeof s, "\n;; OPT PSEUDOSECTION:\n; EDNS: version %u; flags:%s; %sudp: %u",
             ldns_pkt_edns_version(pkt), d ? (co ? " do, co" : " do") : "", mbz,
             ldns_pkt_edns_udp_size(pkt));
    return omx_buf_append(out, s, strlen(s));
}

/* The text of RR i of a section; for the additional section, the OPT and
 * TSIG records ldns keeps apart come after its list, in wire order. */
static int rr_text(const ldns_pkt *pkt, const ldns_rr_list *l, bool additional, size_t i,
                   omx_buf *out) {
    omx_buf_reset(out);
    size_t n = ldns_rr_list_rr_count(l);
    if (i < n)
        return bb_dns_rr_text(ldns_rr_list_rr(l, i), out);
    if (additional && ldns_pkt_edns(pkt) && i == n)
        return opt_text(pkt, out);
    return bb_dns_rr_text(ldns_pkt_tsig(pkt), out);
}

static bool valid_rrs(const bb_dns_reply *r, const ldns_rr_list *l, size_t n, bool additional,
                      const bb_dns_rr_rules *v, bb_dns_log_fn *log, void *ctx) {
    const bb_dns_regexes *all = &v->r[BB_DNS_FAIL_IF_ALL_MATCH],
                         *notm = &v->r[BB_DNS_FAIL_IF_NOT_MATCHES],
                         *none = &v->r[BB_DNS_FAIL_IF_NONE_MATCHES];
    if (n == 0 && notm->n > 0) {
        say(log, ctx, OMX_LOG_ERROR, "fail_if_not_matches_regexp specified but no RRs returned");
        return false;
    }
    if (n == 0 && none->n > 0) {
        say(log, ctx, OMX_LOG_ERROR, "fail_if_none_matches_regexp specified but no RRs returned");
        return false;
    }
    omx_buf text;
    omx_buf_init(&text, BB_DNS_RR_TEXT_MAX);
    bool ok = true, any_match = false, all_match = true;
    for (size_t i = 0; ok && i < n; i++) {
        int e = rr_text(r->pkt, l, additional, i, &text);
        if (e < 0) {
            say(log, ctx, OMX_LOG_ERROR, "Cannot write RR %zu as text: %s", i, omx_strerror(e));
            ok = false;
            break;
        }
        say(log, ctx, OMX_LOG_DEBUG, "Validating RR: rr=\"%s\"", text.data);
        for (size_t k = 0; k < BB_DNS_N_RULES && ok; k++) {
            const bb_dns_regexes *x = &v->r[k];
            for (size_t j = 0; j < x->n && ok; j++) {
                int mr = omx_regex_match(x->re[j], text.data, text.len);
                if (mr < 0) {
                    say(log, ctx, OMX_LOG_ERROR, "Error matching regexp: regexp=\"%s\" err=%s",
                        x->src[j], omx_strerror(mr));
                    ok = false;
                } else if (k == BB_DNS_FAIL_IF_MATCHES && mr) {
                    say(log, ctx, OMX_LOG_ERROR,
                        "At least one RR matched regexp: regexp=\"%s\" rr=\"%s\"", x->src[j],
                        text.data);
                    ok = false;
                } else if (k == BB_DNS_FAIL_IF_ALL_MATCH && !mr) {
                    all_match = false;
                } else if (k == BB_DNS_FAIL_IF_NOT_MATCHES && !mr) {
                    say(log, ctx, OMX_LOG_ERROR,
                        "At least one RR did not match regexp: regexp=\"%s\" rr=\"%s\"", x->src[j],
                        text.data);
                    ok = false;
                } else if (k == BB_DNS_FAIL_IF_NONE_MATCHES && mr) {
                    any_match = true;
                }
            }
        }
    }
    omx_buf_free(&text);
    if (!ok)
        return false;
    if (all->n > 0 && !all_match) {
        say(log, ctx, OMX_LOG_ERROR, "Not all RRs matched regexp");
        return false;
    }
    if (none->n > 0 && !any_match) {
        say(log, ctx, OMX_LOG_ERROR, "None of the RRs did matched any regexp");
        return false;
    }
    return true;
}

bool bb_dns_reply_valid(const bb_dns_config *c, const bb_dns_reply *r, bb_dns_log_fn *log,
                        void *ctx) {
    if (!valid_rcode(c, r->rcode, log, ctx))
        return false;
    say(log, ctx, OMX_LOG_DEBUG, "Validating Answer RRs");
    if (!valid_rrs(r, ldns_pkt_answer(r->pkt), r->n_answer, false, &c->answer, log, ctx)) {
        say(log, ctx, OMX_LOG_ERROR, "Answer RRs validation failed");
        return false;
    }
    say(log, ctx, OMX_LOG_DEBUG, "Validating Authority RRs");
    if (!valid_rrs(r, ldns_pkt_authority(r->pkt), r->n_authority, false, &c->authority, log, ctx)) {
        say(log, ctx, OMX_LOG_ERROR, "Authority RRs validation failed");
        return false;
    }
    say(log, ctx, OMX_LOG_DEBUG, "Validating Additional RRs");
    if (!valid_rrs(r, ldns_pkt_additional(r->pkt), r->n_additional, true, &c->additional, log,
                   ctx)) {
        say(log, ctx, OMX_LOG_ERROR, "Additional RRs validation failed");
        return false;
    }
    return true;
}
