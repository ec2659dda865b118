/* One DNS exchange on a non-blocking socket of our own, every wait a poll()
 * bounded by the probe's deadline: udp (replies that are not ours are
 * skipped, as upstream's client does), tcp and tcp with TLS (one
 * length-prefixed message each way). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "tlsconn.h"

#define BB_DNS_MSG_MAX 65535

static int bind_source(bb_probe *p, int fd, int family, const char *src) {
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, src, &a->sin_addr) != 1) {
            bb_logf(p, OMX_LOG_ERROR, "Error parsing source ip address: srcIP=%s (target is IPv4)",
                    src);
            return OMX_EINVAL;
        }
        len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, src, &a->sin6_addr) != 1) {
            bb_logf(p, OMX_LOG_ERROR, "Error parsing source ip address: srcIP=%s (target is IPv6)",
                    src);
            return OMX_EINVAL;
        }
        len = sizeof *a;
    }
    bb_logf(p, OMX_LOG_DEBUG, "Using local address: srcIP=%s", src);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        int e = -errno;
        bb_logf(p, OMX_LOG_ERROR, "Cannot bind to source address %s: %s", src, omx_strerror(e));
        return e;
    }
    return 0;
}

static int open_conn(bb_probe *p, const bb_dns_config *c, const struct sockaddr_storage *addr,
                     socklen_t addr_len) {
    int fd = socket(addr->ss_family,
                    (c->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = -errno;
        bb_logf(p, OMX_LOG_ERROR, "Cannot open socket: %s", omx_strerror(e));
        return e;
    }
    int r = 0;
    if (c->ip.source_ip && *c->ip.source_ip)
        r = bind_source(p, fd, addr->ss_family, c->ip.source_ip);
    if (r == 0 && connect(fd, (const struct sockaddr *)addr, addr_len) < 0) {
        r = -errno;
        if (r == -EINPROGRESS) {
            int w = bb_wait_fd(p, fd, POLLOUT);
            if (w < 0) {
                r = w;
            } else {
                int err = 0;
                socklen_t el = sizeof err;
                r = getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 ? -errno : -err;
            }
        }
        if (r == OMX_ETIMEOUT)
            bb_logf(p, OMX_LOG_ERROR, "Error while sending a DNS query: connect timed out");
        else if (r < 0)
            bb_logf(p, OMX_LOG_ERROR, "Error while sending a DNS query: connect: %s",
                    omx_strerror(r));
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

typedef struct conn {
    bb_probe *p;
    int fd;
    bb_tlsconn *tls;
} conn;

/* Writes all of buf or fails (after logging). */
static int write_all(conn *k, const uint8_t *buf, size_t len) {
    size_t off = 0;
    while (off < len) {
        ssize_t n;
        if (k->tls) {
            n = bb_tlsconn_write(k->p, k->tls, buf + off, len - off);
            if (n <= 0) {
                bb_logf(k->p, OMX_LOG_ERROR, "Error while sending a DNS query over TLS: %s",
                        n == 0 ? "connection closed" : omx_strerror((int)n));
                return n == 0 ? OMX_EIO : (int)n;
            }
        } else {
            n = send(k->fd, buf + off, len - off, MSG_NOSIGNAL);
            if (n < 0) {
                int e = -errno;
                if (e == -EINTR)
                    continue;
                if (e == -EAGAIN) {
                    int w = bb_wait_fd(k->p, k->fd, POLLOUT);
                    if (w == 0)
                        continue;
                    e = w;
                }
                bb_logf(k->p, OMX_LOG_ERROR, "Error while sending a DNS query: %s",
                        e == OMX_ETIMEOUT ? "timed out" : omx_strerror(e));
                return e;
            }
        }
        off += (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes from a stream (what is the message, for the log). */
static int read_full(conn *k, uint8_t *buf, size_t len, const char *what) {
    size_t off = 0;
    while (off < len) {
        ssize_t n;
        if (k->tls) {
            n = bb_tlsconn_read(k->p, k->tls, buf + off, len - off);
            if (n < 0) {
                bb_logf(k->p, OMX_LOG_ERROR, "Error while reading the DNS reply over TLS (%s): %s",
                        what, omx_strerror((int)n));
                return (int)n;
            }
        } else {
            n = recv(k->fd, buf + off, len - off, 0);
            if (n < 0) {
                int e = -errno;
                if (e == -EINTR)
                    continue;
                if (e == -EAGAIN) {
                    int w = bb_wait_fd(k->p, k->fd, POLLIN);
                    if (w == 0)
                        continue;
                    if (w == OMX_ETIMEOUT) {
                        bb_logf(k->p, OMX_LOG_ERROR,
                                "Error while reading the DNS reply: timed out with %zu of %zu "
                                "bytes of the %s",
                                off, len, what);
                        return OMX_ETIMEOUT;
                    }
                    e = w;
                }
                bb_logf(k->p, OMX_LOG_ERROR, "Error while reading the DNS reply: %s",
                        omx_strerror(e));
                return e;
            }
        }
        if (n == 0) {
            bb_logf(k->p, OMX_LOG_ERROR,
                    "Error while reading the DNS reply: connection closed after %zu of %zu bytes "
                    "of the %s",
                    off, len, what);
            return OMX_EIO;
        }
        off += (size_t)n;
    }
    return 0;
}

static int stream_exchange(conn *k, const uint8_t *query, size_t query_len,
                           bb_dns_accept_fn *accept, void *ctx, uint8_t *buf) {
    if (query_len > BB_DNS_MSG_MAX)
        return OMX_EINVAL;
    /* The length prefix and the message in one write: one segment. */
    uint8_t *msg = malloc(query_len + 2);
    if (!msg) {
        bb_logf(k->p, OMX_LOG_ERROR, "Out of memory for the DNS query");
        return OMX_ENOMEM;
    }
    msg[0] = (uint8_t)(query_len >> 8);
    msg[1] = (uint8_t)query_len;
    memcpy(msg + 2, query, query_len);
    int r = write_all(k, msg, query_len + 2);
    free(msg);
    if (r < 0)
        return r;
    uint8_t lp[2];
    r = read_full(k, lp, 2, "length prefix");
    if (r < 0)
        return r;
    size_t len = (size_t)(lp[0] << 8 | lp[1]);
    r = read_full(k, buf, len, "message");
    if (r < 0)
        return r;
    r = accept(ctx, buf, len);
    if (r == 0) {
        bb_logf(k->p, OMX_LOG_ERROR, "Error while sending a DNS query: the reply is not for it");
        return OMX_EVALUE;
    }
    return r < 0 ? r : 0;
}

static int dgram_exchange(conn *k, const uint8_t *query, size_t query_len, bb_dns_accept_fn *accept,
                          void *ctx, uint8_t *buf) {
    int r = write_all(k, query, query_len);
    if (r < 0)
        return r;
    for (;;) {
        ssize_t n = recv(k->fd, buf, BB_DNS_MSG_MAX, 0);
        if (n < 0) {
            int e = -errno;
            if (e == -EINTR)
                continue;
            if (e == -EAGAIN) {
                int w = bb_wait_fd(k->p, k->fd, POLLIN);
                if (w == 0)
                    continue;
                if (w == OMX_ETIMEOUT) {
                    bb_logf(k->p, OMX_LOG_ERROR,
                            "Error while sending a DNS query: no reply before the deadline");
                    return OMX_ETIMEOUT;
                }
                e = w;
            }
            bb_logf(k->p, OMX_LOG_ERROR, "Error while sending a DNS query: %s", omx_strerror(e));
            return e;
        }
        r = accept(ctx, buf, (size_t)n);
        if (r != 0)
            return r < 0 ? r : 0;
    }
}

int bb_dns_exchange(bb_probe *p, const bb_dns_config *c, const char *host,
                    const struct sockaddr_storage *addr, socklen_t addr_len, const uint8_t *query,
                    size_t query_len, bb_dns_accept_fn *accept, void *ctx, int64_t *ret_connect_ns,
                    int64_t *ret_request_ns) {
    int64_t t0 = bb_now_ns();
    *ret_connect_ns = *ret_request_ns = 0;
    int fd = open_conn(p, c, addr, addr_len);
    if (fd < 0) {
        *ret_connect_ns = bb_now_ns() - t0;
        return fd;
    }
    conn k = {p, fd, NULL};
    int r = 0;
    if (c->dns_over_tls)
        r = bb_tlsconn_start(p, fd, &c->tls, host, &k.tls);
    int64_t t1 = bb_now_ns();
    *ret_connect_ns = t1 - t0;
    uint8_t *buf = NULL;
    if (r == 0) {
        buf = malloc(BB_DNS_MSG_MAX);
        if (!buf) {
            bb_logf(p, OMX_LOG_ERROR, "Out of memory for the DNS reply");
            r = OMX_ENOMEM;
        }
    }
    if (r == 0)
        r = c->tcp ? stream_exchange(&k, query, query_len, accept, ctx, buf)
                   : dgram_exchange(&k, query, query_len, accept, ctx, buf);
    *ret_request_ns = bb_now_ns() - t1;
    free(buf);
    k.tls = bb_tlsconn_free(p, k.tls);
    close(fd);
    return r;
}
