/* ntp: one SNTP query to a local NTP server per scrape, with node_exporter
 * 1.5's sanity verdict (RFC 5905 checks and the configured limits). */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <exporter/emit.h>
#include "util.h"

#define NS 1000000000LL
/* seconds from 1900-01-01 (NTP era 0) to 1970-01-01 */
#define NTP_UNIX_OFFSET 2208988800LL
#define DAY_NS (86400 * NS)

static const char *opt_server = "127.0.0.1";
static long opt_port = 123, opt_version = 4, opt_ttl = 1;
static bool opt_is_local;
static const char *opt_max_distance = "3.46608s", *opt_tolerance = "1ms";
static int64_t max_distance_ns, tolerance_ns;

static int declare(omx_app *app) {
    int r;
    if ((r = omx_app_flag_string(app, "collector.ntp.server", &opt_server,
                                 "NTP server to use for ntp collector")) < 0 ||
        (r = omx_app_flag_int(app, "collector.ntp.server-port", &opt_port,
                              "UDP port number to connect to on NTP server")) < 0 ||
        (r = omx_app_flag_int(app, "collector.ntp.protocol-version", &opt_version,
                              "NTP protocol version")) < 0 ||
        (r = omx_app_flag_bool(
             app, "collector.ntp.server-is-local", &opt_is_local,
             "Certify that collector.ntp.server address is not a public ntp server")) < 0 ||
        (r = omx_app_flag_int(app, "collector.ntp.ip-ttl", &opt_ttl,
                              "IP TTL to use while sending NTP query")) < 0 ||
        (r = omx_app_flag_string(app, "collector.ntp.max-distance", &opt_max_distance,
                                 "Max accumulated distance to the root")) < 0 ||
        (r = omx_app_flag_string(app, "collector.ntp.local-offset-tolerance", &opt_tolerance,
                                 "Offset between local clock and local ntpd time to tolerate")) < 0)
        return r;
    return 0;
}

static bool is_loopback(const char *s) {
    unsigned char a[16];
    static const unsigned char v6_loop[16] = {[15] = 1};
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
    if (inet_pton(AF_INET, s, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, s, a) == 1)
        return !memcmp(a, v6_loop, 16) || (!memcmp(a, mapped, 12) && a[12] == 127);
    return false;
}

static int config_error(const char *msg) {
    omx_log(OMX_LOG_ERROR, msg, "collector", "ntp", NULL);
    return OMX_ECONFIG;
}

static int setup(void) {
    /* node_exporter's checks: this collector is for the host's own ntpd */
    if (!opt_is_local && !is_loopback(opt_server))
        return config_error(
            "only IP address of local NTP server is valid for --collector.ntp.server");
    if (opt_version < 2 || opt_version > 4)
        return config_error("invalid NTP protocol version; must be 2, 3, or 4");
    if (omx_parse_duration(opt_tolerance, &tolerance_ns) < 0)
        return config_error("offset tolerance must be a non-negative duration");
    if (omx_parse_duration(opt_max_distance, &max_distance_ns) < 0)
        return config_error("invalid --collector.ntp.max-distance duration");
    if (opt_port < 1 || opt_port > 65535)
        return config_error("invalid NTP port number; must be between 1 and 65535 inclusive");
    if (opt_ttl < 0 || opt_ttl > 255)
        return config_error("invalid --collector.ntp.ip-ttl; must be between 0 and 255");
    return 0;
}

/* An NTP timestamp (32.32 fixed point from 1900) as nanoseconds from 1900,
 * rounded as the Go client node_exporter uses does. */
static int64_t ntp_ns(uint64_t t) {
    uint64_t frac = (t & 0xffffffffu) * (uint64_t)NS, nsec = frac >> 32;
    if ((uint32_t)frac >= 0x80000000u)
        nsec++;
    return (int64_t)((t >> 32) * (uint64_t)NS + nsec);
}

/* A 16.16 NTP short time as nanoseconds. */
static int64_t short_ns(uint32_t t) {
    uint64_t frac = (uint64_t)(t & 0xffffu) * (uint64_t)NS, nsec = frac >> 16;
    if ((uint16_t)frac >= 0x8000u)
        nsec++;
    return (int64_t)((uint64_t)(t >> 16) * (uint64_t)NS + nsec);
}

static uint64_t to_ntp(int64_t ns_since_1900) {
    uint64_t nsec = (uint64_t)ns_since_1900, sec = nsec / (uint64_t)NS;
    nsec = (nsec - sec * (uint64_t)NS) << 32;
    uint64_t frac = nsec / (uint64_t)NS;
    if (nsec % (uint64_t)NS >= (uint64_t)NS / 2)
        frac++;
    return sec << 32 | frac;
}

static int64_t now_ns(clockid_t clk) {
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Go's Duration.Seconds. */
static double seconds(int64_t ns) { return (double)(ns / NS) + (double)(ns % NS) / 1e9; }

static uint64_t be64(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

typedef struct reply {
    unsigned leap, stratum;
    uint64_t org, rec, xmt, ref; /* NTP timestamps; org corrected to our send time */
    uint64_t dst;
    uint32_t root_delay, root_disp;
} reply;

static int query(omx_emitter *e, reply *rp) {
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_protocol = IPPROTO_UDP}, *ai;
    char port[8];
    snprintf(port, sizeof port, "%ld", opt_port);
    int r = getaddrinfo(opt_server, port, &hints, &ai);
    if (r != 0) {
        omx_log(OMX_LOG_ERROR, "cannot resolve the NTP server", "collector", "ntp", "server",
                opt_server, "err", gai_strerror(r), NULL);
        return -EHOSTUNREACH;
    }
    int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        r = -errno;
        freeaddrinfo(ai);
        return r;
    }
    int ttl = (int)opt_ttl;
    if (ttl && (ai->ai_family == AF_INET
                    ? setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl)
                    : setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof ttl)) < 0) {
        r = -errno;
        goto out;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        r = -errno;
        goto out;
    }
    unsigned char pkt[48] = {0}, in[48];
    pkt[0] =
        (unsigned char)(3u << 6 | (unsigned)opt_version << 3 | 3u); /* unsynchronised, client */
    /* a random transmit time, as the Go client sends, so replies cannot be forged blindly */
    if (getrandom(pkt + 40, 8, 0) != 8) {
        r = -EIO;
        goto out;
    }
    uint64_t sent_token = be64(pkt + 40);
    int64_t xmit_real = now_ns(CLOCK_REALTIME), xmit_mono = now_ns(CLOCK_MONOTONIC);
    if (send(fd, pkt, sizeof pkt, 0) != (ssize_t)sizeof pkt) {
        r = -errno;
        goto out;
    }
    /* one second as node_exporter, or less when the scrape ends sooner */
    int64_t wait_until = xmit_mono + NS, deadline = omx_emitter_deadline_ns(e);
    if (deadline && deadline < wait_until)
        wait_until = deadline;
    for (;;) {
        int64_t left = wait_until - now_ns(CLOCK_MONOTONIC);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = left > 0 ? poll(&p, 1, (int)((left + 999999) / 1000000)) : 0;
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0) {
            r = pr < 0 ? -errno : -ETIMEDOUT;
            goto out;
        }
        ssize_t n = recv(fd, in, sizeof in, 0);
        if (n < 0) {
            r = -errno;
            goto out;
        }
        if (n < (ssize_t)sizeof in) {
            r = omx_bad_input("ntp", opt_server, 0, "short NTP reply");
            goto out;
        }
        break;
    }
    int64_t delta = now_ns(CLOCK_MONOTONIC) - xmit_mono;
    rp->dst = to_ntp(xmit_real + delta + NTP_UNIX_OFFSET * NS);
    rp->leap = in[0] >> 6;
    rp->stratum = in[1];
    rp->root_delay = be32(in + 4);
    rp->root_disp = be32(in + 8);
    rp->ref = be64(in + 16);
    rp->org = be64(in + 24);
    rp->rec = be64(in + 32);
    rp->xmt = be64(in + 40);
    if ((in[0] & 7) != 4)
        r = omx_bad_input("ntp", opt_server, 0, "invalid mode in response");
    else if (rp->xmt == 0)
        r = omx_bad_input("ntp", opt_server, 0, "invalid transmit time in response");
    else if (rp->org != sent_token)
        r = omx_bad_input("ntp", opt_server, 0, "server response mismatch");
    else if (rp->rec > rp->xmt)
        r = omx_bad_input("ntp", opt_server, 0, "server clock ticked backwards");
    else
        r = 0;
    rp->org = to_ntp(xmit_real + NTP_UNIX_OFFSET * NS);
out:
    close(fd);
    freeaddrinfo(ai);
    return r;
}

/* Start of the UTC day after a leap second was announced (0 = none yet). */
static int64_t leap_midnight_ns;
static pthread_mutex_t leap_lock = PTHREAD_MUTEX_INITIALIZER;

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    reply rp = {0};
    int r = query(e, &rp);
    if (r < 0) {
        if (r != OMX_EVALUE)
            omx_log(OMX_LOG_DEBUG, "couldn't get SNTP reply", "collector", "ntp", "server",
                    opt_server, "err", strerror(-r), NULL);
        return r;
    }
    int64_t org = ntp_ns(rp.org), rec = ntp_ns(rp.rec), xmt = ntp_ns(rp.xmt), dst = ntp_ns(rp.dst);
    int64_t ref = ntp_ns(rp.ref), root_delay = short_ns(rp.root_delay),
            root_disp = short_ns(rp.root_disp);
    int64_t rtt = (dst - org) - (xmt - rec);
    if (rtt < 0)
        rtt = 0;
    int64_t offset = ((rec - org) + (xmt - dst)) / 2;
    /* the larger causality violation of the two timestamp pairs */
    uint64_t err0 = rp.org >= rp.rec ? rp.org - rp.rec : 0,
             err1 = rp.xmt >= rp.dst ? rp.xmt - rp.dst : 0;
    int64_t min_error = ntp_ns(err0 > err1 ? err0 : err1);
    int64_t root_distance = (rtt + root_delay) / 2 + root_disp;
    int64_t ref_unix_ns = ref - NTP_UNIX_OFFSET * NS;
    double reftime = ref_unix_ns / NS > 0 ? (double)ref_unix_ns / 1e9 : 0;

    int64_t maxerr = tolerance_ns;
    pthread_mutex_lock(&leap_lock);
    if (rp.leap == 1 || rp.leap == 2) {
        /* the flag is dropped right after midnight: remember which one */
        int64_t t = xmt - NTP_UNIX_OFFSET * NS;
        leap_midnight_ns = t - ((t % DAY_NS) + DAY_NS) % DAY_NS + DAY_NS;
    }
    int64_t t_unix = xmt - NTP_UNIX_OFFSET * NS;
    if (leap_midnight_ns && leap_midnight_ns - DAY_NS < t_unix &&
        t_unix < leap_midnight_ns + DAY_NS)
        maxerr += NS; /* tolerate leap smearing */
    pthread_mutex_unlock(&leap_lock);

    bool valid = rp.stratum != 0 && rp.stratum < 16 && rp.leap != 3 &&
                 xmt - ref <= (1LL << 17) * NS && root_delay / 2 + root_disp <= 16 * NS &&
                 xmt >= ref;
    double sanity = valid && root_distance <= max_distance_ns && min_error <= maxerr;

    if ((r = omx_emit1(e, "node_ntp_stratum", "NTPD stratum.", OMX_GAUGE, rp.stratum)) < 0 ||
        (r = omx_emit1(e, "node_ntp_leap", "NTPD leap second indicator, 2 bits.", OMX_GAUGE,
                       rp.leap)) < 0 ||
        (r = omx_emit1(e, "node_ntp_rtt_seconds", "RTT to NTPD.", OMX_GAUGE, seconds(rtt))) < 0 ||
        (r = omx_emit1(e, "node_ntp_offset_seconds", "ClockOffset between NTP and local clock.",
                       OMX_GAUGE, seconds(offset))) < 0 ||
        (r = omx_emit1(e, "node_ntp_reference_timestamp_seconds",
                       "NTPD ReferenceTime, UNIX timestamp.", OMX_GAUGE, reftime)) < 0 ||
        (r = omx_emit1(e, "node_ntp_root_delay_seconds", "NTPD RootDelay.", OMX_GAUGE,
                       seconds(root_delay))) < 0 ||
        (r = omx_emit1(e, "node_ntp_root_dispersion_seconds", "NTPD RootDispersion.", OMX_GAUGE,
                       seconds(root_disp))) < 0 ||
        (r = omx_emit1(e, "node_ntp_sanity",
                       "NTPD sanity according to RFC5905 heuristics and configured limits.",
                       OMX_GAUGE, sanity)) < 0)
        return r;
    return 0;
}

const node_collector node_collector_ntp = {
    .name = "ntp",
    .enabled_by_default = false,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
