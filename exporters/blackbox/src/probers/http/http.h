/* The http prober's parsed section (0.28's `http:` with Prometheus' common
 * http_client_config inline) and the pieces its files share. */
#ifndef BB_HTTP_H
#define BB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "module.h"

/* A list of header name/value pairs in file order (headers, endpoint_params,
 * proxy_connect_header, http_headers). Strings owned. */
typedef struct bb_http_kv {
    char **names, **values;
    bool *secret; /* value is a secret (hidden in dumps) */
    size_t n;
} bb_http_kv;

typedef struct bb_http_regexes {
    omx_regex **re;
    char **src; /* the patterns as written, for logs and dumps */
    size_t n;
} bb_http_regexes;

typedef struct bb_http_header_match {
    char *header;
    char *src;
    omx_regex *re;
    bool allow_missing;
} bb_http_header_match;

typedef struct bb_http_auth_file {
    char *value; /* inline (a secret for passwords and credentials) */
    char *file;  /* or read at every probe */
} bb_http_auth_file;

typedef struct bb_http_cfg {
    int *valid_status_codes; /* empty: 2xx */
    size_t n_valid_status_codes;
    char **valid_http_versions; /* NULL-terminated; NULL = any */
    bb_ip_opts ip;
    bool skip_resolve_phase_with_proxy;
    bool fail_if_ssl, fail_if_not_ssl;
    char *method; /* NULL = GET */
    bb_http_kv headers;
    bb_http_regexes body_match, body_not_match;
    bb_http_header_match *hdr_match, *hdr_not_match;
    size_t n_hdr_match, n_hdr_not_match;
    char *body, *body_file;
    char *compression;       /* NULL, "gzip", "deflate", "br" or "identity" */
    int64_t body_size_limit; /* 0 = none */
    bool enable_http3;       /* accepted only as false */

    /* http_client_config */
    bool has_basic_auth;
    bb_http_auth_file username, password;
    bool has_authorization; /* also from bearer_token(_file) */
    char *auth_type;        /* default "Bearer" */
    bb_http_auth_file credentials;
    bool has_oauth2;
    char *oauth2_client_id;
    bb_http_auth_file oauth2_secret;
    char **oauth2_scopes; /* NULL-terminated or NULL */
    char *oauth2_token_url;
    bb_http_kv oauth2_params;
    bb_tls_config oauth2_tls;
    char *oauth2_proxy_url;
    bb_tls_config tls;
    bool follow_redirects; /* default true; no_follow_redirects: true sets it false */
    bool enable_http2;     /* default true */
    char *proxy_url, *no_proxy;
    bool proxy_from_environment;
    bb_http_kv proxy_connect_header;
    bb_http_kv http_headers; /* http_headers: values, secrets and files flattened */
    bool *http_headers_file; /* per http_headers entry: the value is a file to read */
} bb_http_cfg;

/* http-config.c: the bb_prober parse/free/dump of the section. */
int bb_http_cfg_parse(omx_yaml *y, const omx_yaml_node *n, void **ret);
void bb_http_cfg_free(void *cfg);
int bb_http_cfg_dump(const void *cfg, omx_buf *out, int indent);
/* http.c: one probe (bb_prober's run), in the http plugin. */
bool bb_http_run(bb_probe *p, const void *cfg);

/* A streaming decoder of a compressed body (http-decode.c). */
typedef struct bb_http_decoder bb_http_decoder;
/* algorithm: "gzip", "deflate" (raw, as Go's flate), "br". Returns 0 and
 * *ret (free with bb_http_decoder_free), OMX_EINVAL for another name or -ENOMEM. */
int bb_http_decoder_new(const char *algorithm, bb_http_decoder **ret);
/* Decodes len bytes; each decoded chunk goes to out(ctx, data, n), which
 * returns 0 or a negative code that stops decoding. Returns 0, OMX_EVALUE for
 * a corrupt stream, or out's code. */
int bb_http_decoder_feed(bb_http_decoder *d, const void *data, size_t len,
                         int (*out)(void *ctx, const char *data, size_t n), void *ctx);
/* Whether the stream ended cleanly (a truncated body is a decode error). */
bool bb_http_decoder_done(const bb_http_decoder *d);
bb_http_decoder *bb_http_decoder_free(bb_http_decoder *d); /* accepts NULL, returns NULL */

/* Go's http.ParseTime (RFC 1123, RFC 850, asctime) into a Unix time: 0 or OMX_EINVAL. */
int bb_http_parse_time(const char *s, int64_t *ret);

#endif
