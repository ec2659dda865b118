/* The grpc prober: grpc.health.v1.Health/Check over libcurl's HTTP/2 (h2c
 * with prior knowledge, or h2 over TLS). The two messages are tiny, so they
 * are encoded and decoded here: HealthCheckRequest{1: service} and
 * HealthCheckResponse{1: status}; grpc-status comes from the trailers (or
 * the headers of a trailers-only reply). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http/curl-handle.h"
#include "../http/curl-tls.h"
#include "grpc.h"
#include "tlsinfo.h"

#define REPLY_MAX (64u << 10) /* a health reply is a few bytes */
#define HEADERS_MAX (64u << 10)
#define USER_AGENT "Blackbox-Exporter/0.28.0 omx-blackbox/" OMX_VERSION

/* gRPC status codes used here (google.golang.org/grpc/codes). */
enum {
    CODE_OK = 0,
    CODE_UNKNOWN = 2,
    CODE_DEADLINE = 4,
    CODE_PERMISSION = 7,
    CODE_UNIMPLEMENTED = 12,
    CODE_INTERNAL = 13,
    CODE_UNAVAILABLE = 14,
    CODE_UNAUTH = 16
};

static const char *const serving_names[] = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

/* ---- the call ---- */

typedef struct call {
    bb_probe *p;
    CURL *h;
    bool https, verify;
    omx_buf reply;
    size_t header_bytes;
    bool headers_overflow, reply_overflow;
    int grpc_status; /* -1 until seen */
    char grpc_message[256];
    bool have_tls;
    bb_tls_facts tls;
    bb_curl_tls *keep;   /* what the peer is verified against */
    const char *name;    /* the name it is verified for */
    char tls_error[512]; /* why that verification failed */
} call;

static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx) {
    call *cl = ctx;
    size_t n = size * nmemb;
    if (omx_buf_append(&cl->reply, data, n) < 0) {
        cl->reply_overflow = true;
        return CURL_WRITEFUNC_ERROR;
    }
    return n;
}

/* After the TLS handshake: the peer's chain and name against the CA list
 * parsed once (curl-trust.h), as libcurl would check them. */
static int on_prereq(void *ctx, char *peer_ip, char *local_ip, int peer_port, int local_port) {
    call *cl = ctx;
    (void)peer_ip, (void)local_ip, (void)peer_port, (void)local_port;
    if (cl->https &&
        bb_curl_tls_verify(cl->keep, cl->h, cl->name, cl->tls_error, sizeof(cl->tls_error)) < 0)
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx) {
    call *cl = ctx;
    size_t n = size * nmemb;
    if ((cl->header_bytes += n) > HEADERS_MAX) {
        cl->headers_overflow = true;
        return 0;
    }
    if (n <= 2 && (data[0] == '\r' || data[0] == '\n') && cl->https && !cl->have_tls) {
        struct curl_tlssessioninfo *ti = NULL;
        if (curl_easy_getinfo(cl->h, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK && ti &&
            ti->backend == CURLSSLBACKEND_GNUTLS && ti->internals)
            cl->have_tls =
                bb_tls_facts_take_trust(ti->internals, cl->verify,
                                        bb_curl_trust_list(cl->keep->trust), &cl->tls) == 0;
    }
    char line[300];
    size_t l = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
    memcpy(line, data, l);
    line[l] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (!strncasecmp(line, "grpc-status:", 12))
        cl->grpc_status = atoi(line + 12 + strspn(line + 12, " "));
    else if (!strncasecmp(line, "grpc-message:", 13))
        snprintf(cl->grpc_message, sizeof(cl->grpc_message), "%s",
                 line + 13 + strspn(line + 13, " "));
    return n;
}

/* Reads a protobuf varint; returns bytes used or 0 when malformed. */
static size_t varint(const unsigned char *d, size_t n, uint64_t *v) {
    *v = 0;
    for (size_t i = 0; i < n && i < 10; i++) {
        *v |= (uint64_t)(d[i] & 0x7f) << (7 * i);
        if (!(d[i] & 0x80))
            return i + 1;
    }
    return 0;
}

/* The status of a HealthCheckResponse message; -1 when malformed. */
static int decode_status(const unsigned char *d, size_t n) {
    int status = 0; /* absent field: UNKNOWN */
    for (size_t i = 0; i < n;) {
        uint64_t tag, v;
        size_t k = varint(d + i, n - i, &tag);
        if (!k)
            return -1;
        i += k;
        switch (tag & 7) {
        case 0:
            if (!(k = varint(d + i, n - i, &v)))
                return -1;
            i += k;
            if (tag >> 3 == 1)
                status = v <= 3 ? (int)v : 0;
            break;
        case 1: i += 8; break;
        case 5: i += 4; break;
        case 2:
            if (!(k = varint(d + i, n - i, &v)) || v > n)
                return -1;
            i += k + (size_t)v;
            break;
        default: return -1;
        }
        if (i > n)
            return -1;
    }
    return status;
}

/* gRPC's mapping of an HTTP status without grpc-status to a code. */
static int code_of_http(long st) {
    switch (st) {
    case 400: return CODE_INTERNAL;
    case 401: return CODE_UNAUTH;
    case 403: return CODE_PERMISSION;
    case 404: return CODE_UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504: return CODE_UNAVAILABLE;
    default: return CODE_UNKNOWN;
    }
}

static int add_header(struct curl_slist **l, const char *line) {
    struct curl_slist *n = curl_slist_append(*l, line);
    if (!n)
        return -ENOMEM;
    *l = n;
    return 0;
}

bool bb_grpc_run(bb_probe *p, const void *cfg) {
    const grpc_cfg *c = cfg;
    bool success = false;
    double resolve = 0, check = 0;
    int code = CODE_UNKNOWN, serving = -1;
    call cl;
    memset(&cl, 0, sizeof(cl));
    cl.grpc_status = -1;
    cl.p = p;
    omx_buf_init(&cl.reply, REPLY_MAX);
    struct curl_slist *headers = NULL, *pin = NULL;
    bb_curl_tls keep = BB_CURL_TLS_INIT;

    /* Upstream takes "host:port" or a URL and uses only its host and port. */
    const char *t = p->target;
    if (!strncasecmp(t, "http://", 7))
        t += 7;
    else if (!strncasecmp(t, "https://", 8))
        t += 8;
    char hostport[300];
    snprintf(hostport, sizeof(hostport), "%.*s", (int)strcspn(t, "/?#"), t);
    char host[256];
    uint16_t port = 0;
    if (bb_split_host_port(hostport, host, sizeof(host), &port, c->tls ? 443 : 80) < 0 || !*host) {
        bb_logf(p, OMX_LOG_ERROR, "Could not parse target URL target=%s", p->target);
        goto report;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    int64_t t0 = bb_now_ns();
    int rc = bb_resolve(p, host, port, &c->ip, &ss, &sslen);
    resolve = (double)(bb_now_ns() - t0) / 1e9;
    if (rc < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error resolving address host=%s", host);
        goto report;
    }
    char addr[INET6_ADDRSTRLEN] = "";
    bool v6 = ss.ss_family == AF_INET6;
    inet_ntop(ss.ss_family,
              v6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                 : (const void *)&((struct sockaddr_in *)&ss)->sin_addr,
              addr, sizeof(addr));
    int64_t check_start = bb_now_ns();

    /* The name in the URL is the SNI and verification name; the connection
     * goes to the resolved address. */
    const char *name = c->tls && c->tls_config.server_name && *c->tls_config.server_name
                           ? c->tls_config.server_name
                           : host;
    bool name_v6 = strchr(name, ':') != NULL;
    char url[700];
    snprintf(url, sizeof(url), "%s://%s%s%s:%u/grpc.health.v1.Health/Check",
             c->tls ? "https" : "http", name_v6 ? "[" : "", name, name_v6 ? "]" : "", port);

    /* The request: a gRPC frame holding HealthCheckRequest{service}. */
    size_t slen = c->service ? strlen(c->service) : 0;
    unsigned char msg[5 + 3 + BB_GRPC_SERVICE_MAX];
    size_t mlen = 0;
    if (slen) {
        msg[5 + mlen++] = 0x0a;
        size_t v = slen;
        do {
            msg[5 + mlen++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>= 7;
        } while (v);
        memcpy(msg + 5 + mlen, c->service, slen);
        mlen += slen;
    }
    msg[0] = 0;
    msg[1] = (unsigned char)(mlen >> 24);
    msg[2] = (unsigned char)(mlen >> 16);
    msg[3] = (unsigned char)(mlen >> 8);
    msg[4] = (unsigned char)mlen;

    cl.h = bb_curl_handle_get();
    if (!cl.h)
        goto report;
    CURL *h = cl.h;
    cl.https = c->tls;
    cl.verify = !c->tls_config.insecure_skip_verify;
    rc = add_header(&headers, "Content-Type: application/grpc");
    if (rc == 0)
        rc = add_header(&headers, "TE: trailers");
    if (rc == 0)
        rc = add_header(&headers, "User-Agent: " USER_AGENT);
    if (rc == 0)
        rc = add_header(&headers, "Accept:");
    if (rc == 0)
        rc = add_header(&headers, "Expect:");
    for (size_t i = 0; i < c->n_md && rc == 0; i++) {
        char line[1024];
        snprintf(line, sizeof(line), "%s: %s", c->md_names[i], c->md_values[i]);
        rc = add_header(&headers, line);
    }
    unsigned char literal[16];
    bool is_literal =
        inet_pton(AF_INET, name, literal) == 1 || inet_pton(AF_INET6, name, literal) == 1;
    if (rc == 0 && !is_literal)
        rc = bb_curl_handle_pin(h, name, port, addr, &pin);
    if (rc < 0)
        goto report;
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, (const char *)msg);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)(5 + mlen));
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     c->tls ? (long)CURL_HTTP_VERSION_2TLS
                            : (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &cl);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &cl);
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, &cl);
    cl.keep = &keep;
    cl.name = name;
    if (c->tls && bb_curl_tls_setup_verify(p, h, &c->tls_config, &keep) < 0)
        goto report;
    int ms = bb_remaining_ms(p);
    if (ms <= 0) {
        bb_logf(p, OMX_LOG_ERROR, "can't connect grpc server: err=\"probe deadline reached\"");
        code = CODE_DEADLINE;
        goto report;
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ms);
    bb_logf(p, OMX_LOG_DEBUG, "Dialing GRPC %s TLS url=%s", c->tls ? "with" : "without", url);
    CURLcode cc = curl_easy_perform(h);
    check = (double)(bb_now_ns() - check_start) / 1e9;
    long st = 0, version = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
    if (cc != CURLE_OK) {
        code = cc == CURLE_OPERATION_TIMEDOUT ? CODE_DEADLINE : CODE_UNAVAILABLE;
        if (cl.grpc_status >= 0 && st)
            code = cl.grpc_status;
        bb_logf(p, OMX_LOG_ERROR, "can't connect grpc server: err=\"%s\"",
                cl.headers_overflow ? "response headers too large"
                : cl.reply_overflow ? "reply too large"
                : cl.tls_error[0]   ? cl.tls_error
                : *err              ? err
                                    : curl_easy_strerror(cc));
        goto report;
    }
    if (version != CURL_HTTP_VERSION_2_0) {
        code = CODE_UNAVAILABLE;
        bb_logf(p, OMX_LOG_ERROR,
                "can't connect grpc server: err=\"the server does not speak "
                "HTTP/2\"");
        goto report;
    }
    if (cl.grpc_status < 0) {
        code = st == 200 ? CODE_INTERNAL : code_of_http(st);
        bb_logf(p, OMX_LOG_ERROR,
                "can't connect grpc server: err=\"no grpc-status in the reply (HTTP status %ld)\"",
                st);
        goto report;
    }
    code = cl.grpc_status;
    if (code != CODE_OK) {
        bb_logf(p, OMX_LOG_ERROR,
                "can't connect grpc server: err=\"rpc error: code = %d desc = %s\"", code,
                cl.grpc_message);
        goto report;
    }
    const unsigned char *r = (const unsigned char *)cl.reply.data;
    size_t rl = cl.reply.len;
    uint32_t flen =
        rl >= 5 ? (uint32_t)r[1] << 24 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 8 | r[4] : 0;
    if (rl < 5 || r[0] != 0 || flen > rl - 5 || (serving = decode_status(r + 5, flen)) < 0) {
        code = CODE_INTERNAL;
        serving = -1;
        bb_logf(p, OMX_LOG_ERROR,
                "can't connect grpc server: err=\"malformed or compressed "
                "HealthCheckResponse\"");
        goto report;
    }
    success = serving == 1;
    if (success)
        bb_logf(p, OMX_LOG_DEBUG, "connect the grpc server successfully");
    else
        bb_logf(p, OMX_LOG_ERROR, "can't connect grpc server: err=\"serving status %s\"",
                serving_names[serving]);

report : {
    static const char *const phase[] = {"phase"};
    const char *resolve_v[] = {"resolve"}, *check_v[] = {"check"};
    int e = bb_result_gauge_l(p, "probe_grpc_duration_seconds", "Duration of gRPC request by phase",
                              1, phase, resolve_v, resolve);
    if (cl.h)
        e |= bb_result_gauge_l(p, "probe_grpc_duration_seconds",
                               "Duration of gRPC request by phase", 1, phase, check_v, check);
    e |= bb_result_gauge(p, "probe_grpc_ssl", "Indicates if SSL was used for the connection",
                         cl.have_tls ? 1 : 0);
    e |= bb_result_gauge(p, "probe_grpc_status_code", "Response gRPC status code", code);
    static const char *const ss_name[] = {"serving_status"};
    for (int i = 0; i < 4; i++) {
        const char *v[] = {serving_names[i]};
        e |=
            bb_result_gauge_l(p, "probe_grpc_healthcheck_response", "Response HealthCheck response",
                              1, ss_name, v, serving == i ? 1 : 0);
    }
    if (cl.have_tls)
        e |= bb_tls_facts_report(p, &cl.tls, BB_TLS_GRPC);
    if (e)
        success = false;
}
    bb_tls_facts_clear(&cl.tls);
    omx_buf_free(&cl.reply);
    curl_slist_free_all(headers);
    curl_slist_free_all(pin);
    bb_curl_tls_clear(&keep);
    cl.h = bb_curl_handle_put(cl.h);
    return success;
}
