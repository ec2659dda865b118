/* wifi: interfaces, the associated BSS and stations from nl80211 (generic
 * netlink). Without nl80211 (no wireless driver loaded) it reports nothing. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "netlink_dump.h"
#include "util.h"

#define MAX_ITEMS 4096
#define NLA_OK(a, len) ((len) >= (int)sizeof(struct nlattr) && (a)->nla_len >= sizeof(struct nlattr) && \
                        (a)->nla_len <= (len))
#define NLA_NEXT(a, len) ((len) -= NLA_ALIGN((a)->nla_len), \
                          (const struct nlattr *)((const char *)(a) + NLA_ALIGN((a)->nla_len)))
#define NLA_DATA(a) ((const void *)((const char *)(a) + NLA_HDRLEN))
#define NLA_LEN(a) ((int)(a)->nla_len - NLA_HDRLEN)

static uint32_t nla_u32(const struct nlattr *a) {
    uint32_t v = 0;
    if (NLA_LEN(a) >= 4)
        memcpy(&v, NLA_DATA(a), 4);
    return v;
}

static uint64_t nla_u64(const struct nlattr *a) {
    uint64_t v = 0;
    if (NLA_LEN(a) >= 8)
        memcpy(&v, NLA_DATA(a), 8);
    return v;
}

static uint16_t nla_u16(const struct nlattr *a) {
    uint16_t v = 0;
    if (NLA_LEN(a) >= 2)
        memcpy(&v, NLA_DATA(a), 2);
    return v;
}

/* Go's net.HardwareAddr String: lowercase hex bytes joined by ':'. */
static void mac_string(const struct nlattr *a, char *buf, size_t size) {
    size_t o = 0, n = (size_t)NLA_LEN(a);
    const unsigned char *p = NLA_DATA(a);
    buf[0] = '\0';
    for (size_t i = 0; i < n && o + 4 <= size; i++)
        o += (size_t)snprintf(buf + o, size - o, i ? ":%02x" : "%02x", p[i]);
}

/* An SSID as valid UTF-8, invalid bytes as U+FFFD (as Go decodes runes). */
static void ssid_string(const unsigned char *p, size_t n, char *buf, size_t size) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < size;) {
        unsigned c = p[i];
        size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = len && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (p[i + k] & 0xc0) == 0x80;
        if (ok && len > 1) {
            unsigned cp = c & (0x7f >> len);
            for (size_t k = 1; k < len; k++)
                cp = cp << 6 | (p[i + k] & 0x3f);
            ok = cp >= (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u) && cp <= 0x10ffff &&
                 (cp < 0xd800 || cp > 0xdfff);
        }
        if (ok) {
            memcpy(buf + o, p + i, len);
            o += len;
            i += len;
        } else {
            memcpy(buf + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    buf[o] = '\0';
}

typedef struct wifi_if {
    uint32_t index;
    char name[IF_NAMESIZE + 1];
    unsigned char mac[6];
    bool have_mac;
    double freq_hz;
    bool have_bss;
    char bssid[24], ssid[132];
    const char *mode;
} wifi_if;

typedef struct station {
    size_t iface;
    char mac[24];
    double v[10];
} station;

enum { CONNECTED, INACTIVE, RX_BITRATE, TX_BITRATE, RX_BYTES, TX_BYTES, SIGNAL, RETRIES, FAILED, BEACON_LOSS };

typedef struct wifi_ctx {
    uint16_t family;
    uint8_t version;
    bool found;
    wifi_if *ifs;
    size_t n_ifs, cap_ifs;
    station *st;
    size_t n_st, cap_st;
    size_t cur; /* interface a BSS or station dump is for */
    size_t msgs;
} wifi_ctx;

static const struct nlattr *genl_attrs(const struct nlmsghdr *nh, int *len) {
    *len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
    return (const struct nlattr *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);
}

static int family_msg(const struct nlmsghdr *nh, void *arg) {
    wifi_ctx *c = arg;
    if (nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
        return 0;
    int len;
    const char *name = NULL;
    uint16_t id = 0;
    uint32_t version = 0;
    for (const struct nlattr *a = genl_attrs(nh, &len); NLA_OK(a, len); a = NLA_NEXT(a, len)) {
        if (a->nla_type == CTRL_ATTR_FAMILY_NAME && NLA_LEN(a) > 0 &&
            memchr(NLA_DATA(a), 0, (size_t)NLA_LEN(a)))
            name = NLA_DATA(a);
        else if (a->nla_type == CTRL_ATTR_FAMILY_ID)
            id = nla_u16(a);
        else if (a->nla_type == CTRL_ATTR_VERSION)
            version = nla_u32(a);
    }
    if (name && !strcmp(name, NL80211_GENL_NAME)) {
        c->found = true;
        c->family = id;
        c->version = (uint8_t)version;
    }
    return 0;
}

static int iface_msg(const struct nlmsghdr *nh, void *arg) {
    wifi_ctx *c = arg;
    if (nh->nlmsg_type != c->family || nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
        return 0;
    if (c->n_ifs == c->cap_ifs) {
        size_t cap = c->cap_ifs ? 2 * c->cap_ifs : 4;
        if (cap > MAX_ITEMS)
            return OMX_ELIMIT;
        wifi_if *ni = realloc(c->ifs, cap * sizeof *ni);
        if (!ni)
            return OMX_ENOMEM;
        c->ifs = ni;
        c->cap_ifs = cap;
    }
    wifi_if *w = &c->ifs[c->n_ifs];
    *w = (wifi_if){0};
    int len;
    for (const struct nlattr *a = genl_attrs(nh, &len); NLA_OK(a, len); a = NLA_NEXT(a, len)) {
        switch (a->nla_type) {
        case NL80211_ATTR_IFINDEX:
            w->index = nla_u32(a);
            break;
        case NL80211_ATTR_IFNAME:
            snprintf(w->name, sizeof w->name, "%.*s", (int)strnlen(NLA_DATA(a), (size_t)NLA_LEN(a)),
                     (const char *)NLA_DATA(a));
            break;
        case NL80211_ATTR_MAC:
            if (NLA_LEN(a) == 6) {
                memcpy(w->mac, NLA_DATA(a), 6);
                w->have_mac = true;
            }
            break;
        case NL80211_ATTR_WIPHY_FREQ:
            w->freq_hz = (double)nla_u32(a) * 1000 * 1000;
            break;
        }
    }
    c->n_ifs++;
    return 0;
}

static int bss_msg(const struct nlmsghdr *nh, void *arg) {
    wifi_ctx *c = arg;
    wifi_if *w = &c->ifs[c->cur];
    if (nh->nlmsg_type != c->family || nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN) || w->have_bss)
        return 0;
    int len;
    for (const struct nlattr *a = genl_attrs(nh, &len); NLA_OK(a, len); a = NLA_NEXT(a, len)) {
        if ((a->nla_type & NLA_TYPE_MASK) != NL80211_ATTR_BSS)
            continue;
        /* the BSS the interface is associated with is the one with a status */
        const struct nlattr *status = NULL, *bssid = NULL, *ies = NULL;
        int blen = NLA_LEN(a);
        for (const struct nlattr *b = NLA_DATA(a); NLA_OK(b, blen); b = NLA_NEXT(b, blen)) {
            if (b->nla_type == NL80211_BSS_STATUS)
                status = b;
            else if (b->nla_type == NL80211_BSS_BSSID)
                bssid = b;
            else if (b->nla_type == NL80211_BSS_INFORMATION_ELEMENTS)
                ies = b;
        }
        if (!status)
            continue;
        uint32_t s = nla_u32(status);
        w->mode = s == NL80211_BSS_STATUS_AUTHENTICATED || s == NL80211_BSS_STATUS_ASSOCIATED ? "client"
                : s == NL80211_BSS_STATUS_IBSS_JOINED ? "ad-hoc" : "unknown";
        if (bssid)
            mac_string(bssid, w->bssid, sizeof w->bssid);
        /* information elements: id, length, data; SSID is id 0 */
        const unsigned char *p = ies ? NLA_DATA(ies) : NULL;
        for (int left = ies ? NLA_LEN(ies) : 0; left >= 2;) {
            unsigned id = p[0], l = p[1];
            if ((int)l + 2 > left)
                return omx_bad_input("wifi", "nl80211", 0, "truncated information element");
            if (id == 0)
                ssid_string(p + 2, l, w->ssid, sizeof w->ssid);
            p += l + 2;
            left -= (int)l + 2;
        }
        w->have_bss = true;
        return 0;
    }
    return 0;
}

static int rate(const struct nlattr *a) {
    uint32_t r32 = 0, r16 = 0;
    int len = NLA_LEN(a);
    for (const struct nlattr *b = NLA_DATA(a); NLA_OK(b, len); b = NLA_NEXT(b, len)) {
        if (b->nla_type == NL80211_RATE_INFO_BITRATE32)
            r32 = nla_u32(b);
        else if (b->nla_type == NL80211_RATE_INFO_BITRATE)
            r16 = nla_u16(b);
    }
    return (int)(r32 ? r32 : r16);
}

static int station_msg(const struct nlmsghdr *nh, void *arg) {
    wifi_ctx *c = arg;
    if (nh->nlmsg_type != c->family || nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
        return 0;
    c->msgs++;
    const struct nlattr *mac = NULL, *info = NULL;
    int len;
    for (const struct nlattr *a = genl_attrs(nh, &len); NLA_OK(a, len); a = NLA_NEXT(a, len)) {
        if (a->nla_type == NL80211_ATTR_MAC)
            mac = a;
        else if ((a->nla_type & NLA_TYPE_MASK) == NL80211_ATTR_STA_INFO)
            info = a;
    }
    if (!info)
        return -ENOENT; /* as the Go library: no station information at all */
    if (c->n_st == c->cap_st) {
        size_t cap = c->cap_st ? 2 * c->cap_st : 8;
        if (cap > MAX_ITEMS)
            return OMX_ELIMIT;
        station *ns = realloc(c->st, cap * sizeof *ns);
        if (!ns)
            return OMX_ENOMEM;
        c->st = ns;
        c->cap_st = cap;
    }
    station *s = &c->st[c->n_st++];
    *s = (station){.iface = c->cur};
    if (mac)
        mac_string(mac, s->mac, sizeof s->mac);
    uint64_t rx = 0, tx = 0, rx32 = 0, tx32 = 0;
    int ilen = NLA_LEN(info);
    for (const struct nlattr *a = NLA_DATA(info); NLA_OK(a, ilen); a = NLA_NEXT(a, ilen)) {
        switch (a->nla_type & NLA_TYPE_MASK) {
        case NL80211_STA_INFO_CONNECTED_TIME: s->v[CONNECTED] = nla_u32(a); break;
        case NL80211_STA_INFO_INACTIVE_TIME: s->v[INACTIVE] = nla_u32(a) / 1000.0; break;
        case NL80211_STA_INFO_RX_BYTES64: rx = nla_u64(a); break;
        case NL80211_STA_INFO_TX_BYTES64: tx = nla_u64(a); break;
        case NL80211_STA_INFO_RX_BYTES: rx32 = nla_u32(a); break;
        case NL80211_STA_INFO_TX_BYTES: tx32 = nla_u32(a); break;
        case NL80211_STA_INFO_SIGNAL:
            if (NLA_LEN(a) >= 1)
                s->v[SIGNAL] = (int8_t)*(const unsigned char *)NLA_DATA(a);
            break;
        case NL80211_STA_INFO_TX_RETRIES: s->v[RETRIES] = nla_u32(a); break;
        case NL80211_STA_INFO_TX_FAILED: s->v[FAILED] = nla_u32(a); break;
        case NL80211_STA_INFO_BEACON_LOSS: s->v[BEACON_LOSS] = nla_u32(a); break;
        case NL80211_STA_INFO_RX_BITRATE: s->v[RX_BITRATE] = rate(a) * 100.0 * 1000; break;
        case NL80211_STA_INFO_TX_BITRATE: s->v[TX_BITRATE] = rate(a) * 100.0 * 1000; break;
        }
    }
    /* 32-bit byte counters only where the 64-bit ones are absent or zero */
    s->v[RX_BYTES] = (double)(rx ? rx : rx32);
    s->v[TX_BYTES] = (double)(tx ? tx : tx32);
    return 0;
}

/* A dump of cmd for interface w (NULL: all), with its index and MAC. */
static int dump(wifi_ctx *c, uint8_t cmd, const wifi_if *w, node_nl_msg_fn fn) {
    struct {
        struct nlmsghdr nh;
        struct genlmsghdr g;
        struct nlattr ifindex_hdr;
        uint32_t ifindex;
        struct nlattr mac_hdr;
        unsigned char mac[8];
    } req = {.nh = {.nlmsg_type = c->family, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
             .g = {.cmd = cmd, .version = c->version}};
    size_t len = NLMSG_LENGTH(GENL_HDRLEN);
    if (w) {
        req.ifindex_hdr = (struct nlattr){.nla_len = NLA_HDRLEN + 4, .nla_type = NL80211_ATTR_IFINDEX};
        req.ifindex = w->index;
        len += NLA_HDRLEN + 4;
        if (w->have_mac) {
            req.mac_hdr = (struct nlattr){.nla_len = NLA_HDRLEN + 6, .nla_type = NL80211_ATTR_MAC};
            memcpy(req.mac, w->mac, 6);
            len += NLA_HDRLEN + 8;
        }
    }
    req.nh.nlmsg_len = (uint32_t)len;
    return node_netlink_dump(NETLINK_GENERIC, &req, len, fn, c);
}

static const struct {
    const char *name, *help;
    omx_type type;
} st_fams[] = {
    [CONNECTED] = {"node_wifi_station_connected_seconds_total", "The total number of seconds a station has been connected to an access point.", OMX_COUNTER},
    [INACTIVE] = {"node_wifi_station_inactive_seconds", "The number of seconds since any wireless activity has occurred on a station.", OMX_GAUGE},
    [RX_BITRATE] = {"node_wifi_station_receive_bits_per_second", "The current WiFi receive bitrate of a station, in bits per second.", OMX_GAUGE},
    [TX_BITRATE] = {"node_wifi_station_transmit_bits_per_second", "The current WiFi transmit bitrate of a station, in bits per second.", OMX_GAUGE},
    [RX_BYTES] = {"node_wifi_station_receive_bytes_total", "The total number of bytes received by a WiFi station.", OMX_COUNTER},
    [TX_BYTES] = {"node_wifi_station_transmit_bytes_total", "The total number of bytes transmitted by a WiFi station.", OMX_COUNTER},
    [SIGNAL] = {"node_wifi_station_signal_dbm", "The current WiFi signal strength, in decibel-milliwatts (dBm).", OMX_GAUGE},
    [RETRIES] = {"node_wifi_station_transmit_retries_total", "The total number of times a station has had to retry while sending a packet.", OMX_COUNTER},
    [FAILED] = {"node_wifi_station_transmit_failed_total", "The total number of times a station has failed to send a packet.", OMX_COUNTER},
    [BEACON_LOSS] = {"node_wifi_station_beacon_loss_total", "The total number of times a station has detected a beacon loss.", OMX_COUNTER},
};

static int emit(omx_emitter *e, const wifi_ctx *c) {
    int r;
    static const char *const dev[] = {"device"};
    const omx_desc fd = {.name = "node_wifi_interface_frequency_hertz",
                         .help = "The current frequency a WiFi interface is operating at, in hertz.",
                         .type = OMX_GAUGE, .label_names = dev, .n_labels = 1};
    if ((r = omx_emit_family(e, &fd)) < 0)
        return r;
    for (size_t i = 0; i < c->n_ifs; i++) {
        const char *lv[] = {c->ifs[i].name};
        if (c->ifs[i].name[0] && (r = omx_emit_sample(e, lv, c->ifs[i].freq_hz)) < 0)
            return r;
    }
    static const char *const info_labels[] = {"device", "bssid", "ssid", "mode"};
    const omx_desc info = {.name = "node_wifi_station_info",
                           .help = "Labeled WiFi interface station information as provided by the operating system.",
                           .type = OMX_GAUGE, .label_names = info_labels, .n_labels = 4};
    if ((r = omx_emit_family(e, &info)) < 0)
        return r;
    for (size_t i = 0; i < c->n_ifs; i++) {
        const wifi_if *w = &c->ifs[i];
        const char *lv[] = {w->name, w->bssid, w->ssid, w->mode};
        if (w->have_bss && (r = omx_emit_sample(e, lv, 1)) < 0)
            return r;
    }
    static const char *const st_labels[] = {"device", "mac_address"};
    for (size_t f = 0; f < sizeof st_fams / sizeof st_fams[0]; f++) {
        const omx_desc d = {.name = st_fams[f].name, .help = st_fams[f].help, .type = st_fams[f].type,
                            .label_names = st_labels, .n_labels = 2};
        if ((r = omx_emit_family(e, &d)) < 0)
            return r;
        for (size_t i = 0; i < c->n_st; i++) {
            const char *lv[] = {c->ifs[c->st[i].iface].name, c->st[i].mac};
            if ((r = omx_emit_sample(e, lv, c->st[i].v[f])) < 0)
                return r;
        }
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    wifi_ctx c = {0};
    struct {
        struct nlmsghdr nh;
        struct genlmsghdr g;
    } req = {.nh = {.nlmsg_len = sizeof req, .nlmsg_type = GENL_ID_CTRL,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
             .g = {.cmd = CTRL_CMD_GETFAMILY, .version = 1}};
    int r = node_netlink_dump(NETLINK_GENERIC, &req, sizeof req, family_msg, &c);
    if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT || (r == 0 && !c.found)) {
        /* no wireless stack here: nothing to report, and nothing wrong */
        omx_log(OMX_LOG_DEBUG, "wifi collector metrics are not available for this system",
                "collector", "wifi", "err", r ? strerror(-r) : "no nl80211 family", NULL);
        return 0;
    }
    if (r < 0)
        return r;
    if ((r = dump(&c, NL80211_CMD_GET_INTERFACE, NULL, iface_msg)) < 0)
        goto out;
    for (c.cur = 0; c.cur < c.n_ifs; c.cur++) {
        const wifi_if *w = &c.ifs[c.cur];
        if (!w->name[0])
            continue;
        r = dump(&c, NL80211_CMD_GET_SCAN, w, bss_msg);
        if (r < 0 && r != -ENOENT)
            goto out;
        size_t before = c.n_st;
        c.msgs = 0;
        r = dump(&c, NL80211_CMD_GET_STATION, w, station_msg);
        if (r == -ENOENT)
            c.n_st = before; /* a message without station information drops them all */
        else if (r < 0)
            goto out;
    }
    r = emit(e, &c);
out:
    free(c.ifs);
    free(c.st);
    return r;
}

const node_collector node_collector_wifi = {
    .name = "wifi",
    .enabled_by_default = false,
    .collect = collect,
};
