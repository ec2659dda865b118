/* The dns prober: one query built with ldns, sent and awaited on our own
 * socket under the probe's deadline, the reply parsed with ldns and judged
 * as upstream's ProbeDNS does, with the same metrics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "dns.h"
#include "result.h"

static const char *const phase_label[] = {"phase"};

static void set_phase(bb_probe *p, const char *phase, double seconds) {
    const char *v[] = {phase};
    bb_result_gauge_l(p, "probe_dns_duration_seconds", "Duration of DNS request by phase", 1,
                      phase_label, v, seconds);
}

static void set_counts(bb_probe *p, double an, double ns, double ar) {
    bb_result_gauge(p, "probe_dns_answer_rrs",
                    "Returns number of entries in the answer resource record list", an);
    bb_result_gauge(p, "probe_dns_authority_rrs",
                    "Returns number of entries in the authority resource record list", ns);
    bb_result_gauge(p, "probe_dns_additional_rrs",
                    "Returns number of entries in the additional resource record list", ar);
}

static void log_to_probe(void *ctx, int level, const char *fmt, va_list ap) {
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    bb_logf(ctx, level, "%s", line);
}

typedef struct exchange {
    bb_probe *p;
    const bb_dns_config *c;
    uint16_t id;
    const ldns_rdf *qname;
    bb_dns_reply reply;
} exchange;

static int accept_reply(void *ctx, const uint8_t *buf, size_t len) {
    exchange *x = ctx;
    char why[256];
    int r = bb_dns_reply_parse(buf, len, x->id, x->qname, x->c->query_type, x->c->query_class,
                               &x->reply, why, sizeof why);
    if (r == BB_DNS_REPLY_OK)
        return 1;
    if (r == BB_DNS_REPLY_OTHER && !x->c->tcp) {
        /* As upstream's client: a stray or spoofed datagram is not the reply. */
        bb_logf(x->p, OMX_LOG_DEBUG, "Ignoring a datagram: %s", why);
        return 0;
    }
    bb_logf(x->p, OMX_LOG_ERROR, "Error while sending a DNS query: %s", why);
    return r == BB_DNS_REPLY_OTHER ? OMX_EVALUE : r;
}

bool bb_dns_run(bb_probe *p, const void *cfg) {
    const bb_dns_config *c = cfg;
    set_phase(p, "resolve", 0);
    set_phase(p, "connect", 0);
    set_phase(p, "request", 0);
    set_counts(p, 0, 0, 0);
    bb_result_gauge(p, "probe_dns_query_succeeded",
                    "Displays whether or not the query was executed successfully", 0);

    char host[1024];
    uint16_t port;
    if (bb_split_host_port(p->target, host, sizeof host, &port, c->dns_over_tls ? 853 : 53) < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error resolving address: bad target \"%s\"", p->target);
        return false;
    }
    struct sockaddr_storage addr;
    socklen_t addr_len = sizeof addr;
    if (bb_resolve(p, host, port, &c->ip, &addr, &addr_len) < 0)
        return false;
    /* The resolve phase is the lookup time, as upstream reports it. */
    double lookup = 0;
    if (bb_result_get(p->res, "probe_dns_lookup_time_seconds", 0, NULL, &lookup) == 0)
        set_phase(p, "resolve", lookup);

    ldns_rdf *qname = NULL;
    /* No query_name (a dns module without its section): the root, as Go's dns.Fqdn(""). */
    const char *name = c->query_name && *c->query_name ? c->query_name : ".";
    if (ldns_str2rdf_dname(&qname, name) != LDNS_STATUS_OK) {
        bb_logf(p, OMX_LOG_ERROR, "Invalid query name: %s", name);
        return false;
    }
    uint16_t id = 0;
    if (getrandom(&id, sizeof id, 0) != sizeof id)
        id = (uint16_t)(bb_now_ns() ^ (bb_now_ns() >> 16));
    /* The query owns a copy of the name; qname stays ours for the checks. */
    ldns_pkt *q =
        ldns_pkt_query_new(ldns_rdf_clone(qname), (ldns_rr_type)c->query_type,
                           (ldns_rr_class)c->query_class, c->recursion_desired ? LDNS_RD : 0);
    uint8_t *wire = NULL;
    size_t wire_len = 0;
    if (q) {
        ldns_pkt_set_id(q, id);
        if (ldns_pkt2wire(&wire, q, &wire_len) != LDNS_STATUS_OK)
            wire = NULL;
        ldns_pkt_free(q);
    }
    if (!wire) {
        bb_logf(p, OMX_LOG_ERROR, "Cannot build the DNS query");
        ldns_rdf_deep_free(qname);
        return false;
    }
    char tname[16], cname[16];
    bb_logf(p, OMX_LOG_DEBUG,
            "Making DNS query: target=%s port=%u dial_protocol=%s%s%s query=%s type=%s class=%s",
            host, port, c->tcp ? "tcp" : "udp", addr.ss_family == AF_INET6 ? "6" : "4",
            c->dns_over_tls ? "-tls" : "", name,
            bb_dns_type_name(c->query_type, tname, sizeof tname),
            bb_dns_class_name(c->query_class, cname, sizeof cname));

    exchange x = {.p = p, .c = c, .id = id, .qname = qname};
    int64_t connect_ns, request_ns;
    int r = bb_dns_exchange(p, c, host, &addr, addr_len, wire, wire_len, accept_reply, &x,
                            &connect_ns, &request_ns);
    free(wire);
    ldns_rdf_deep_free(qname);
    set_phase(p, "connect", (double)connect_ns / 1e9);
    set_phase(p, "request", (double)request_ns / 1e9);
    if (r < 0) {
        bb_dns_reply_clear(&x.reply);
        return false;
    }
    bb_dns_reply *rep = &x.reply;
    char rc[16];
    bb_logf(p, OMX_LOG_DEBUG, "Got response: rcode=%s answer=%zu authority=%zu additional=%zu%s",
            bb_dns_rcode_name(rep->rcode, rc, sizeof rc), rep->n_answer, rep->n_authority,
            rep->n_additional, rep->truncated ? " truncated" : "");
    if (rep->truncated)
        bb_logf(p, OMX_LOG_WARN,
                "Reply has the TC bit set: judged on the records it holds, as upstream does "
                "(transport_protocol: tcp gets the whole answer)");
    set_counts(p, (double)rep->n_answer, (double)rep->n_authority, (double)rep->n_additional);
    bb_result_gauge(p, "probe_dns_query_succeeded",
                    "Displays whether or not the query was executed successfully", 1);
    if (c->query_type == LDNS_RR_TYPE_SOA)
        bb_result_gauge(p, "probe_dns_serial", "Returns the serial number of the zone",
                        rep->have_serial ? (double)rep->serial : 0);
    bool ok = bb_dns_reply_valid(c, rep, log_to_probe, p);
    bb_dns_reply_clear(rep);
    return ok;
}
