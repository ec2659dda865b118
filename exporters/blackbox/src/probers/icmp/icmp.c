/* The icmp prober: echo requests through an unprivileged ping socket where
 * net.ipv4.ping_group_range allows it, a raw socket otherwise; IPv4 and IPv6.
 * Replies are matched by sequence and payload (and, on raw sockets, by
 * source, identifier and type, so foreign replies are dropped). With
 * `packets` it sends several echoes and reports loss and RTT spread. */
#include <errno.h>
#include <math.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "exporter/error.h"
#include "icmp.h"
#include "probers/tcp/netsock.h"
#include "prober.h"

/* Replies read per wake-up before the clock is looked at again (floods). */
#define ICMP_DRAIN_MAX 256
/* Room for an IPv4 header with options before a reply of ours; anything
 * longer is not ours and is read truncated. */
#define ICMP_IP_HDR_MAX 60
/* ICMP_FILTER of linux/icmp.h, which clashes with netinet/ip_icmp.h. */
#define BB_ICMP_FILTER 1

/* Sequence numbers and raw-socket identifiers come from process-wide
 * counters started at random, so concurrent probes and restarted exporters
 * do not reuse each other's. */
static pthread_once_t ids_once = PTHREAD_ONCE_INIT;
static uint16_t seq_base, id_base;
static atomic_uint seq_next, id_next;

static void ids_init(void) {
    uint16_t r[2] = {0, 0};
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        r[0] = (uint16_t)getpid();
        r[1] = (uint16_t)(getpid() * 31);
    }
    seq_base = r[0];
    id_base = r[1];
}

typedef struct icmp_run {
    bb_probe *p;
    const icmp_config *cfg;
    int fd;
    int family;
    bool raw;
    struct sockaddr_storage dst;
    socklen_t dst_len;
    uint16_t id, seq0;
    unsigned char *pkt;     /* the echo request: 8-byte header, then the payload */
    unsigned char *payload; /* pkt + 8 */
    size_t payload_len;
    unsigned char *rbuf; /* a reply: ICMP_IP_HDR_MAX + 8 + payload_len + 1 bytes */
    size_t rbuf_len;
    int n;            /* echoes to send */
    int64_t *sent_at; /* 0: not sent (or failed) */
    int64_t *rtt;     /* -1: no reply yet */
    int sent, received, outstanding;
    int hop_limit; /* of the last reply, -1 unknown */
} icmp_run;

static int setopt(int fd, int level, int name, int v) {
    return setsockopt(fd, level, name, &v, sizeof v) < 0 ? -errno : 0;
}

/* Opens the ping socket, or the raw one when ping sockets are not allowed. */
static int open_socket(icmp_run *r) {
    bb_probe *p = r->p;
    int proto = r->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    bb_logf(p, OMX_LOG_DEBUG, "Creating socket");
    int fd = socket(r->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
        bb_logf(p, OMX_LOG_DEBUG, "Using an unprivileged ping socket");
        int rc = bb_net_bind_source(p, fd, r->family, r->cfg->ip.source_ip);
        if (rc < 0) {
            close(fd);
            return rc;
        }
        r->fd = fd;
        return 0;
    }
    bb_logf(p, OMX_LOG_DEBUG,
            "Unable to do unprivileged listen on socket (%s; see net.ipv4.ping_group_range), "
            "will attempt privileged",
            omx_strerror(-errno));
    fd = socket(r->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        int e = -errno;
        bb_logf(p, OMX_LOG_ERROR,
                "Error listening to socket: no ping socket (net.ipv4.ping_group_range excludes "
                "this group) and no raw socket (%s; needs CAP_NET_RAW)",
                omx_strerror(e));
        return e;
    }
    bb_logf(p, OMX_LOG_DEBUG, "Using a raw socket");
    r->raw = true;
    r->fd = fd;
    /* Let the kernel drop every ICMP type but echo replies before they reach us. */
    if (r->family == AF_INET) {
        uint32_t filt = ~(1u << ICMP_ECHOREPLY); /* linux/icmp.h's struct icmp_filter */
        setsockopt(fd, SOL_RAW, BB_ICMP_FILTER, &filt, sizeof filt);
    } else {
        struct icmp6_filter filt;
        ICMP6_FILTER_SETBLOCKALL(&filt);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filt);
        setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof filt);
    }
    return bb_net_bind_source(p, fd, r->family, r->cfg->ip.source_ip);
}

static int set_options(icmp_run *r) {
    const icmp_config *c = r->cfg;
    int rc = 0;
    if (r->family == AF_INET) {
        if (c->ttl > 0)
            rc = setopt(r->fd, IPPROTO_IP, IP_TTL, c->ttl);
        if (rc == 0)
            rc = setopt(r->fd, IPPROTO_IP, IP_MTU_DISCOVER,
                        c->dont_fragment ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
        if (setopt(r->fd, IPPROTO_IP, IP_RECVTTL, 1) < 0)
            bb_logf(r->p, OMX_LOG_DEBUG, "Cannot get TTL from the received packet");
    } else {
        if (c->ttl > 0)
            rc = setopt(r->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, c->ttl);
        if (rc == 0 && c->dont_fragment)
            rc = setopt(r->fd, IPPROTO_IPV6, IPV6_DONTFRAG, 1);
        if (setopt(r->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1) < 0)
            bb_logf(r->p, OMX_LOG_DEBUG, "Cannot get Hop Limit from the received packet");
    }
    if (rc < 0)
        bb_logf(r->p, OMX_LOG_ERROR, "cannot set socket options: %s", omx_strerror(rc));
    /* Connected, the kernel keeps replies from other hosts off this socket. */
    if (rc == 0 && connect(r->fd, (struct sockaddr *)&r->dst, r->dst_len) < 0) {
        rc = -errno;
        bb_logf(r->p, OMX_LOG_ERROR, "cannot connect the socket: %s", omx_strerror(rc));
    }
    return rc;
}

static void send_echo(icmp_run *r, int k) {
    unsigned char *pkt = r->pkt;
    uint16_t seq = (uint16_t)(r->seq0 + k);
    pkt[0] = r->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
    pkt[1] = 0;
    pkt[2] = pkt[3] = 0;
    pkt[4] = (unsigned char)(r->id >> 8);
    pkt[5] = (unsigned char)r->id;
    pkt[6] = (unsigned char)(seq >> 8);
    pkt[7] = (unsigned char)seq;
    size_t len = 8 + r->payload_len;
    if (r->family == AF_INET) { /* the kernel sums ICMPv6 and ping sockets itself */
        uint16_t sum = icmp_checksum(pkt, len);
        pkt[2] = (unsigned char)(sum >> 8);
        pkt[3] = (unsigned char)sum;
    }
    r->sent++;
    int64_t t = bb_now_ns();
    ssize_t n = send(r->fd, pkt, len, 0);
    if (n < 0) {
        bb_logf(r->p, OMX_LOG_WARN, "Error writing to socket (seq %u): %s", seq,
                omx_strerror(-errno));
        return;
    }
    r->sent_at[k] = t;
    r->outstanding++;
}

static bool same_host(const icmp_run *r, const struct sockaddr_storage *from) {
    if (from->ss_family != r->family)
        return false;
    if (r->family == AF_INET)
        return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)&r->dst)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
                  &((const struct sockaddr_in6 *)&r->dst)->sin6_addr, 16) == 0;
}

/* One datagram read: counts it when it is the reply to an echo of ours. */
static void take_reply(icmp_run *r, unsigned char *b, size_t n, const struct msghdr *m,
                       const struct sockaddr_storage *from, int64_t now) {
    int hop = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)m); c;
         c = CMSG_NXTHDR((struct msghdr *)m, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
            memcpy(&hop, CMSG_DATA(c), sizeof hop);
    }
    if (r->raw && r->family == AF_INET) { /* raw IPv4 sockets see the IP header */
        size_t ihl = n ? (size_t)(b[0] & 0x0f) * 4 : 0;
        if (ihl < 20 || n < ihl || b[9] != IPPROTO_ICMP)
            return;
        if (hop < 0)
            hop = b[8];
        b += ihl;
        n -= ihl;
    }
    if (n < 8 || n - 8 != r->payload_len)
        return;
    unsigned type = r->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
    if (b[0] != type || b[1] != 0)
        return;
    if (r->raw) {
        uint16_t id = (uint16_t)(b[4] << 8 | b[5]);
        if (id != r->id || !same_host(r, from))
            return; /* another prober's, or another host's */
    }
    uint16_t k = (uint16_t)((uint16_t)(b[6] << 8 | b[7]) - r->seq0);
    if (k >= r->n || !r->sent_at[k] || r->rtt[k] >= 0)
        return; /* not ours, or a duplicate */
    if (memcmp(b + 8, r->payload, r->payload_len) != 0)
        return;
    r->rtt[k] = now - r->sent_at[k];
    r->received++;
    r->outstanding--;
    r->hop_limit = hop;
    bb_logf(r->p, OMX_LOG_DEBUG, "Found matching reply packet (seq %u, %.3f ms)",
            (unsigned)(uint16_t)(r->seq0 + k), r->rtt[k] / 1e6);
}

static void drain(icmp_run *r) {
    for (int i = 0; i < ICMP_DRAIN_MAX; i++) {
        struct sockaddr_storage from = {0};
        char cbuf[256];
        struct iovec iov = {.iov_base = r->rbuf, .iov_len = r->rbuf_len};
        struct msghdr m = {.msg_name = &from,
                           .msg_namelen = sizeof from,
                           .msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = cbuf,
                           .msg_controllen = sizeof cbuf};
        ssize_t n = recvmsg(r->fd, &m, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno != EINTR) /* an ICMP error queued on the connected socket */
                bb_logf(r->p, OMX_LOG_DEBUG, "Error reading from socket: %s", omx_strerror(-errno));
            continue;
        }
        if (!(m.msg_flags & MSG_TRUNC))
            take_reply(r, r->rbuf, (size_t)n, &m, &from, bb_now_ns());
    }
}

/* Sends the echoes on schedule and reads replies until all are in or the deadline. */
static void exchange(icmp_run *r) {
    int64_t interval = r->cfg->interval_ns;
    int64_t next = bb_now_ns();
    bb_logf(r->p, OMX_LOG_DEBUG, "Writing out packet");
    for (;;) {
        int64_t now = bb_now_ns();
        if (r->sent < r->n && now >= next) {
            send_echo(r, r->sent);
            next += interval;
            continue;
        }
        if (r->sent == r->n && r->outstanding == 0)
            break;
        if (now >= r->p->deadline_ns)
            break;
        int64_t until = r->sent < r->n && next < r->p->deadline_ns ? next : r->p->deadline_ns;
        int ms = (int)((until - now + 999999) / 1000000);
        struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
        if (poll(&pfd, 1, ms) > 0)
            drain(r);
    }
}

static int gauge(bb_probe *p, const char *name, const char *help, double v) {
    return bb_result_gauge(p, name, help, v);
}

static int phase(bb_probe *p, const char *ph, double seconds) {
    static const char *const names[] = {"phase"};
    return bb_result_gauge_l(p, "probe_icmp_duration_seconds", "Duration of icmp request by phase",
                             1, names, (const char *const[]){ph}, seconds);
}

/* Our packet-count families (only with `packets`). */
static int report_packets(icmp_run *r) {
    bb_probe *p = r->p;
    double min = 0, max = 0, sum = 0, sq = 0;
    bool first = true;
    for (int k = 0; k < r->n; k++) {
        if (r->rtt[k] < 0)
            continue;
        double s = r->rtt[k] / 1e9;
        if (first || s < min)
            min = s;
        if (first || s > max)
            max = s;
        first = false;
        sum += s;
        sq += s * s;
    }
    double mean = r->received ? sum / r->received : 0;
    double var = r->received ? sq / r->received - mean * mean : 0;
    int rc = gauge(p, "probe_icmp_packets_sent", "Echo requests sent", r->sent);
    if (rc == 0)
        rc = gauge(p, "probe_icmp_packets_received", "Echo replies received", r->received);
    if (rc == 0)
        rc = gauge(p, "probe_icmp_packet_loss_ratio",
                   "Share of echo requests without a reply (0 to 1)",
                   r->sent ? 1.0 - (double)r->received / r->sent : 1.0);
    if (rc == 0)
        rc = gauge(p, "probe_icmp_rtt_min_seconds", "Shortest round trip of the replies", min);
    if (rc == 0)
        rc = gauge(p, "probe_icmp_rtt_max_seconds", "Longest round trip of the replies", max);
    if (rc == 0)
        rc = gauge(p, "probe_icmp_rtt_stddev_seconds",
                   "Population standard deviation of the replies' round trips",
                   var > 0 ? sqrt(var) : 0);
    return rc;
}

static bool run(bb_probe *p, const void *vcfg) {
    const icmp_config *cfg = vcfg ? vcfg : &icmp_defaults;
    pthread_once(&ids_once, ids_init);
    phase(p, "resolve", 0);
    phase(p, "setup", 0);
    phase(p, "rtt", 0);
    icmp_run *r = calloc(1, sizeof *r);
    if (!r)
        return false;
    r->p = p;
    r->cfg = cfg;
    r->fd = -1;
    r->hop_limit = -1;
    bool ok = false;
    int64_t t0 = bb_now_ns();
    if (bb_resolve(p, p->target, 0, &cfg->ip, &r->dst, &r->dst_len) < 0) {
        bb_logf(p, OMX_LOG_ERROR, "Error resolving address %.200s", p->target);
        goto out;
    }
    int64_t t1 = bb_now_ns();
    phase(p, "resolve", (t1 - t0) / 1e9);
    r->family = r->dst.ss_family;
    r->n = cfg->packets ? cfg->packets : 1;
    r->sent_at = calloc((size_t)r->n, sizeof *r->sent_at);
    r->rtt = malloc((size_t)r->n * sizeof *r->rtt);
    if (!r->sent_at || !r->rtt)
        goto out;
    for (int k = 0; k < r->n; k++)
        r->rtt[k] = -1;
    r->seq0 = (uint16_t)(seq_base + atomic_fetch_add(&seq_next, (unsigned)r->n));
    r->id = (uint16_t)(id_base + atomic_fetch_add(&id_next, 1u));
    size_t plen = cfg->payload_size ? (size_t)cfg->payload_size : 28;
    r->pkt = malloc(8 + plen);
    r->rbuf_len = ICMP_IP_HDR_MAX + 8 + plen + 1;
    r->rbuf = malloc(r->rbuf_len);
    if (!r->pkt || !r->rbuf)
        goto out;
    r->payload = r->pkt + 8;
    r->payload_len = icmp_payload(cfg->payload_size, r->payload, plen);
    if (open_socket(r) < 0 || set_options(r) < 0)
        goto out;
    phase(p, "setup", (bb_now_ns() - t1) / 1e9);
    bb_logf(p, OMX_LOG_DEBUG, "Waiting for reply packets");
    exchange(r);
    if (r->received) {
        double rtt = 0;
        for (int k = 0; k < r->n; k++)
            if (r->rtt[k] >= 0)
                rtt += r->rtt[k] / 1e9;
        phase(p, "rtt", rtt / r->received);
        if (r->hop_limit >= 0)
            gauge(p, "probe_icmp_reply_hop_limit", "Replied packet hop limit (TTL for ipv4)",
                  r->hop_limit);
        ok = true;
    } else if (r->outstanding) {
        bb_logf(p, OMX_LOG_WARN, "Timeout reading from socket: no reply to %d echo request%s",
                r->sent, r->sent == 1 ? "" : "s");
    }
    if (r->n > 1 || cfg->packets)
        if (report_packets(r) < 0)
            ok = false;
    if (cfg->packets && r->received < r->sent)
        bb_logf(p, OMX_LOG_INFO, "%d of %d echo requests got no reply", r->sent - r->received,
                r->sent);
out:
    if (r->fd >= 0)
        close(r->fd);
    free(r->sent_at);
    free(r->rtt);
    free(r->pkt);
    free(r->rbuf);
    free(r);
    return ok;
}

const bb_prober bb_prober_icmp = {"icmp", icmp_config_parse, icmp_config_free, icmp_config_dump,
                                  run};
