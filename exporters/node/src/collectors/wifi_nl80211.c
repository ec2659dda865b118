/* nl80211 replies parsed as the Go wifi library node_exporter 1.5 uses
 * reads them (see wifi_nl80211.h). */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/log.h>
#include <exporter/error.h>
#include "wifi_nl80211.h"

#define MAX_ITEMS 4096
#define NLA_OK(a, len)                                                               \
    ((len) >= (int)sizeof(struct nlattr) && (a)->nla_len >= sizeof(struct nlattr) && \
     (a)->nla_len <= (len))
#define NLA_NEXT(a, len)               \
    ((len) -= NLA_ALIGN((a)->nla_len), \
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
        size_t len = c < 0x80             ? 1
                     : (c & 0xe0) == 0xc0 ? 2
                     : (c & 0xf0) == 0xe0 ? 3
                     : (c & 0xf8) == 0xf0 ? 4
                                          : 0;
        bool ok = len && i + len <= n;
        for (size_t k = 1; ok && k < len; k++)
            ok = (p[i + k] & 0xc0) == 0x80;
        if (ok && len > 1) {
            unsigned cp = c & (0x7f >> len);
            for (size_t k = 1; k < len; k++)
                cp = cp << 6 | (p[i + k] & 0x3f);
            ok = cp >= (len == 2   ? 0x80u
                        : len == 3 ? 0x800u
                                   : 0x10000u) &&
                 cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
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

static const struct nlattr *genl_attrs(const struct nlmsghdr *nh, int *len) {
    *len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(GENL_HDRLEN);
    return (const struct nlattr *)((const char *)NLMSG_DATA(nh) + GENL_HDRLEN);
}

int node_wifi_family_msg(const struct nlmsghdr *nh, void *arg) {
    node_wifi_ctx *c = arg;
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

int node_wifi_iface_msg(const struct nlmsghdr *nh, void *arg) {
    node_wifi_ctx *c = arg;
    if (nh->nlmsg_type != c->family || nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
        return 0;
    if (c->n_ifs == c->cap_ifs) {
        size_t cap = c->cap_ifs ? 2 * c->cap_ifs : 4;
        if (cap > MAX_ITEMS)
            return OMX_ELIMIT;
        node_wifi_if *ni = realloc(c->ifs, cap * sizeof *ni);
        if (!ni)
            return OMX_ENOMEM;
        c->ifs = ni;
        c->cap_ifs = cap;
    }
    node_wifi_if *w = &c->ifs[c->n_ifs];
    *w = (node_wifi_if){0};
    int len;
    for (const struct nlattr *a = genl_attrs(nh, &len); NLA_OK(a, len); a = NLA_NEXT(a, len)) {
        switch (a->nla_type) {
        case NL80211_ATTR_IFINDEX: w->index = nla_u32(a); break;
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
        case NL80211_ATTR_WIPHY_FREQ: w->freq_hz = (double)nla_u32(a) * 1000 * 1000; break;
        }
    }
    c->n_ifs++;
    return 0;
}

int node_wifi_bss_msg(const struct nlmsghdr *nh, void *arg) {
    node_wifi_ctx *c = arg;
    node_wifi_if *w = &c->ifs[c->cur];
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
        w->mode = s == NL80211_BSS_STATUS_AUTHENTICATED || s == NL80211_BSS_STATUS_ASSOCIATED
                      ? "client"
                  : s == NL80211_BSS_STATUS_IBSS_JOINED ? "ad-hoc"
                                                        : "unknown";
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

int node_wifi_station_msg(const struct nlmsghdr *nh, void *arg) {
    node_wifi_ctx *c = arg;
    if (nh->nlmsg_type != c->family || nh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
        return 0;
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
        node_wifi_station *ns = realloc(c->st, cap * sizeof *ns);
        if (!ns)
            return OMX_ENOMEM;
        c->st = ns;
        c->cap_st = cap;
    }
    node_wifi_station *s = &c->st[c->n_st++];
    *s = (node_wifi_station){.iface = c->cur};
    if (mac)
        mac_string(mac, s->mac, sizeof s->mac);
    uint64_t rx = 0, tx = 0, rx32 = 0, tx32 = 0;
    int ilen = NLA_LEN(info);
    for (const struct nlattr *a = NLA_DATA(info); NLA_OK(a, ilen); a = NLA_NEXT(a, ilen)) {
        switch (a->nla_type & NLA_TYPE_MASK) {
        case NL80211_STA_INFO_CONNECTED_TIME: s->v[NODE_WIFI_CONNECTED] = nla_u32(a); break;
        case NL80211_STA_INFO_INACTIVE_TIME: s->v[NODE_WIFI_INACTIVE] = nla_u32(a) / 1000.0; break;
        case NL80211_STA_INFO_RX_BYTES64: rx = nla_u64(a); break;
        case NL80211_STA_INFO_TX_BYTES64: tx = nla_u64(a); break;
        case NL80211_STA_INFO_RX_BYTES: rx32 = nla_u32(a); break;
        case NL80211_STA_INFO_TX_BYTES: tx32 = nla_u32(a); break;
        case NL80211_STA_INFO_SIGNAL:
            if (NLA_LEN(a) >= 1)
                s->v[NODE_WIFI_SIGNAL] = (int8_t) * (const unsigned char *)NLA_DATA(a);
            break;
        case NL80211_STA_INFO_TX_RETRIES: s->v[NODE_WIFI_RETRIES] = nla_u32(a); break;
        case NL80211_STA_INFO_TX_FAILED: s->v[NODE_WIFI_FAILED] = nla_u32(a); break;
        case NL80211_STA_INFO_BEACON_LOSS: s->v[NODE_WIFI_BEACON_LOSS] = nla_u32(a); break;
        case NL80211_STA_INFO_RX_BITRATE:
            s->v[NODE_WIFI_RX_BITRATE] = rate(a) * 100.0 * 1000;
            break;
        case NL80211_STA_INFO_TX_BITRATE:
            s->v[NODE_WIFI_TX_BITRATE] = rate(a) * 100.0 * 1000;
            break;
        }
    }
    /* 32-bit byte counters only where the 64-bit ones are absent or zero */
    s->v[NODE_WIFI_RX_BYTES] = (double)(rx ? rx : rx32);
    s->v[NODE_WIFI_TX_BYTES] = (double)(tx ? tx : tx32);
    return 0;
}
