/* The tcp prober: connect (optionally with TLS), then run the query_response
 * steps: read a line matching expect (or exactly expect_bytes), send a line
 * with the captures expanded, upgrade with starttls. As blackbox_exporter's
 * ProbeTCP; every read and write is bounded by the probe's deadline and a
 * line by TCP_LINE_MAX. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/error.h"
#include "exporter/writer.h"
#include "expand.h"
#include "netsock.h"
#include "prober.h"
#include "tcp.h"
#include "tlsconn.h"
#include "tlsinfo.h"

/* The read buffer's first size; it doubles up to TCP_LINE_MAX for long lines. */
#define TCP_BUF_START 4096
/* Read lines logged one by one before the rest are only counted. */
#define TCP_LOGGED_LINES 32

/* The connection as the steps see it: plain socket or TLS, with a read buffer. */
typedef struct tcp_conn {
    bb_probe *p;
    int fd;
    bb_tlsconn *tls;
    char *buf; /* cap bytes, grown up to TCP_LINE_MAX as long lines need */
    size_t off, len, cap;
    bool eof;
    unsigned lines;
} tcp_conn;

/* Reads more bytes after buf[len]: > 0 bytes, 0 at EOF, or a negative code. */
static ssize_t conn_fill(tcp_conn *c) {
    if (c->off > 0) {
        memmove(c->buf, c->buf + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    if (c->len == c->cap) {
        if (c->cap >= TCP_LINE_MAX)
            return OMX_ELIMIT;
        size_t cap = c->cap ? c->cap * 2 : TCP_BUF_START;
        char *b = realloc(c->buf, cap < TCP_LINE_MAX ? cap : TCP_LINE_MAX);
        if (!b)
            return -ENOMEM;
        c->buf = b;
        c->cap = cap < TCP_LINE_MAX ? cap : TCP_LINE_MAX;
    }
    size_t room = c->cap - c->len;
    if (c->tls) {
        ssize_t n = bb_tlsconn_read(c->p, c->tls, c->buf + c->len, room);
        if (n > 0)
            c->len += (size_t)n;
        return n;
    }
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
        if (n >= 0) {
            c->len += (size_t)n;
            return n;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = bb_wait_fd(c->p, c->fd, POLLIN);
        if (rc < 0)
            return rc;
    }
}

/* The next line without "\n" or "\r\n" (bufio.ScanLines): 1 with *line and *len
 * pointing into the buffer until the next read, 0 at EOF, or a negative code. */
static int conn_line(tcp_conn *c, const char **line, size_t *len) {
    size_t scanned = 0;
    for (;;) {
        char *start = c->buf ? c->buf + c->off : NULL;
        char *nl = c->len - c->off > scanned
                       ? memchr(start + scanned, '\n', c->len - c->off - scanned)
                       : NULL;
        size_t n;
        if (nl) {
            n = (size_t)(nl - start);
            c->off += n + 1;
        } else if (c->eof && c->len > c->off) {
            n = c->len - c->off; /* the last line may lack its newline */
            c->off = c->len;
        } else if (c->eof) {
            return 0;
        } else {
            scanned = c->len - c->off;
            ssize_t r = conn_fill(c);
            if (r == 0)
                c->eof = true;
            else if (r < 0)
                return (int)r;
            continue;
        }
        if (n > 0 && start[n - 1] == '\r')
            n--;
        *line = start;
        *len = n;
        return 1;
    }
}

/* Exactly len bytes into out (fewer only at EOF): the count read, or a negative code. */
static ssize_t conn_bytes(tcp_conn *c, char *out, size_t len) {
    size_t got = 0;
    while (got < len) {
        if (c->off == c->len) {
            if (c->eof)
                break;
            ssize_t r = conn_fill(c);
            if (r == 0)
                c->eof = true;
            else if (r < 0)
                return r;
            continue;
        }
        size_t take = c->len - c->off < len - got ? c->len - c->off : len - got;
        memcpy(out + got, c->buf + c->off, take);
        c->off += take;
        got += take;
    }
    return (ssize_t)got;
}

static int conn_write(tcp_conn *c, const char *data, size_t len) {
    if (c->tls) {
        ssize_t n = bb_tlsconn_write(c->p, c->tls, data, len);
        return n < 0 ? (int)n : 0;
    }
    return bb_net_write_all(c->p, c->fd, data, len);
}

/* The TLS server name when tls_config has none: ?hostname= as upstream's
 * handler sets it, else the target's host. */
static const char *tls_name(const bb_probe *p, const char *host) {
    return p->hostname && *p->hostname ? p->hostname : host;
}

static const char *why(int rc) { return rc == OMX_ETIMEOUT ? "timeout" : omx_strerror(rc); }

/* Upstream's tcp set (no cipher); the chain counts as verified unless
 * verification was off. A peer without an X.509 certificate reports nothing. */
static int report_tls(bb_probe *p, const tcp_config *cfg, tcp_conn *c) {
    int rc = bb_tls_report_some(p, bb_tlsconn_session(c->tls), BB_TLS_TCP,
                                !cfg->tls_config.insecure_skip_verify);
    return rc == -ENOENT ? 0 : rc;
}

/* An expect step: lines until one matches. Fills spans (n_spans of them) and
 * points *subject at the matched line (valid until the next read). */
static bool step_expect(bb_probe *p, tcp_conn *c, const tcp_step *s, omx_regex_span *spans,
                        size_t n_spans, const char **subject) {
    const char *line = NULL;
    size_t len = 0;
    for (;;) {
        int rc = conn_line(c, &line, &len);
        if (rc < 0) {
            if (rc == OMX_ELIMIT)
                bb_logf(p, OMX_LOG_ERROR,
                        "Error reading from connection: line longer than %d bytes", TCP_LINE_MAX);
            else
                bb_logf(p, OMX_LOG_ERROR, "Error reading from connection: %s", why(rc));
            return false;
        }
        if (rc == 0) {
            bb_result_gauge(p, "probe_failed_due_to_regex",
                            "Indicates if probe failed due to regex", 1);
            bb_logf(p, OMX_LOG_ERROR, "Regexp did not match: regexp=\"%s\" (connection closed)",
                    s->expect_src);
            return false;
        }
        if (++c->lines <= TCP_LOGGED_LINES)
            bb_logf(p, OMX_LOG_DEBUG, "Read line: %.*s", len > 256 ? 256 : (int)len, line);
        else if (c->lines == TCP_LOGGED_LINES + 1)
            bb_logf(p, OMX_LOG_DEBUG, "Further lines read are not logged");
        int m = omx_regex_exec(s->expect, line, len, spans, n_spans);
        if (m == OMX_ELIMIT) {
            bb_logf(p, OMX_LOG_ERROR, "Regexp %s hit its match limit on a line", s->expect_src);
            return false;
        }
        if (m == 1) {
            bb_logf(p, OMX_LOG_DEBUG, "Regexp matched: regexp=\"%s\"", s->expect_src);
            *subject = line;
            return true;
        }
    }
}

static bool step_expect_bytes(bb_probe *p, tcp_conn *c, const tcp_step *s) {
    size_t want = strlen(s->expect_bytes);
    char *got = malloc(want ? want : 1);
    if (!got)
        return false;
    ssize_t n = conn_bytes(c, got, want);
    bool ok = false;
    if (n < 0)
        bb_logf(p, OMX_LOG_ERROR, "Error reading from connection: %s", why((int)n));
    else if ((size_t)n < want)
        bb_logf(p, OMX_LOG_ERROR, "Read less data than expected: %zd of %zu bytes", n, want);
    else if (memcmp(got, s->expect_bytes, want) != 0) {
        bb_result_gauge(p, "probe_failed_due_to_bytes", "Indicates if probe failed due to bytes",
                        1);
        bb_logf(p, OMX_LOG_ERROR, "Bytes did not match: expected %zu bytes", want);
    } else {
        bb_logf(p, OMX_LOG_DEBUG, "Bytes matched");
        ok = true;
    }
    free(got);
    return ok;
}

/* probe_expect_info{labels...} 1 with values expanded from the match. */
static int expect_info(bb_probe *p, const tcp_step *s, const char *subject,
                       const omx_regex_span *spans, size_t n_spans) {
    const char *values[TCP_MAX_LABELS];
    omx_buf bufs[TCP_MAX_LABELS];
    int rc = 0;
    for (size_t i = 0; i < s->n_labels; i++) {
        omx_buf_init(&bufs[i], TCP_LINE_MAX);
        if (rc == 0)
            rc = bb_expand(s->expect, s->labels[i].value, subject, spans, n_spans, &bufs[i]);
        if (rc == 0)
            rc = omx_buf_append(&bufs[i], "", 0);
        values[i] = bufs[i].data ? bufs[i].data : "";
    }
    if (rc == 0)
        rc = bb_result_gauge_l(p, "probe_expect_info", "Explicit content matched", s->n_labels,
                               s->label_names, values, 1);
    for (size_t i = 0; i < s->n_labels; i++)
        omx_buf_free(&bufs[i]);
    return rc;
}

static bool run_steps(bb_probe *p, const tcp_config *cfg, tcp_conn *c, const char *host) {
    for (size_t i = 0; i < cfg->n_steps; i++) {
        const tcp_step *s = &cfg->steps[i];
        bb_logf(p, OMX_LOG_DEBUG, "Processing query response entry %zu", i);
        omx_buf send;
        omx_buf_init(&send, TCP_LINE_MAX + 1);
        int rc = 0;
        if (s->expect) {
            size_t n_spans = omx_regex_groups(s->expect) + 1;
            omx_regex_span *spans = calloc(n_spans, sizeof *spans);
            const char *subject = NULL;
            bool ok = spans && step_expect(p, c, s, spans, n_spans, &subject);
            if (ok) {
                bb_result_gauge(p, "probe_failed_due_to_regex",
                                "Indicates if probe failed due to regex", 0);
                if (s->send)
                    rc = bb_expand(s->expect, s->send, subject, spans, n_spans, &send);
                if (rc == 0 && s->n_labels)
                    rc = expect_info(p, s, subject, spans, n_spans);
            }
            free(spans);
            if (!ok || rc < 0) {
                if (rc < 0)
                    bb_logf(p, OMX_LOG_ERROR, "Cannot expand captures: %s", omx_strerror(rc));
                omx_buf_free(&send);
                return false;
            }
        } else if (s->send) {
            rc = omx_buf_append(&send, s->send, strlen(s->send));
        }
        if (s->expect_bytes && !step_expect_bytes(p, c, s)) {
            omx_buf_free(&send);
            return false;
        }
        if (rc == 0 && s->send) {
            rc = omx_buf_append(&send, "\n", 1);
            if (rc == 0) {
                bb_logf(p, OMX_LOG_DEBUG, "Sending line: %.*s",
                        send.len - 1 > 256 ? 256 : (int)send.len - 1, send.data);
                rc = conn_write(c, send.data, send.len);
                if (rc < 0)
                    bb_logf(p, OMX_LOG_ERROR, "Failed to send: %s", why(rc));
            }
        }
        omx_buf_free(&send);
        if (rc < 0)
            return false;
        if (s->starttls) {
            if (c->tls) {
                bb_logf(p, OMX_LOG_ERROR, "starttls on a connection that is already TLS");
                return false;
            }
            rc = bb_tlsconn_start(p, c->fd, &cfg->tls_config, tls_name(p, host), &c->tls);
            if (rc < 0) {
                bb_logf(p, OMX_LOG_ERROR, "TLS Handshake (client) failed");
                return false;
            }
            bb_logf(p, OMX_LOG_DEBUG, "TLS Handshake (client) succeeded.");
            c->off = c->len = 0; /* plain bytes read ahead are dropped, as upstream */
            c->eof = false;
            if (report_tls(p, cfg, c) < 0)
                return false;
        }
    }
    return true;
}

static bool run(bb_probe *p, const void *vcfg) {
    const tcp_config *cfg = vcfg ? vcfg : &tcp_defaults;
    char host[256];
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (bb_resolve_target(p, &cfg->ip, host, sizeof host, &ss, &sl) < 0)
        return false;
    tcp_conn c = {.p = p, .fd = -1};
    bool ok = false;
    c.fd = bb_net_socket(p, ss.ss_family, SOCK_STREAM, 0, cfg->ip.source_ip);
    if (c.fd < 0 || bb_net_connect(p, c.fd, (struct sockaddr *)&ss, sl) < 0)
        goto out;
    if (cfg->tls) {
        bb_logf(p, OMX_LOG_DEBUG, "Dialing TCP with TLS");
        if (bb_tlsconn_start(p, c.fd, &cfg->tls_config, tls_name(p, host), &c.tls) < 0) {
            bb_logf(p, OMX_LOG_ERROR, "Error dialing TCP with TLS");
            goto out;
        }
    }
    bb_logf(p, OMX_LOG_DEBUG, "Successfully dialed");
    if (bb_result_gauge(p, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
                        0) < 0 ||
        bb_result_gauge(p, "probe_failed_due_to_bytes", "Indicates if probe failed due to bytes",
                        0) < 0)
        goto out;
    if (c.tls && report_tls(p, cfg, &c) < 0)
        goto out;
    ok = run_steps(p, cfg, &c, host);
out:
    c.tls = bb_tlsconn_free(p, c.tls);
    if (c.fd >= 0)
        close(c.fd);
    free(c.buf);
    return ok;
}

const bb_prober bb_prober_tcp = {"tcp", tcp_config_parse, tcp_config_free, tcp_config_dump, run};
