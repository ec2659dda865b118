/* omx_push_gateway: a registry sent once as 0.0.4 text to a Pushgateway
 * group, /metrics/job/<job>{/<label>/<value>}. A value with '/' (or empty)
 * is written <label>@base64/<base64url value>, the Pushgateway's encoding;
 * others are percent-encoded. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/error.h"
#include "exporter/writer.h"
#include "push-internal.h"

#define BODY_MAX (64u << 20)

static int append(omx_buf *b, const char *s) { return omx_buf_append(b, s, strlen(s)); }

static int append_b64url(omx_buf *b, const char *s) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t n = strlen(s);
    if (!n)
        return append(b, "="); /* the Pushgateway's spelling of an empty value */
    const unsigned char *u = (const unsigned char *)s;
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) |
                     (i + 2 < n ? u[i + 2] : 0);
        char q[4] = {tab[v >> 18 & 63], tab[v >> 12 & 63], i + 1 < n ? tab[v >> 6 & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        rc = omx_buf_append(b, q, 4);
    }
    return rc;
}

static int append_segment(omx_buf *b, const char *name, const char *value) {
    int rc = append(b, "/");
    if (!rc)
        rc = append(b, name);
    if (rc)
        return rc;
    if (!*value || strchr(value, '/')) {
        rc = append(b, "@base64/");
        return rc ? rc : append_b64url(b, value);
    }
    char *esc = curl_easy_escape(NULL, value, 0);
    if (!esc)
        return OMX_ENOMEM;
    rc = append(b, "/");
    if (!rc)
        rc = append(b, esc);
    curl_free(esc);
    return rc;
}

int omx__push_gateway_path(omx_buf *url, const omx_gateway_opts *o) {
    size_t base = strlen(o->url);
    while (base && o->url[base - 1] == '/')
        base--;
    int rc = omx_buf_append(url, o->url, base);
    if (!rc)
        rc = append(url, "/metrics");
    if (!rc)
        rc = append_segment(url, "job", o->job);
    for (size_t i = 0; !rc && i < o->n_labels; i++) {
        if (!o->label_names[i] || !o->label_values[i] || !omx_label_name_valid(o->label_names[i]))
            return OMX_EINVAL;
        rc = append_segment(url, o->label_names[i], o->label_values[i]);
    }
    return rc;
}

int omx_push_gateway(omx_registry *r, const omx_gateway_opts *o, char *err, size_t errlen) {
    if (errlen)
        err[0] = '\0';
    if (!o || !o->url || !o->job || !*o->job ||
        (o->n_labels && (!o->label_names || !o->label_values)) ||
        (o->method != OMX_GATEWAY_DELETE && !r) || o->method > OMX_GATEWAY_DELETE)
        return OMX_EINVAL;
    omx_buf url, body;
    omx_buf_init(&url, 1 << 16);
    omx_buf_init(&body, BODY_MAX);
    int rc = omx__push_gateway_path(&url, o);
    if (!rc && o->method != OMX_GATEWAY_DELETE)
        rc = omx_registry_write(r, NULL, omx_buf_write_fn, &body);
    omx__push_http *h = NULL;
    if (!rc) {
        omx__push_http_opts ho = {.url = o->url,
                                  .timeout_s = o->timeout_s,
                                  .headers = o->headers,
                                  .basic_auth_username = o->basic_auth_username,
                                  .basic_auth_password_file = o->basic_auth_password_file,
                                  .bearer_token_file = o->bearer_token_file,
                                  .tls_ca_file = o->tls_ca_file,
                                  .tls_cert_file = o->tls_cert_file,
                                  .tls_key_file = o->tls_key_file,
                                  .tls_insecure_skip_verify = o->tls_insecure_skip_verify,
                                  .content_type = omx_format_content_type(OMX_FORMAT_PROMETHEUS)};
        rc = omx__push_http_new(&ho, &h, err, errlen);
    }
    if (!rc) {
        static const char *const methods[] = {"PUT", "POST", "DELETE"};
        omx__push_result res;
        rc = omx__push_http_send(h, methods[o->method], url.data, body.data, body.len, 0, &res);
        if (rc < 0 && errlen)
            snprintf(err, errlen, "%s", res.errtext);
        else if (!rc && (res.status < 200 || res.status >= 300)) {
            rc = OMX_EIO;
            if (errlen)
                snprintf(err, errlen, "status %ld: %s", res.status, res.body);
        }
    } else if (errlen && !err[0]) {
        snprintf(err, errlen, "%s", omx_strerror(rc));
    }
    omx__push_http_free(h);
    omx_buf_free(&url);
    omx_buf_free(&body);
    return rc;
}
