/* The udp prober (ours): send one datagram (payload or payload_hex) from a
 * connected socket, then, when a reply is wanted, wait for one datagram from
 * the target's address and port until the deadline and match expect on it.
 * Connected, the socket sees only the target's datagrams and the ICMP port
 * unreachable that ends a probe of a closed port early. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/error.h"
#include "probers/tcp/netsock.h"
#include "prober.h"
#include "udp.h"

static int gauge(bb_probe *p, const char *name, const char *help, double v) {
    return bb_result_gauge(p, name, help, v);
}

/* Waits for the reply: its length (the datagram's, even past cap), or a negative code. */
static ssize_t wait_reply(bb_probe *p, int fd, unsigned char *buf, size_t cap) {
    for (;;) {
        ssize_t n = recv(fd, buf, cap, MSG_TRUNC | MSG_DONTWAIT);
        if (n >= 0)
            return n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = bb_wait_fd(p, fd, POLLIN);
        if (rc < 0)
            return rc;
    }
}

static bool check_reply(bb_probe *p, const udp_config *cfg, int fd, int64_t sent_at) {
    unsigned char *buf = malloc(cfg->max_reply_size + 1);
    if (!buf)
        return false;
    bool ok = false;
    ssize_t n = wait_reply(p, fd, buf, cfg->max_reply_size + 1);
    int64_t now = bb_now_ns();
    if (n == OMX_ETIMEOUT) {
        bb_logf(p, OMX_LOG_ERROR, "Timeout waiting for a reply");
    } else if (n == -ECONNREFUSED) {
        bb_logf(p, OMX_LOG_ERROR, "Error reading reply: port unreachable (%s)",
                omx_strerror((int)n));
    } else if (n < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error reading reply: %s", omx_strerror((int)n));
    } else {
        gauge(p, "probe_udp_reply_received", "Whether a reply datagram came back", 1);
        gauge(p, "probe_udp_rtt_seconds", "Time from sending the payload to the reply",
              (now - sent_at) / 1e9);
        gauge(p, "probe_udp_reply_bytes", "Size of the reply datagram", (double)n);
        bb_logf(p, OMX_LOG_DEBUG, "Received a reply of %zd bytes", n);
        if ((size_t)n > cfg->max_reply_size) {
            bb_logf(p, OMX_LOG_ERROR, "Reply of %zd bytes is longer than max_reply_size %zu", n,
                    cfg->max_reply_size);
        } else if (cfg->expect) {
            int m = omx_regex_match(cfg->expect, (const char *)buf, (size_t)n);
            gauge(p, "probe_failed_due_to_regex", "Indicates if probe failed due to regex",
                  m == 1 ? 0 : 1);
            if (m == 1)
                ok = true;
            else
                bb_logf(p, OMX_LOG_ERROR, "Regexp did not match: regexp=\"%s\"%s", cfg->expect_src,
                        m == OMX_ELIMIT ? " (match limit reached)" : "");
        } else {
            ok = true;
        }
    }
    free(buf);
    return ok;
}

static bool run(bb_probe *p, const void *vcfg) {
    const udp_config *cfg = vcfg ? vcfg : &udp_defaults;
    char host[256];
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    if (bb_resolve_target(p, &cfg->ip, host, sizeof host, &ss, &sl) < 0)
        return false;
    if (cfg->expect_reply)
        gauge(p, "probe_udp_reply_received", "Whether a reply datagram came back", 0);
    if (cfg->expect)
        gauge(p, "probe_failed_due_to_regex", "Indicates if probe failed due to regex", 0);
    int fd = bb_net_socket(p, ss.ss_family, SOCK_DGRAM, 0, cfg->ip.source_ip);
    if (fd < 0)
        return false;
    bool ok = false;
    if (bb_net_connect(p, fd, (struct sockaddr *)&ss, sl) < 0)
        goto out;
    int64_t sent_at = bb_now_ns();
    ssize_t n = send(fd, cfg->payload ? (const void *)cfg->payload : "", cfg->payload_len, 0);
    if (n < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error sending the payload: %s", omx_strerror(-errno));
        goto out;
    }
    bb_logf(p, OMX_LOG_DEBUG, "Sent %zd bytes", n);
    ok = cfg->expect_reply ? check_reply(p, cfg, fd, sent_at) : true;
out:
    close(fd);
    return ok;
}

const bb_prober bb_prober_udp = {"udp", udp_config_parse, udp_config_free, udp_config_dump, run};
