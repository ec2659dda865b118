/* A GnuTLS client over a borrowed non-blocking socket: every wait is a poll()
 * bounded by the probe's deadline, so a peer that stalls mid-handshake or
 * mid-record cannot hold the probe past it. */
#include "tlsconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/x509.h>

#include "exporter/error.h"
#include "exporter/file.h"
#include "exporter/log.h"

/* PEM files (CA bundles included) are read whole; this bounds what one may cost. */
#define BB_TLS_PEM_MAX (4u << 20)

struct bb_tlsconn {
    gnutls_session_t session;
    gnutls_certificate_credentials_t cred; /* NULL when the shared system-trust one is used */
    int fd;
};

/* The system trust store is read once and shared: sessions only read it. */
static pthread_once_t sys_once = PTHREAD_ONCE_INIT;
static gnutls_certificate_credentials_t sys_cred;

static void sys_cred_init(void) {
    gnutls_certificate_credentials_t c;
    if (gnutls_certificate_allocate_credentials(&c) < 0)
        return;
    if (gnutls_certificate_set_x509_system_trust(c) < 0) {
        gnutls_certificate_free_credentials(c);
        return;
    }
    sys_cred = c;
}

/* Waits in the direction GnuTLS last blocked in. */
static int wait_session(bb_probe *p, bb_tlsconn *c) {
    return bb_wait_fd(p, c->fd, gnutls_record_get_direction(c->session) ? POLLOUT : POLLIN);
}

/* PEM text from inline (borrowed) or file (read, *owned set to free). */
static int load_pem(bb_probe *p, const char *inline_pem, const char *file, const char *what,
                    gnutls_datum_t *ret, char **owned) {
    *owned = NULL;
    if (inline_pem) {
        ret->data = (unsigned char *)inline_pem;
        ret->size = (unsigned)strlen(inline_pem);
        return 0;
    }
    size_t len = 0;
    int rc = omx_read_file(file, BB_TLS_PEM_MAX, owned, &len);
    if (rc < 0) {
        bb_logf(p, OMX_LOG_ERROR, "cannot read %s %s: %s", what, file, omx_strerror(rc));
        return rc;
    }
    ret->data = (unsigned char *)*owned;
    ret->size = (unsigned)len;
    return 0;
}

/* Credentials for cfg: the shared system store when cfg adds nothing, else
 * new ones in *ret_own (the caller frees them with the connection). */
static int make_cred(bb_probe *p, const bb_tls_config *cfg, gnutls_certificate_credentials_t *use,
                     gnutls_certificate_credentials_t *ret_own) {
    bool has_ca = cfg->ca || cfg->ca_file;
    bool has_cert = cfg->cert || cfg->cert_file;
    bool has_key = cfg->key || cfg->key_file;
    *ret_own = NULL;
    if (!has_ca && !has_cert && !has_key && !cfg->insecure_skip_verify) {
        pthread_once(&sys_once, sys_cred_init);
        if (sys_cred) {
            *use = sys_cred;
            return 0;
        }
    }
    if (has_cert != has_key) {
        bb_logf(p, OMX_LOG_ERROR, "tls_config: a client certificate needs both cert and key");
        return OMX_ECONFIG;
    }
    gnutls_certificate_credentials_t c;
    if (gnutls_certificate_allocate_credentials(&c) < 0)
        return -ENOMEM;
    int rc = 0;
    char *owned = NULL, *owned2 = NULL;
    gnutls_datum_t d, d2;
    if (has_ca) {
        rc = load_pem(p, cfg->ca, cfg->ca_file, "ca_file", &d, &owned);
        if (rc == 0) {
            int n = gnutls_certificate_set_x509_trust_mem(c, &d, GNUTLS_X509_FMT_PEM);
            if (n <= 0) {
                bb_logf(p, OMX_LOG_ERROR, "tls_config: no usable CA certificate in %s%s%s",
                        cfg->ca_file ? cfg->ca_file : "ca", n < 0 ? ": " : "",
                        n < 0 ? gnutls_strerror(n) : "");
                rc = OMX_ECONFIG;
            }
        }
        free(owned);
        owned = NULL;
    } else if (!cfg->insecure_skip_verify) {
        int n = gnutls_certificate_set_x509_system_trust(c);
        if (n < 0)
            bb_logf(p, OMX_LOG_WARN, "cannot load the system CA store: %s", gnutls_strerror(n));
    }
    if (rc == 0 && has_cert) {
        rc = load_pem(p, cfg->cert, cfg->cert_file, "cert_file", &d, &owned);
        if (rc == 0)
            rc = load_pem(p, cfg->key, cfg->key_file, "key_file", &d2, &owned2);
        if (rc == 0) {
            int e = gnutls_certificate_set_x509_key_mem2(c, &d, &d2, GNUTLS_X509_FMT_PEM, NULL, 0);
            if (e < 0) {
                /* The key's text is a secret: name the files, never the content. */
                bb_logf(p, OMX_LOG_ERROR, "tls_config: cannot use the client certificate %s: %s",
                        cfg->cert_file ? cfg->cert_file : "(inline)", gnutls_strerror(e));
                rc = OMX_ECONFIG;
            }
        }
        if (owned2) {
            memset(owned2, 0, strlen(owned2));
            free(owned2);
        }
        free(owned);
    }
    if (rc < 0) {
        gnutls_certificate_free_credentials(c);
        return rc;
    }
    *use = *ret_own = c;
    return 0;
}

static const char *vers_name(int v) {
    switch (v) {
    case 0x0301: return "VERS-TLS1.0";
    case 0x0302: return "VERS-TLS1.1";
    case 0x0303: return "VERS-TLS1.2";
    case 0x0304: return "VERS-TLS1.3";
    }
    return NULL;
}

/* "NORMAL" narrowed to [min, max]; unset bounds are TLS 1.2 and 1.3 as Go's client. */
static int priority_string(const bb_tls_config *cfg, char *buf, size_t size) {
    int lo = cfg->min_version ? cfg->min_version : 0x0303;
    int hi = cfg->max_version ? cfg->max_version : 0x0304;
    if (lo < 0x0301 || hi > 0x0304 || lo > hi)
        return OMX_EINVAL;
    size_t n = (size_t)snprintf(buf, size, "NORMAL:-VERS-ALL");
    for (int v = hi; v >= lo && n < size; v--)
        n += (size_t)snprintf(buf + n, size - n, ":+%s", vers_name(v));
    return n < size ? 0 : OMX_ELIMIT;
}

static bool is_ip_literal(const char *s) {
    unsigned char a[16];
    return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

static void log_handshake_error(bb_probe *p, bb_tlsconn *c, int e) {
    if (e == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        unsigned status = gnutls_session_get_verify_cert_status(c->session);
        gnutls_datum_t out = {0};
        if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) == 0) {
            int len = (int)out.size;
            while (len > 0 && (out.data[len - 1] == ' ' || out.data[len - 1] == 0))
                len--;
            bb_logf(p, OMX_LOG_ERROR, "TLS handshake failed: %.*s", len, (const char *)out.data);
            gnutls_free(out.data);
            return;
        }
    }
    if (e == GNUTLS_E_FATAL_ALERT_RECEIVED)
        bb_logf(p, OMX_LOG_ERROR, "TLS handshake failed: the server sent alert %s",
                gnutls_alert_get_name(gnutls_alert_get(c->session)));
    else
        bb_logf(p, OMX_LOG_ERROR, "TLS handshake failed: %s", gnutls_strerror(e));
}

int bb_tlsconn_start(bb_probe *p, int fd, const bb_tls_config *cfg, const char *host,
                     bb_tlsconn **ret) {
    static const bb_tls_config none = {0};
    if (!p || fd < 0 || !ret)
        return OMX_EINVAL;
    *ret = NULL;
    if (!cfg)
        cfg = &none;
    const char *name = cfg->server_name && *cfg->server_name ? cfg->server_name : host;
    char prio[128];
    if (priority_string(cfg, prio, sizeof prio) < 0) {
        bb_logf(p, OMX_LOG_ERROR, "tls_config: min_version is above max_version");
        return OMX_ECONFIG;
    }
    bb_tlsconn *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    c->fd = fd;
    gnutls_certificate_credentials_t use;
    int rc = make_cred(p, cfg, &use, &c->cred);
    if (rc < 0) {
        free(c);
        return rc;
    }
    int e = gnutls_init(&c->session, GNUTLS_CLIENT | GNUTLS_NONBLOCK);
    if (e < 0) {
        c->session = NULL;
        bb_tlsconn_free(NULL, c);
        return -ENOMEM;
    }
    const char *err_pos = NULL;
    e = gnutls_priority_set_direct(c->session, prio, &err_pos);
    if (e == 0)
        e = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, use);
    /* Go sends no SNI for an IP address; neither do we. */
    if (e == 0 && name && *name && !is_ip_literal(name))
        e = gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, name, strlen(name));
    if (e < 0) {
        bb_logf(p, OMX_LOG_ERROR, "cannot set up the TLS session: %s", gnutls_strerror(e));
        bb_tlsconn_free(NULL, c);
        return -EPROTO;
    }
    if (!cfg->insecure_skip_verify)
        gnutls_session_set_verify_cert(c->session, name && *name ? name : NULL, 0);
    gnutls_transport_set_int(c->session, fd);
    for (;;) {
        e = gnutls_handshake(c->session);
        if (e == 0)
            break;
        if (e == GNUTLS_E_AGAIN || e == GNUTLS_E_INTERRUPTED ||
            (e == GNUTLS_E_WARNING_ALERT_RECEIVED)) {
            if (e == GNUTLS_E_AGAIN && (rc = wait_session(p, c)) < 0) {
                bb_logf(p, OMX_LOG_ERROR, "TLS handshake failed: %s",
                        rc == OMX_ETIMEOUT ? "timeout" : omx_strerror(rc));
                bb_tlsconn_free(NULL, c);
                return rc;
            }
            continue;
        }
        log_handshake_error(p, c, e);
        bb_tlsconn_free(NULL, c);
        return -EPROTO;
    }
    char *desc = gnutls_session_get_desc(c->session);
    bb_logf(p, OMX_LOG_DEBUG, "TLS handshake succeeded: %s", desc ? desc : "");
    gnutls_free(desc);
    *ret = c;
    return 0;
}

gnutls_session_t bb_tlsconn_session(bb_tlsconn *c) { return c ? c->session : NULL; }

ssize_t bb_tlsconn_read(bb_probe *p, bb_tlsconn *c, void *buf, size_t len) {
    if (!p || !c || (!buf && len))
        return OMX_EINVAL;
    for (;;) {
        ssize_t n = gnutls_record_recv(c->session, buf, len);
        if (n >= 0)
            return n;
        if (n == GNUTLS_E_PREMATURE_TERMINATION)
            return 0; /* peers that close without close_notify are common */
        if (n == GNUTLS_E_AGAIN) {
            int rc = bb_wait_fd(p, c->fd, POLLIN);
            if (rc < 0)
                return rc;
            continue;
        }
        if (n == GNUTLS_E_INTERRUPTED || n == GNUTLS_E_WARNING_ALERT_RECEIVED ||
            n == GNUTLS_E_REHANDSHAKE || !gnutls_error_is_fatal((int)n))
            continue;
        int e = errno;
        if (n == GNUTLS_E_PULL_ERROR && e > 0) { /* the socket's own error says more (a reset) */
            bb_logf(p, OMX_LOG_ERROR, "TLS read failed: %s", omx_strerror(-e));
            return -e;
        }
        bb_logf(p, OMX_LOG_ERROR, "TLS read failed: %s", gnutls_strerror((int)n));
        return -EPROTO;
    }
}

ssize_t bb_tlsconn_write(bb_probe *p, bb_tlsconn *c, const void *buf, size_t len) {
    if (!p || !c || (!buf && len))
        return OMX_EINVAL;
    size_t done = 0;
    while (done < len) {
        ssize_t n = gnutls_record_send(c->session, (const char *)buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
            /* GnuTLS wants the same call again once the socket drains. */
            int rc = n == GNUTLS_E_AGAIN ? bb_wait_fd(p, c->fd, POLLOUT) : 0;
            if (rc < 0)
                return rc;
            continue;
        }
        bb_logf(p, OMX_LOG_ERROR, "TLS write failed: %s", gnutls_strerror((int)n));
        return -EPROTO;
    }
    return (ssize_t)done;
}

bb_tlsconn *bb_tlsconn_free(bb_probe *p, bb_tlsconn *c) {
    if (!c)
        return NULL;
    if (c->session) {
        /* close_notify only while time is left; a peer that never reads must not hold us. */
        while (p && !bb_expired(p)) {
            int e = gnutls_bye(c->session, GNUTLS_SHUT_WR);
            if (e != GNUTLS_E_AGAIN && e != GNUTLS_E_INTERRUPTED)
                break;
            if (e == GNUTLS_E_AGAIN && wait_session(p, c) < 0)
                break;
        }
        gnutls_deinit(c->session);
    }
    if (c->cred)
        gnutls_certificate_free_credentials(c->cred);
    free(c);
    return NULL;
}
