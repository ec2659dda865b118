/* One HTTP(S) connection to a receiver through libcurl (kept alive between
 * requests): the protocol's headers, auth read from files on every request
 * (rotated secrets apply without a restart), TLS options. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "exporter/dlsyms.h"
#include "exporter/error.h"
#include "push-internal.h"

#define SECRET_MAX 4096

struct omx__push_http {
    CURL *curl;
    struct curl_slist *hdrs;
    char *url;
    char *user, *password_file, *token_file;
    double timeout_s;
    omx__push_result *res; /* the request in progress */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) {
    omx_curl_preinit();
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

/* The first line of a small file into out. Returns 0 or -errno / OMX_ELIMIT. */
static int read_secret(const char *path, char *out, size_t cap) {
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    size_t n = fread(out, 1, cap - 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return OMX_EIO;
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    return n == cap - 1 && !memchr(out, '\n', n) && strlen(out) == n ? OMX_ELIMIT : 0;
}

/* Headers the protocol or the auth options set: not for the user to override. */
static bool reserved_header(const char *name, size_t len) {
    static const char *const reserved[] = {"content-encoding",
                                           "content-type",
                                           "content-length",
                                           "user-agent",
                                           "authorization",
                                           "host",
                                           "x-prometheus-remote-write-version",
                                           "transfer-encoding",
                                           "expect",
                                           "connection"};
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strlen(reserved[i]) == len && !strncasecmp(reserved[i], name, len))
            return true;
    return false;
}

static int add_header(struct curl_slist **l, const char *h) {
    struct curl_slist *n = curl_slist_append(*l, h);
    if (!n)
        return OMX_ENOMEM;
    *l = n;
    return 0;
}

static size_t on_header(char *buf, size_t size, size_t n, void *ctx) {
    omx__push_http *h = ctx;
    size_t len = size * n;
    if (h->res && len > 12 && !strncasecmp(buf, "Retry-After:", 12)) {
        char v[128];
        size_t vl = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
        memcpy(v, buf + 12, vl);
        v[vl] = '\0';
        h->res->retry_after = omx__push_parse_retry_after(v, (double)time(NULL));
    }
    return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx) {
    omx__push_http *h = ctx;
    size_t len = size * n;
    if (h->res) {
        size_t have = strlen(h->res->body), room = sizeof h->res->body - 1 - have;
        size_t take = len < room ? len : room;
        memcpy(h->res->body + have, buf, take);
        h->res->body[have + take] = '\0';
    }
    return len;
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *arg) {
    if (errlen)
        snprintf(err, errlen, fmt, arg);
    return rc;
}

int omx__push_http_new(const omx__push_http_opts *o, omx__push_http **ret, char *err,
                       size_t errlen) {
    char secret[SECRET_MAX];
    if (!o->url || (strncmp(o->url, "http://", 7) && strncmp(o->url, "https://", 8)))
        return fail(err, errlen, OMX_EINVAL, "url %s: want http:// or https://",
                    o->url ? o->url : "(none)");
    if (!!(o->basic_auth_username && *o->basic_auth_username) !=
        !!(o->basic_auth_password_file && *o->basic_auth_password_file))
        return fail(err, errlen, OMX_EINVAL, "%s",
                    "basic auth needs both a username and a password file");
    if (o->basic_auth_username && *o->basic_auth_username && o->bearer_token_file &&
        *o->bearer_token_file)
        return fail(err, errlen, OMX_EINVAL, "%s",
                    "basic auth and a bearer token are mutually exclusive");
    const char *files[] = {o->basic_auth_password_file, o->bearer_token_file};
    for (int i = 0; i < 2; i++) {
        int rc = files[i] && *files[i] ? read_secret(files[i], secret, sizeof secret) : 0;
        if (rc < 0)
            return fail(err, errlen, rc == OMX_ELIMIT ? OMX_ECONFIG : rc,
                        "cannot read secret file %s", files[i]);
    }
    const char *certs[] = {o->tls_ca_file, o->tls_cert_file, o->tls_key_file};
    for (int i = 0; i < 3; i++) {
        FILE *f = certs[i] && *certs[i] ? fopen(certs[i], "re") : NULL;
        if (certs[i] && *certs[i] && !f)
            return fail(err, errlen, -errno, "cannot read TLS file %s", certs[i]);
        if (f)
            fclose(f);
    }
    if (!!(o->tls_cert_file && *o->tls_cert_file) != !!(o->tls_key_file && *o->tls_key_file))
        return fail(err, errlen, OMX_EINVAL, "%s", "a client certificate needs its key and back");
    pthread_once(&curl_once, curl_init);
    omx__push_http *h = calloc(1, sizeof *h);
    if (!h)
        return OMX_ENOMEM;
    int rc = 0;
    char line[512];
    h->url = strdup(o->url);
    h->user = dup_or_null(o->basic_auth_username);
    h->password_file = dup_or_null(o->basic_auth_password_file);
    h->token_file = dup_or_null(o->bearer_token_file);
    h->curl = curl_easy_init();
    if (!h->url || !h->curl || (o->basic_auth_username && *o->basic_auth_username && !h->user) ||
        (o->basic_auth_password_file && *o->basic_auth_password_file && !h->password_file) ||
        (o->bearer_token_file && *o->bearer_token_file && !h->token_file))
        rc = OMX_ENOMEM;
    snprintf(line, sizeof line, "Content-Type: %s", o->content_type);
    if (!rc)
        rc = add_header(&h->hdrs, line);
    if (!rc && o->rw_version) {
        snprintf(line, sizeof line, "X-Prometheus-Remote-Write-Version: %s", o->rw_version);
        rc = add_header(&h->hdrs, "Content-Encoding: snappy");
        if (!rc)
            rc = add_header(&h->hdrs, line);
    }
    if (!rc)
        rc = add_header(&h->hdrs, "Expect:"); /* no 100-continue round trip */
    for (const char *const *p = o->headers; !rc && p && *p; p++) {
        const char *colon = strchr(*p, ':');
        size_t nl = colon ? (size_t)(colon - *p) : 0;
        bool ok = colon && nl;
        for (size_t i = 0; ok && i < nl; i++)
            ok = (*p)[i] > ' ' && (*p)[i] < 0x7f;
        for (const char *c = *p; ok && *c; c++)
            ok = *c != '\r' && *c != '\n';
        if (!ok) {
            rc = fail(err, errlen, OMX_EINVAL, "header %s: want Name: Value", *p);
            break;
        }
        if (reserved_header(*p, nl)) {
            rc = fail(err, errlen, OMX_EINVAL, "header %s: set by the client, not allowed", *p);
            break;
        }
        rc = add_header(&h->hdrs, *p);
    }
    if (rc) {
        omx__push_http_free(h);
        return rc;
    }
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->hdrs);
    curl_easy_setopt(c, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : "omx/" OMX_VERSION);
    h->timeout_s = o->timeout_s > 0 ? o->timeout_s : 10;
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(h->timeout_s * 1000));
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    if (o->tls_ca_file && *o->tls_ca_file)
        curl_easy_setopt(c, CURLOPT_CAINFO, o->tls_ca_file);
    if (o->tls_cert_file && *o->tls_cert_file) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, o->tls_cert_file);
        curl_easy_setopt(c, CURLOPT_SSLKEY, o->tls_key_file);
    }
    if (o->tls_insecure_skip_verify) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    *ret = h;
    return 0;
}

omx__push_http *omx__push_http_free(omx__push_http *h) {
    if (!h)
        return NULL;
    if (h->curl)
        curl_easy_cleanup(h->curl);
    curl_slist_free_all(h->hdrs);
    free(h->url);
    free(h->user);
    free(h->password_file);
    free(h->token_file);
    free(h);
    return NULL;
}

static int curl_err(CURLcode c) {
    switch (c) {
    case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
    case CURLE_OPERATION_TIMEDOUT: return OMX_ETIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
    case CURLE_OUT_OF_MEMORY: return OMX_ENOMEM;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION: return -EPROTO;
    default: return OMX_EIO;
    }
}

int omx__push_http_send(omx__push_http *h, const char *method, const char *url, const void *body,
                        size_t len, double timeout_s, omx__push_result *res) {
    memset(res, 0, sizeof *res);
    CURL *c = h->curl;
    struct curl_slist *extra = NULL, *hdrs = h->hdrs;
    char secret[SECRET_MAX], line[SECRET_MAX + 32];
    int rc = 0;
    if (h->token_file) {
        rc = read_secret(h->token_file, secret, sizeof secret);
        snprintf(line, sizeof line, "Authorization: Bearer %s", secret);
        /* a copy of the shared list with the header added: the token may change */
        for (struct curl_slist *p = h->hdrs; !rc && p; p = p->next)
            rc = add_header(&extra, p->data);
        if (!rc)
            rc = add_header(&extra, line);
        hdrs = extra;
    } else if (h->password_file) {
        rc = read_secret(h->password_file, secret, sizeof secret);
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, h->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, rc ? "" : secret);
    }
    if (rc) {
        curl_slist_free_all(extra);
        memset(secret, 0, sizeof secret);
        res->err = rc;
        snprintf(res->errtext, sizeof res->errtext, "cannot read secret file: %s",
                 omx_strerror(rc));
        return rc;
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_URL, url ? url : h->url);
    if (!strcmp(method, "POST") || !strcmp(method, "PUT")) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "POST") ? method : NULL);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    } else {
        curl_easy_setopt(c, CURLOPT_POST, 0L);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    long ms = (long)((timeout_s > 0 && timeout_s < h->timeout_s ? timeout_s : h->timeout_s) * 1000);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1);
    h->res = res;
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    CURLcode cc = curl_easy_perform(c);
    h->res = NULL;
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->hdrs);
    curl_slist_free_all(extra);
    memset(secret, 0, sizeof secret);
    memset(line, 0, sizeof line);
    if (cc != CURLE_OK) {
        res->err = curl_err(cc);
        snprintf(res->errtext, sizeof res->errtext, "%s", *ebuf ? ebuf : curl_easy_strerror(cc));
        return res->err;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res->status);
    return 0;
}
