/* The dns prober's pieces: its config section (dns-config.c), RR text as
 * Go's miekg/dns String() writes it (dns-rrtext.c), reply parsing and the
 * valid_rcodes / validate_*_rrs rules (dns-reply.c) and the exchange over
 * udp, tcp or tls (dns-io.c). */
#ifndef BB_DNS_H
#define BB_DNS_H

#include <ldns/ldns.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/regex.h"
#include "module.h"
#include "prober.h"

/* One of validate_answer_rrs / validate_authority_rrs / validate_additional_rrs. */
enum {
    BB_DNS_FAIL_IF_MATCHES,
    BB_DNS_FAIL_IF_ALL_MATCH,
    BB_DNS_FAIL_IF_NOT_MATCHES,
    BB_DNS_FAIL_IF_NONE_MATCHES,
    BB_DNS_N_RULES
};

typedef struct bb_dns_regexes {
    char **src;     /* patterns as written, NULL-terminated (NULL when absent) */
    omx_regex **re; /* compiled, unanchored as Go's regexp.MatchString */
    size_t n;
} bb_dns_regexes;

typedef struct bb_dns_rr_rules {
    bb_dns_regexes r[BB_DNS_N_RULES];
} bb_dns_rr_rules;

typedef struct bb_dns_config {
    char *query_name;       /* as written (made fully qualified in the query) */
    char *query_type_name;  /* as written or NULL (ANY) */
    char *query_class_name; /* as written or NULL (IN) */
    uint16_t query_type, query_class;
    bool tcp;           /* transport_protocol: tcp */
    bool transport_set; /* transport_protocol given */
    bb_ip_opts ip;
    bool dns_over_tls;
    bool tls_set; /* tls_config given */
    bb_tls_config tls;
    bool recursion_desired;   /* default true */
    char **valid_rcode_names; /* as written, NULL-terminated, NULL = NOERROR only */
    uint16_t *valid_rcodes;
    size_t n_valid_rcodes;
    bb_dns_rr_rules answer, authority, additional;
} bb_dns_config;

/* Parses the dns section n (NULL: every default, which fails: query_name is
 * required). Returns 0 and a new config in *ret (free with bb_dns_config_free),
 * or OMX_ECONFIG after omx_yaml_fail, or OMX_ENOMEM. */
int bb_dns_config_parse(omx_yaml *y, const omx_yaml_node *n, bb_dns_config **ret);
/* Frees c; accepts NULL; returns NULL. */
bb_dns_config *bb_dns_config_free(bb_dns_config *c);
/* Appends c as the YAML of a module's dns section at indent. Returns 0 or an omx_err. */
int bb_dns_config_dump(const bb_dns_config *c, omx_buf *out, int indent);
/* dns.c, in the dns plugin: one probe (bb_prober's run). */
bool bb_dns_run(bb_probe *p, const void *cfg);

/* Names as miekg/dns spells them: a type code's (TYPE<n> when it has none),
 * a class code's (CLASS<n>), an rcode's (RCODE<n>). Write into out (len >=
 * 16 is enough) and return out. */
const char *bb_dns_type_name(uint16_t type, char *out, size_t len);
const char *bb_dns_class_name(uint16_t klass, char *out, size_t len);
const char *bb_dns_rcode_name(int rcode, char *out, size_t len);
/* Codes of miekg/dns' names (case-sensitive as upstream's maps): 0 and *ret,
 * or OMX_ENOENT. */
int bb_dns_type_code(const char *name, uint16_t *ret);
int bb_dns_class_code(const char *name, uint16_t *ret);
int bb_dns_rcode_code(const char *name, uint16_t *ret);
/* Whether name is a domain name in presentation form (labels of 1..63
 * octets after \X and \DDD escapes, at most 255 octets on the wire, "." the
 * root), as ldns' parser accepts it; the config checks it without ldns. */
bool bb_dns_name_valid(const char *name);

/* Appends rr as miekg/dns' RR.String() writes it (no newline) to out.
 * Returns 0, OMX_ELIMIT (out full) or OMX_ENOMEM. */
int bb_dns_rr_text(const ldns_rr *rr, omx_buf *out);

/* Where a message about a reply goes: the probe's log in the prober, nowhere
 * (or a buffer) in tests and the fuzzer. */
typedef void bb_dns_log_fn(void *ctx, int level, const char *fmt, va_list ap);

/* A reply as upstream sees it: the counts include the OPT and TSIG records
 * ldns keeps apart from the additional section. */
typedef struct bb_dns_reply {
    ldns_pkt *pkt; /* owned */
    size_t n_answer, n_authority, n_additional;
    int rcode;        /* with the EDNS extended bits */
    bool truncated;   /* TC */
    bool have_serial; /* an SOA in the answer section */
    uint32_t serial;  /* the last one's, as upstream */
} bb_dns_reply;

/* What bb_dns_reply_parse made of the bytes. */
enum {
    BB_DNS_REPLY_OK = 0,
    BB_DNS_REPLY_OTHER = 1, /* not a reply to this query (id or question differs) */
};

/* Parses the len bytes at buf as the reply to the query with id and the
 * question (qname, qtype, qclass). Returns BB_DNS_REPLY_OK with *ret filled
 * (free with bb_dns_reply_clear), BB_DNS_REPLY_OTHER with the reason in why,
 * or OMX_EVALUE (malformed) / OMX_ENOMEM with the reason in why. */
int bb_dns_reply_parse(const uint8_t *buf, size_t len, uint16_t id, const ldns_rdf *qname,
                       uint16_t qtype, uint16_t qclass, bb_dns_reply *ret, char *why,
                       size_t why_len);
void bb_dns_reply_clear(bb_dns_reply *r);

/* Applies valid_rcodes and the three validate_*_rrs of c to r as upstream's
 * validRcode and validRRs do, saying why it fails through log. */
bool bb_dns_reply_valid(const bb_dns_config *c, const bb_dns_reply *r, bb_dns_log_fn *log,
                        void *ctx);

/* Sends the len-byte query to addr over c's transport and waits, until the
 * probe's deadline, for the reply that accept() takes (1; 0 = not ours, keep
 * waiting on udp, fail on tcp; < 0 = fail). Sets *ret_connect_ns (socket,
 * connect, TLS handshake) and *ret_request_ns (write to accepted reply), the
 * phases upstream reports. Returns 0 or a negative code after bb_logf. */
typedef int bb_dns_accept_fn(void *ctx, const uint8_t *buf, size_t len);
int bb_dns_exchange(bb_probe *p, const bb_dns_config *c, const char *host,
                    const struct sockaddr_storage *addr, socklen_t addr_len, const uint8_t *query,
                    size_t query_len, bb_dns_accept_fn *accept, void *ctx, int64_t *ret_connect_ns,
                    int64_t *ret_request_ns);

#endif
