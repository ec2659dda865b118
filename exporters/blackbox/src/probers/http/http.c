/* The http prober: one transfer per hop on the thread's kept libcurl handle.
 * Redirects are followed here rather than by libcurl, so each hop's timings,
 * method change, Host header and TLS state are upstream's (Go's http.Client
 * with prober/http.go's CheckRedirect), and every connection goes through the
 * allow-list. The first hop is pinned to the address bb_resolve chose
 * (CURLOPT_RESOLVE), so the Host header and SNI stay the host name. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exporter/file.h"
#include "curl-handle.h"
#include "curl-tls.h"
#include "http.h"
#include "prober.h"
#include "tlsinfo.h"

#define MAX_REDIRECTS 10            /* Go's CheckRedirect in upstream: more is an error */
#define HEADERS_MAX (256u << 10)    /* response header bytes kept per hop */
#define BODY_REGEX_MAX (16u << 20)  /* body kept for regexes when no smaller limit */
#define BODY_FILE_MAX (64u << 20)   /* body_file read at each probe */
#define SECRET_FILE_MAX (64u << 10) /* password_file, credentials_file ... */
#define USER_AGENT "Blackbox-Exporter/0.28.0 omx-blackbox/" OMX_VERSION

typedef struct hop {
    bb_probe *p;
    const bb_http_cfg *c;
    CURL *h;
    bool https;
    bool verify;
    bool in_headers;
    bool redirect_seen; /* the response is a redirect we will not read the body of */
    bool final;         /* body counted and decoded */
    bool too_big;       /* body_size_limit (or the internal cap) passed */
    bool decode_error;
    bool headers_overflow;
    bool blocked; /* a connection refused by the allow-list */
    bool use_proxy;
    const char *host; /* of this hop, for the allow-list */
    long status;
    omx_buf headers; /* "name: value\n" of the last response */
    size_t header_bytes;
    omx_buf body; /* only when body regexes need it */
    int64_t body_bytes;
    bb_http_decoder *dec;
    bool have_tls;
    bb_tls_facts tls;
    bb_curl_tls *keep;   /* what the peer is verified against */
    char tls_error[512]; /* why that verification failed */
} hop;

/* ---- callbacks ---- */

static int body_out(void *ctx, const char *data, size_t n) {
    hop *hp = ctx;
    int64_t lim = hp->c->body_size_limit;
    if (lim > 0 && hp->body_bytes + (int64_t)n > lim) {
        hp->too_big = true;
        return OMX_ELIMIT;
    }
    hp->body_bytes += (int64_t)n;
    if (hp->c->body_match.n || hp->c->body_not_match.n) {
        if (omx_buf_append(&hp->body, data, n) < 0) {
            hp->too_big = true;
            return OMX_ELIMIT;
        }
    }
    return 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx) {
    hop *hp = ctx;
    size_t n = size * nmemb;
    if (hp->redirect_seen)
        return CURL_WRITEFUNC_ERROR; /* a redirect's body is never read */
    int rc = hp->dec ? bb_http_decoder_feed(hp->dec, data, n, body_out, hp) : body_out(hp, data, n);
    if (rc == OMX_EVALUE)
        hp->decode_error = true;
    return rc < 0 ? CURL_WRITEFUNC_ERROR : n;
}

static bool is_redirect(long s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx) {
    hop *hp = ctx;
    size_t n = size * nmemb;
    hp->header_bytes += n;
    if (hp->header_bytes > HEADERS_MAX) {
        hp->headers_overflow = true;
        return 0;
    }
    if (n >= 5 && !memcmp(data, "HTTP/", 5)) { /* a new response (1xx before the last) */
        omx_buf_reset(&hp->headers);
        hp->in_headers = true;
        return n;
    }
    if (n <= 2 && (data[0] == '\r' || data[0] == '\n')) { /* end of this response's headers */
        hp->in_headers = false;
        long st = 0;
        curl_easy_getinfo(hp->h, CURLINFO_RESPONSE_CODE, &st);
        if (hp->https) {
            struct curl_tlssessioninfo *ti = NULL;
            if (curl_easy_getinfo(hp->h, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK && ti &&
                ti->backend == CURLSSLBACKEND_GNUTLS && ti->internals) {
                bb_tls_facts_clear(&hp->tls);
                hp->have_tls =
                    bb_tls_facts_take_trust(ti->internals, hp->verify,
                                            bb_curl_trust_list(hp->keep->trust), &hp->tls) == 0;
            }
        }
        if (st >= 200 && is_redirect(st)) {
            const char *h = hp->headers.data ? hp->headers.data : "";
            /* Only a redirect with a Location is one (Go returns the others as is). */
            for (const char *l = h; *l;) {
                const char *e = strchr(l, '\n');
                if (!strncasecmp(l, "location:", 9)) {
                    hp->redirect_seen = true;
                    break;
                }
                l = e ? e + 1 : l + strlen(l);
            }
        }
        return n;
    }
    if (hp->in_headers && omx_buf_append(&hp->headers, data, n) < 0) {
        hp->headers_overflow = true;
        return 0;
    }
    return n;
}

/* After the TLS handshake, before the request: the peer's chain and name, as
 * libcurl would check them with the CA bundle parsed once (curl-trust.h). */
static int on_prereq(void *ctx, char *peer_ip, char *local_ip, int peer_port, int local_port) {
    hop *hp = ctx;
    (void)peer_ip, (void)local_ip, (void)peer_port, (void)local_port;
    if (!hp->https)
        return CURL_PREREQFUNC_OK;
    if (bb_curl_tls_verify(hp->keep, hp->h, hp->host, hp->tls_error, sizeof(hp->tls_error)) < 0)
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

static curl_socket_t on_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a) {
    hop *hp = ctx;
    (void)purpose;
    if (!hp->use_proxy && !bb_target_allowed(hp->p->rt, hp->host, &a->addr)) {
        hp->blocked = true;
        bb_logf(hp->p, OMX_LOG_ERROR, "Target not allowed by --probe.allowed-targets host=%s",
                hp->host ? hp->host : "");
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* ---- helpers ---- */

/* The value of header name in the kept headers: the i-th occurrence. */
static bool header_value(const omx_buf *hs, const char *name, size_t idx, const char **v,
                         size_t *vlen) {
    size_t nl = strlen(name), seen = 0;
    const char *l = hs->data ? hs->data : "";
    while (*l) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        if (len > nl && l[nl] == ':' && !strncasecmp(l, name, nl) && seen++ == idx) {
            const char *s = l + nl + 1, *end = l + len;
            while (s < end && (*s == ' ' || *s == '\t'))
                s++;
            while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
                end--;
            *v = s;
            *vlen = (size_t)(end - s);
            return true;
        }
        l += len + (e ? 1 : 0);
    }
    return false;
}

static bool headers_ok(bb_probe *p, const bb_http_cfg *c, const omx_buf *hs) {
    for (int pass = 0; pass < 2; pass++) {
        const bb_http_header_match *m = pass ? c->hdr_not_match : c->hdr_match;
        size_t n = pass ? c->n_hdr_not_match : c->n_hdr_match;
        for (size_t i = 0; i < n; i++) {
            const char *v;
            size_t vl, count = 0;
            bool any = false;
            while (header_value(hs, m[i].header, count, &v, &vl)) {
                count++;
                if (omx_regex_match(m[i].re, v, vl) == 1)
                    any = true;
                if (!pass && any) {
                    bb_logf(p, OMX_LOG_ERROR,
                            "Header matched regular expression header=%s regexp=%s", m[i].header,
                            m[i].src);
                    return false;
                }
                if (pass && any)
                    break;
            }
            if (count == 0) {
                if (m[i].allow_missing)
                    continue;
                bb_logf(p, OMX_LOG_ERROR, "Missing required header header=%s", m[i].header);
                return false;
            }
            if (pass && !any) {
                bb_logf(p, OMX_LOG_ERROR,
                        "Header did not match regular expression header=%s regexp=%s "
                        "value_count=%zu",
                        m[i].header, m[i].src, count);
                return false;
            }
        }
    }
    return true;
}

static bool body_ok(bb_probe *p, const bb_http_cfg *c, const omx_buf *b) {
    const char *d = b->data ? b->data : "";
    for (size_t i = 0; i < c->body_match.n; i++) {
        int r = omx_regex_match(c->body_match.re[i], d, b->len);
        if (r != 0) {
            bb_logf(p, OMX_LOG_ERROR, "Body matched regular expression regexp=%s%s",
                    c->body_match.src[i], r < 0 ? " (match limit reached)" : "");
            return false;
        }
    }
    for (size_t i = 0; i < c->body_not_match.n; i++) {
        int r = omx_regex_match(c->body_not_match.re[i], d, b->len);
        if (r != 1) {
            bb_logf(p, OMX_LOG_ERROR, "Body did not match regular expression regexp=%s%s",
                    c->body_not_match.src[i], r < 0 ? " (match limit reached)" : "");
            return false;
        }
    }
    return true;
}

/* A secret given inline or as a file (read now, blanks trimmed as upstream). */
static int secret_of(bb_probe *p, const bb_http_auth_file *a, char **ret) {
    *ret = NULL;
    if (a->value) {
        *ret = strdup(a->value);
        return *ret ? 0 : -ENOMEM;
    }
    if (!a->file)
        return 0;
    char *data = NULL;
    size_t len = 0;
    int rc = omx_read_file(a->file, SECRET_FILE_MAX, &data, &len);
    if (rc < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Cannot read secret file file=%s err=\"%s\"", a->file,
                omx_strerror(rc));
        return rc;
    }
    char *s = data;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t l = strlen(s);
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' || s[l - 1] == '\r'))
        l--;
    memmove(data, s, l);
    data[l] = '\0';
    *ret = data;
    return 0;
}

typedef struct probe_res {
    bb_curl_tls tls, oauth2_tls;
    char *user, *pass, *cred, *body;
    size_t body_len;
    struct curl_slist *headers, *proxy_headers, *resolve;
} probe_res;

static void res_clear(probe_res *r) {
    bb_curl_tls_clear(&r->tls);
    bb_curl_tls_clear(&r->oauth2_tls);
    free(r->user);
    free(r->pass);
    free(r->cred);
    free(r->body);
    curl_slist_free_all(r->headers);
    curl_slist_free_all(r->proxy_headers);
    curl_slist_free_all(r->resolve);
}

static int add_header(struct curl_slist **l, const char *name, const char *value) {
    size_t n = strlen(name) + strlen(value) + 4;
    char *line = malloc(n);
    if (!line)
        return -ENOMEM;
    /* "Name;" sends an empty value, "Name:" would remove the header. */
    if (*value)
        snprintf(line, n, "%s: %s", name, value);
    else
        snprintf(line, n, "%s;", name);
    struct curl_slist *nl = curl_slist_append(*l, line);
    free(line);
    if (!nl)
        return -ENOMEM;
    *l = nl;
    return 0;
}

static bool has_header(const bb_http_kv *kv, const char *name) {
    for (size_t i = 0; i < kv->n; i++)
        if (!strcasecmp(kv->names[i], name))
            return true;
    return false;
}

/* Splits a URL into scheme (https?), host (no brackets) and port. */
static int url_parts(const char *url, bool *https, char *host, size_t hlen, long *port) {
    CURLU *u = curl_url();
    if (!u)
        return -ENOMEM;
    int rc = OMX_EINVAL;
    char *scheme = NULL, *h = NULL, *pt = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &pt, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        *https = !strcasecmp(scheme, "https");
        const char *s = h;
        size_t l = strlen(s);
        if (l >= 2 && s[0] == '[' && s[l - 1] == ']') {
            s++;
            l -= 2;
        }
        if (l < hlen && (*https || !strcasecmp(scheme, "http"))) {
            memcpy(host, s, l);
            host[l] = '\0';
            *port = strtol(pt, NULL, 10);
            rc = 0;
        }
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(pt);
    curl_url_cleanup(u);
    return rc;
}

/* url with its host replaced by host (an SNI name); malloc'ed. */
static char *url_with_host(const char *url, const char *host) {
    CURLU *u = curl_url();
    char *out = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_HOST, host, 0) == CURLUE_OK)
        curl_url_get(u, CURLUPART_URL, &out, 0);
    curl_url_cleanup(u);
    char *r = out ? strdup(out) : NULL;
    curl_free(out);
    return r;
}

/* Location resolved against base; malloc'ed or NULL. */
static char *url_resolve(const char *base, const char *loc, size_t loclen, bool *relative) {
    char *l = strndup(loc, loclen);
    CURLU *u = curl_url();
    char *out = NULL;
    *relative = !strstr(l ? l : "", "://");
    if (l && u && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, l, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
        curl_url_get(u, CURLUPART_URL, &out, 0);
    curl_url_cleanup(u);
    free(l);
    char *r = out ? strdup(out) : NULL;
    curl_free(out);
    return r;
}

static double us(curl_off_t v) { return (double)v / 1e6; }

typedef struct phases {
    double resolve, connect, tls, processing, transfer;
    bool resolve_set;
    bool started; /* the request was made: every phase is reported (0 if not reached) */
} phases;

/* Adds this hop's timings as upstream's roundTripTrace sums them. */
static void add_phases(CURL *h, phases *ph, bool first, bool https, bool read_all) {
    curl_off_t dns = 0, conn = 0, app = 0, pre = 0, start = 0, total = 0;
    curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &conn);
    curl_easy_getinfo(h, CURLINFO_APPCONNECT_TIME_T, &app);
    curl_easy_getinfo(h, CURLINFO_PRETRANSFER_TIME_T, &pre);
    curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &start);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
    if (!first) {
        ph->resolve += us(dns);
        ph->resolve_set = true;
    }
    if (conn == 0 || pre == 0)
        return; /* never got a connection */
    ph->connect += us(conn - dns);
    if (https && app >= conn)
        ph->tls += us(app - conn);
    if (start == 0)
        return;
    ph->processing += us(start > pre ? start - pre : 0);
    if (read_all && total >= start)
        ph->transfer += us(total - start);
}

static bool status_ok(bb_probe *p, const bb_http_cfg *c, long st) {
    if (c->n_valid_status_codes) {
        for (size_t i = 0; i < c->n_valid_status_codes; i++)
            if (c->valid_status_codes[i] == st)
                return true;
        char list[256] = "[";
        size_t o = 1;
        for (size_t i = 0; i < c->n_valid_status_codes && o < sizeof(list) - 8; i++)
            o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d", i ? " " : "",
                                  c->valid_status_codes[i]);
        snprintf(list + o, sizeof(list) - o, "]");
        bb_logf(p, OMX_LOG_ERROR,
                "Invalid HTTP response status code status_code=%ld valid_status_codes=%s", st,
                list);
        return false;
    }
    if (st >= 200 && st < 300)
        return true;
    bb_logf(p, OMX_LOG_ERROR, "Invalid HTTP response status code, wanted 2xx status_code=%ld", st);
    return false;
}

static int add(bb_probe *p, const char *name, const char *help, double v) {
    return bb_result_gauge(p, name, help, v);
}

static int add_phase(bb_probe *p, const char *phase, double v) {
    static const char *const names[] = {"phase"};
    const char *values[] = {phase};
    return bb_result_gauge_l(p, "probe_http_duration_seconds",
                             "Duration of http request by phase, summed over all redirects", 1,
                             names, values, v);
}

/* ---- oauth2 client credentials ---- */

static size_t on_token(char *data, size_t size, size_t nmemb, void *ctx) {
    size_t n = size * nmemb;
    return omx_buf_append(ctx, data, n) < 0 ? 0 : n;
}

/* The string value of key in a flat JSON object; malloc'ed or NULL. */
static char *json_string(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\"", key);
    const char *s = strstr(json, pat);
    if (!s)
        return NULL;
    s += strlen(pat);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s++ != ':')
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (*s++ != '"')
        return NULL;
    omx_buf b;
    omx_buf_init(&b, 64 << 10);
    for (; *s && *s != '"'; s++) {
        char ch = *s;
        if (ch == '\\') {
            s++;
            if (!*s)
                break;
            ch = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s == 'r' ? '\r' : *s;
            if (*s == 'u') /* no non-ASCII escapes in tokens */
                break;
        }
        if (omx_buf_append(&b, &ch, 1) < 0)
            break;
    }
    if (*s != '"') {
        omx_buf_free(&b);
        return NULL;
    }
    return b.data ? b.data : strdup("");
}

/* Appends s form-encoded as Go's url.QueryEscape does (space as '+'). */
static int form_escape(omx_buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
        int rc;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~')
            rc = omx_buf_append(b, s, 1);
        else if (c == ' ')
            rc = omx_buf_append(b, "+", 1);
        else
            rc = omx_buf_append(b, enc, 3);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int form_add(omx_buf *b, const char *k, const char *v) {
    if ((b->len && omx_buf_append(b, "&", 1) < 0) || form_escape(b, k) < 0 ||
        omx_buf_append(b, "=", 1) < 0 || form_escape(b, v) < 0)
        return -ENOMEM;
    return 0;
}

/* Fetches a token from token_url; *ret is "Type token" (malloc'ed). */
static int oauth2_token(bb_probe *p, const bb_http_cfg *c, char **ret) {
    *ret = NULL;
    char *secret = NULL;
    int rc = secret_of(p, &c->oauth2_secret, &secret);
    if (rc < 0)
        return rc;
    CURL *h = curl_easy_init();
    omx_buf form, reply;
    omx_buf_init(&form, 64 << 10);
    omx_buf_init(&reply, 1 << 20);
    probe_res r = {.tls = BB_CURL_TLS_INIT, .oauth2_tls = BB_CURL_TLS_INIT};
    if (!h) {
        free(secret);
        return -ENOMEM;
    }
    rc = form_add(&form, "grant_type", "client_credentials");
    if (rc == 0 && c->oauth2_scopes && c->oauth2_scopes[0]) {
        omx_buf sc;
        omx_buf_init(&sc, 16 << 10);
        for (size_t i = 0; c->oauth2_scopes[i] && rc == 0; i++)
            rc = (i ? omx_buf_append(&sc, " ", 1) : 0) ||
                 omx_buf_append(&sc, c->oauth2_scopes[i], strlen(c->oauth2_scopes[i]));
        if (rc == 0)
            rc = form_add(&form, "scope", sc.data);
        omx_buf_free(&sc);
    }
    for (size_t i = 0; i < c->oauth2_params.n && rc == 0; i++)
        rc = form_add(&form, c->oauth2_params.names[i], c->oauth2_params.values[i]);
    if (rc != 0) {
        rc = -ENOMEM;
        goto out;
    }
    char err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, c->oauth2_token_url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form.data ? form.data : "");
    curl_easy_setopt(h, CURLOPT_USERNAME, c->oauth2_client_id);
    curl_easy_setopt(h, CURLOPT_PASSWORD, secret ? secret : "");
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_token);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(h, CURLOPT_PROXY, c->oauth2_proxy_url ? c->oauth2_proxy_url : "");
    int ms = bb_remaining_ms(p);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(ms > 0 ? ms : 1));
    if ((rc = bb_curl_tls_setup(p, h, &c->oauth2_tls, &r.oauth2_tls)) < 0)
        goto out;
    CURLcode cc = curl_easy_perform(h);
    long st = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
    if (cc != CURLE_OK || st < 200 || st >= 300) {
        bb_logf(p, OMX_LOG_ERROR, "Error fetching the oauth2 token status_code=%ld err=\"%s\"", st,
                cc != CURLE_OK ? (*err ? err : curl_easy_strerror(cc)) : "status");
        rc = OMX_EVALUE;
        goto out;
    }
    char *tok = json_string(reply.data ? reply.data : "", "access_token");
    char *type = json_string(reply.data ? reply.data : "", "token_type");
    if (!tok || !*tok) {
        bb_logf(p, OMX_LOG_ERROR, "The oauth2 token reply holds no access_token");
        rc = OMX_EVALUE;
    } else {
        const char *t = !type || !*type || !strcasecmp(type, "bearer") ? "Bearer"
                        : !strcasecmp(type, "mac")                     ? "MAC"
                        : !strcasecmp(type, "basic")                   ? "Basic"
                                                                       : type;
        size_t n = strlen(t) + strlen(tok) + 2;
        *ret = malloc(n);
        if (*ret)
            snprintf(*ret, n, "%s %s", t, tok);
        rc = *ret ? 0 : -ENOMEM;
    }
    free(tok);
    free(type);
out:
    res_clear(&r);
    omx_buf_free(&form);
    omx_buf_free(&reply);
    free(secret);
    curl_easy_cleanup(h);
    return rc;
}

/* ---- the probe ---- */

static bool resolve_locally(const bb_http_cfg *c) {
    bool proxy = (c->proxy_url && *c->proxy_url) || c->proxy_from_environment;
    return !c->skip_resolve_phase_with_proxy || !proxy;
}

/* Everything request-wide (headers, auth, TLS, proxy) on the handle. */
static int setup_request(bb_probe *p, const bb_http_cfg *c, CURL *h, probe_res *r,
                         const char *host_header) {
    int rc = 0;
    if (host_header)
        rc = add_header(&r->headers, "Host", host_header);
    for (size_t i = 0; i < c->headers.n && rc == 0; i++)
        if (strcasecmp(c->headers.names[i], "Host"))
            rc = add_header(&r->headers, c->headers.names[i], c->headers.values[i]);
    for (size_t i = 0; i < c->http_headers.n && rc == 0; i++) {
        if (c->http_headers_file[i]) {
            bb_http_auth_file f = {.file = c->http_headers.values[i]};
            char *v = NULL;
            rc = secret_of(p, &f, &v);
            if (rc == 0)
                rc = add_header(&r->headers, c->http_headers.names[i], v);
            free(v);
        } else {
            rc = add_header(&r->headers, c->http_headers.names[i], c->http_headers.values[i]);
        }
    }
    /* libcurl's own defaults Go does not send. */
    static const char *const unset[] = {"Accept", "Expect", "Content-Type"};
    for (size_t i = 0; i < 3 && rc == 0; i++)
        if (!has_header(&c->headers, unset[i])) {
            char line[32];
            snprintf(line, sizeof(line), "%s:", unset[i]);
            struct curl_slist *nl = curl_slist_append(r->headers, line);
            rc = nl ? 0 : -ENOMEM;
            if (nl)
                r->headers = nl;
        }
    if (rc == 0 && !has_header(&c->headers, "User-Agent"))
        rc = add_header(&r->headers, "User-Agent", USER_AGENT);
    if (rc == 0 && c->has_basic_auth) {
        if ((rc = secret_of(p, &c->username, &r->user)) == 0 &&
            (rc = secret_of(p, &c->password, &r->pass)) == 0) {
            curl_easy_setopt(h, CURLOPT_USERNAME, r->user ? r->user : "");
            curl_easy_setopt(h, CURLOPT_PASSWORD, r->pass ? r->pass : "");
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        }
    }
    if (rc == 0 && c->has_authorization) {
        if ((rc = secret_of(p, &c->credentials, &r->cred)) == 0) {
            size_t n = strlen(c->auth_type) + (r->cred ? strlen(r->cred) : 0) + 2;
            char *v = malloc(n);
            if (!v)
                return -ENOMEM;
            snprintf(v, n, "%s %s", c->auth_type, r->cred ? r->cred : "");
            rc = add_header(&r->headers, "Authorization", v);
            free(v);
        }
    }
    if (rc == 0 && c->has_oauth2) {
        char *tok = NULL;
        if ((rc = oauth2_token(p, c, &tok)) == 0)
            rc = add_header(&r->headers, "Authorization", tok);
        free(tok);
    }
    if (rc < 0)
        return rc;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);

    if (c->proxy_url && *c->proxy_url) {
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy_url);
        if (c->no_proxy)
            curl_easy_setopt(h, CURLOPT_NOPROXY, c->no_proxy);
    } else if (!c->proxy_from_environment) {
        curl_easy_setopt(h, CURLOPT_PROXY, ""); /* libcurl would read *_proxy otherwise */
    }
    for (size_t i = 0; i < c->proxy_connect_header.n && rc == 0; i++)
        rc = add_header(&r->proxy_headers, c->proxy_connect_header.names[i],
                        c->proxy_connect_header.values[i]);
    if (r->proxy_headers) {
        curl_easy_setopt(h, CURLOPT_PROXYHEADER, r->proxy_headers);
        curl_easy_setopt(h, CURLOPT_HEADEROPT, (long)CURLHEADER_SEPARATE);
    }
    curl_easy_setopt(h, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    if (rc < 0)
        return rc;
    if (c->ip.source_ip) {
        char iface[80];
        snprintf(iface, sizeof(iface), "host!%s", c->ip.source_ip);
        curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
    }
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     c->enable_http2 ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
    return bb_curl_tls_setup_verify(p, h, &c->tls, &r->tls);
}

static const char *find_host_header(const bb_probe *p, const bb_http_cfg *c) {
    if (p->hostname && *p->hostname)
        return p->hostname;
    for (size_t i = 0; i < c->headers.n; i++)
        if (!strcasecmp(c->headers.names[i], "Host"))
            return c->headers.values[i];
    return NULL;
}

bool bb_http_run(bb_probe *p, const void *cfg) {
    const bb_http_cfg *c = cfg;
    bool success = false;
    phases ph = {0};
    int redirects = 0;
    long status = 0, version = 0;
    curl_off_t content_length = 0;
    int64_t body_bytes = 0;
    bool final_tls = false, have_last_modified = false, regex_failed = false;
    int64_t last_modified = 0;
    bb_tls_facts tls = {0};
    probe_res r = {.tls = BB_CURL_TLS_INIT, .oauth2_tls = BB_CURL_TLS_INIT};
    char *url = NULL, *cur = NULL;
    hop hp;
    memset(&hp, 0, sizeof(hp));
    omx_buf_init(&hp.headers, HEADERS_MAX);

    const char *target = p->target;
    size_t tl = strlen(target);
    if (strncasecmp(target, "http://", 7) && strncasecmp(target, "https://", 8)) {
        url = malloc(tl + 8);
        if (!url)
            goto done;
        snprintf(url, tl + 8, "http://%s", target);
    } else if (!(url = strdup(target))) {
        goto done;
    }
    char host[256];
    long port = 0;
    bool https = false;
    if (url_parts(url, &https, host, sizeof(host), &port) < 0 || !*host) {
        bb_logf(p, OMX_LOG_ERROR, "Could not parse target URL target=%s", target);
        goto done;
    }

    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    bool pinned = false;
    char addr[INET6_ADDRSTRLEN] = "";
    if (resolve_locally(c)) {
        int64_t t0 = bb_now_ns();
        int rc = bb_resolve(p, host, (uint16_t)port, &c->ip, &ss, &sslen);
        ph.resolve = (double)(bb_now_ns() - t0) / 1e9;
        ph.resolve_set = true;
        if (rc < 0) {
            bb_logf(p, OMX_LOG_ERROR, "Error resolving address host=%s", host);
            goto done;
        }
        const void *a = ss.ss_family == AF_INET6
                            ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                            : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
        inet_ntop(ss.ss_family, a, addr, sizeof(addr));
        pinned = true;
    }

    /* The name libcurl sees (SNI, certificate check): tls_config.server_name,
     * else a Host header, else the target's host; the connection still goes
     * to the address resolved above. */
    const char *host_header = find_host_header(p, c);
    const char *sni = c->tls.server_name && *c->tls.server_name ? c->tls.server_name
                      : host_header                             ? host_header
                                                                : host;
    char sni_host[256];
    snprintf(sni_host, sizeof(sni_host), "%s", sni);
    if (host_header) { /* "name:port" in a Host header names no SNI port */
        char *colon = strrchr(sni_host, ':');
        if (colon && !strchr(colon, ']') && strchr(sni_host, ':') == colon)
            *colon = '\0';
    }
    char orig_host_header[300];
    if (https && strcmp(sni_host, host) && !host_header) {
        /* The URL now names the SNI host; send the target's own Host. */
        bool v6 = strchr(host, ':') != NULL;
        bool default_port = port == 443;
        snprintf(orig_host_header, sizeof(orig_host_header), "%s%s%s%s%ld", v6 ? "[" : "", host,
                 v6 ? "]" : "", default_port ? "" : ":", default_port ? 0L : port);
        if (default_port)
            orig_host_header[strlen(orig_host_header) - 1] = '\0';
        host_header = orig_host_header;
    }
    if (https && strcmp(sni_host, host)) {
        char *u2 = url_with_host(url, sni_host);
        if (!u2) {
            bb_logf(p, OMX_LOG_ERROR, "Could not use server name server_name=%s", sni_host);
            goto done;
        }
        free(url);
        url = u2;
    }
    const char *url_host = https ? sni_host : host;

    hp.h = bb_curl_handle_get();
    if (!hp.h)
        goto done;
    CURL *h = hp.h;
    hp.p = p;
    hp.c = c;
    hp.verify = !c->tls.insecure_skip_verify;
    hp.use_proxy = (c->proxy_url && *c->proxy_url) || c->proxy_from_environment;
    char err[CURL_ERROR_SIZE];
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L); /* upstream disables keep-alives */
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");   /* a cookie jar across redirects */
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hp);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &hp);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &hp);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, &hp);
    hp.keep = &r.tls;
    curl_easy_setopt(h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
    curl_easy_setopt(h, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
    if (pinned && strcmp(url_host, addr) &&
        bb_curl_handle_pin(h, url_host, port, addr, &r.resolve) < 0)
        goto done;
    if (setup_request(p, c, h, &r, host_header) < 0)
        goto done;

    const char *method = c->method ? c->method : "GET";
    const char *body = c->body;
    size_t body_len = body ? strlen(body) : 0;
    if (c->body_file) {
        int rc = omx_read_file(c->body_file, BODY_FILE_MAX, &r.body, &r.body_len);
        if (rc < 0) {
            bb_logf(p, OMX_LOG_ERROR, "Error creating request err=\"%s: %s\"", c->body_file,
                    omx_strerror(rc));
            goto done;
        }
        body = r.body;
        body_len = r.body_len;
    }
    bool need_body = c->body_match.n || c->body_not_match.n;
    size_t keep = BODY_REGEX_MAX;
    if (c->body_size_limit > 0 && (uint64_t)c->body_size_limit < keep)
        keep = (size_t)c->body_size_limit;

    cur = url;
    url = NULL;
    bool keep_host = true;
    ph.started = true; /* upstream creates the other phases here, before the request */
    for (int hopn = 0;; hopn++) {
        char hhost[256];
        long hport = 0;
        bool hhttps = false;
        if (hopn == 0 && url_host == host) { /* cur is the target's URL, parsed above */
            snprintf(hhost, sizeof(hhost), "%s", host);
            hport = port;
            hhttps = https;
        } else if (url_parts(cur, &hhttps, hhost, sizeof(hhost), &hport) < 0) {
            bb_logf(p, OMX_LOG_ERROR, "Error for HTTP request err=\"bad URL %s\"", cur);
            break;
        }
        hp.host = hhost;
        hp.https = hhttps;
        hp.redirect_seen = false;
        hp.in_headers = false;
        hp.header_bytes = 0;
        hp.status = 0;
        omx_buf_reset(&hp.headers);
        hp.have_tls = false;
        hp.tls_error[0] = '\0';
        bb_tls_facts_clear(&hp.tls);
        hp.body_bytes = 0;
        hp.too_big = hp.decode_error = false;
        omx_buf_free(&hp.body);
        omx_buf_init(&hp.body, need_body ? keep : 0);
        hp.dec = bb_http_decoder_free(hp.dec);
        if (c->compression && bb_http_decoder_new(c->compression, &hp.dec) < 0)
            break;
        if (hopn > 0 && !keep_host) {
            /* Go keeps a custom Host only for relative redirects. */
            struct curl_slist *nh = NULL;
            for (struct curl_slist *s = r.headers; s; s = s->next)
                if (strncasecmp(s->data, "Host:", 5) && !(nh = curl_slist_append(nh, s->data)))
                    break;
            curl_slist_free_all(r.headers);
            r.headers = nh;
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, r.headers);
        }
        curl_easy_setopt(h, CURLOPT_URL, cur);
        if (!strcmp(method, "HEAD")) {
            curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        } else {
            curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
            /* Go sends "Content-Length: 0" for these methods without a body. */
            bool empty_body = !body && (!strcmp(method, "POST") || !strcmp(method, "PUT") ||
                                        !strcmp(method, "PATCH"));
            if (body || empty_body) {
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
            } else {
                curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
            }
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
                             strcmp(method, "GET") || body || empty_body ? method : NULL);
        }
        int ms = bb_remaining_ms(p);
        if (ms <= 0) {
            bb_logf(p, OMX_LOG_ERROR, "Error for HTTP request err=\"probe deadline reached\"");
            break;
        }
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ms);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)ms);
        err[0] = '\0';
        bb_logf(p, OMX_LOG_DEBUG, "Making HTTP request url=%s host=%s", cur, hhost);
        CURLcode cc = curl_easy_perform(h);
        long st = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
        bool redirect = hp.redirect_seen && st == 0 ? false : hp.redirect_seen;
        if (cc != CURLE_OK && !(redirect && cc == CURLE_WRITE_ERROR)) {
            const char *why = hp.headers_overflow ? "response headers too large"
                              : hp.too_big        ? "body larger than the size limit"
                              : hp.decode_error   ? "cannot decompress the body"
                              : hp.blocked        ? "target not allowed"
                              : hp.tls_error[0]   ? hp.tls_error
                              : *err              ? err
                                                  : curl_easy_strerror(cc);
            if (st == 0 || hp.headers_overflow) {
                add_phases(h, &ph, hopn == 0, hhttps, false);
                status = 0;
                bb_logf(p, OMX_LOG_ERROR, "Error for HTTP request err=\"%s\"", why);
                final_tls = false;
                break;
            }
            /* A response came but its body failed (limit, decoding, timeout). */
            bb_logf(p, OMX_LOG_ERROR, "Failed to read HTTP response body err=\"%s\"", why);
            add_phases(h, &ph, hopn == 0, hhttps, false);
            status = st;
            content_length = -1;
            curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
            curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
            body_bytes = hp.body_bytes;
            final_tls = hp.have_tls;
            if (final_tls) {
                tls = hp.tls;
                memset(&hp.tls, 0, sizeof(hp.tls));
            }
            success = false;
            goto final_metrics;
        }
        bb_logf(p, OMX_LOG_DEBUG, "Received HTTP response status_code=%ld", st);
        if (redirect) {
            const char *loc;
            size_t ll;
            header_value(&hp.headers, "Location", 0, &loc, &ll);
            bb_logf(p, OMX_LOG_WARN, "Received redirect location=%.*s", (int)ll, loc);
            redirects = hopn + 1;
            bool stop = redirects > MAX_REDIRECTS || !c->follow_redirects;
            bool relative = false;
            char *next = stop ? NULL : url_resolve(cur, loc, ll, &relative);
            if (!stop && (st == 307 || st == 308) && c->body_file)
                stop = true; /* Go cannot send a file body twice: it returns this response */
            if (stop || !next) {
                free(next);
                bb_logf(p, OMX_LOG_WARN, "Not following redirect");
                add_phases(h, &ph, hopn == 0, hhttps, false);
                status = st;
                success = status_ok(p, c, st);
                if (success && (c->n_hdr_match || c->n_hdr_not_match)) {
                    success = headers_ok(p, c, &hp.headers);
                    regex_failed = !success;
                }
                content_length = -1;
                curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
                curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
                final_tls = hp.have_tls;
                if (final_tls) {
                    tls = hp.tls;
                    memset(&hp.tls, 0, sizeof(hp.tls));
                }
                goto checks_after_body;
            }
            add_phases(h, &ph, hopn == 0, hhttps, false);
            if ((st == 301 || st == 302 || st == 303) && strcmp(method, "GET") &&
                strcmp(method, "HEAD")) {
                method = "GET";
                body = NULL;
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
            }
            keep_host = keep_host && relative;
            free(cur);
            cur = next;
            continue;
        }
        /* The final response. */
        status = st;
        add_phases(h, &ph, hopn == 0, hhttps, true);
        content_length = -1;
        curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &content_length);
        curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &version);
        final_tls = hp.have_tls;
        if (final_tls) {
            tls = hp.tls;
            memset(&hp.tls, 0, sizeof(hp.tls));
        }
        success = status_ok(p, c, st);
        if (success && (c->n_hdr_match || c->n_hdr_not_match)) {
            success = headers_ok(p, c, &hp.headers);
            regex_failed = !success;
        }
        if (hp.dec && !bb_http_decoder_done(hp.dec) && strcmp(method, "HEAD") &&
            (hp.body_bytes > 0 || content_length != 0)) {
            bb_logf(p, OMX_LOG_ERROR,
                    "Failed to read HTTP response body err=\"truncated %s "
                    "stream\"",
                    c->compression);
            success = false;
        }
        if (success && need_body) {
            success = body_ok(p, c, &hp.body);
            regex_failed = !success;
        }
        body_bytes = hp.body_bytes;
    checks_after_body : {
        const char *lm;
        size_t lml;
        if (header_value(&hp.headers, "Last-Modified", 0, &lm, &lml)) {
            char buf[64];
            snprintf(buf, sizeof(buf), "%.*s", (int)lml, lm);
            have_last_modified = bb_http_parse_time(buf, &last_modified) == 0;
        }
        const char *proto = version == CURL_HTTP_VERSION_1_0   ? "HTTP/1.0"
                            : version == CURL_HTTP_VERSION_1_1 ? "HTTP/1.1"
                            : version == CURL_HTTP_VERSION_2_0 ? "HTTP/2.0"
                            : version == CURL_HTTP_VERSION_3   ? "HTTP/3.0"
                                                               : "";
        if (c->valid_http_versions && c->valid_http_versions[0]) {
            bool found = false;
            for (size_t i = 0; c->valid_http_versions[i]; i++)
                found = found || !strcmp(c->valid_http_versions[i], proto);
            if (!found) {
                bb_logf(p, OMX_LOG_ERROR, "Invalid HTTP version number version=%s", proto);
                success = false;
            }
        }
    } break;
    }

final_metrics:
    if (final_tls) {
        if (c->fail_if_ssl) {
            bb_logf(p, OMX_LOG_ERROR, "Final request was over SSL");
            success = false;
        }
    } else if (c->fail_if_not_ssl && success) {
        bb_logf(p, OMX_LOG_ERROR, "Final request was not over SSL");
        success = false;
    }

done : {
    int rc = 0;
    if (ph.resolve_set)
        rc |= add_phase(p, "resolve", ph.resolve);
    if (ph.started) {
        rc |= add_phase(p, "connect", ph.connect);
        rc |= add_phase(p, "tls", ph.tls);
        rc |= add_phase(p, "processing", ph.processing);
        rc |= add_phase(p, "transfer", ph.transfer);
    }
    rc |= add(p, "probe_http_content_length", "Length of http content response",
              (double)content_length);
    rc |= add(p, "probe_http_uncompressed_body_length", "Length of uncompressed response body",
              (double)body_bytes);
    rc |= add(p, "probe_http_redirects", "The number of redirects", redirects);
    rc |= add(p, "probe_http_ssl", "Indicates if SSL was used for the final redirect",
              final_tls ? 1 : 0);
    rc |= add(p, "probe_http_status_code", "Response HTTP status code", (double)status);
    rc |= add(p, "probe_http_version", "Returns the version of HTTP of the probe response",
              version == CURL_HTTP_VERSION_1_0   ? 1.0
              : version == CURL_HTTP_VERSION_1_1 ? 1.1
              : version == CURL_HTTP_VERSION_2_0 ? 2
              : version == CURL_HTTP_VERSION_3   ? 3
                                                 : 0);
    rc |= add(p, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
              regex_failed ? 1 : 0);
    if (have_last_modified)
        rc |= add(p, "probe_http_last_modified_timestamp_seconds",
                  "Returns the Last-Modified HTTP response header in unixtime",
                  (double)last_modified);
    if (final_tls)
        rc |= bb_tls_facts_report(p, &tls, BB_TLS_HTTP);
    if (rc)
        success = false;
}
    bb_tls_facts_clear(&tls);
    bb_tls_facts_clear(&hp.tls);
    bb_http_decoder_free(hp.dec);
    omx_buf_free(&hp.headers);
    omx_buf_free(&hp.body);
    hp.h = bb_curl_handle_put(hp.h);
    res_clear(&r);
    free(url);
    free(cur);
    return success;
}
