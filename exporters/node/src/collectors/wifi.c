/* wifi: interfaces, the associated BSS and stations from nl80211 (generic
 * netlink; replies parsed in wifi_nl80211.c). Without nl80211 (no wireless
 * driver loaded) it reports nothing. */
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
#include "wifi_nl80211.h"
#include "util.h"

/* A dump of cmd for interface w (NULL: all), with its index and MAC. */
static int dump(node_wifi_ctx *c, uint8_t cmd, const node_wifi_if *w, node_nl_msg_fn fn) {
    struct {
        struct nlmsghdr nh;
        struct genlmsghdr g;
        struct nlattr ifindex_hdr;
        uint32_t ifindex;
        struct nlattr mac_hdr;
        unsigned char mac[8];
    } req = {
        .nh = {.nlmsg_type = c->family, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1},
        .g = {.cmd = cmd, .version = c->version}};
    size_t len = NLMSG_LENGTH(GENL_HDRLEN);
    if (w) {
        req.ifindex_hdr =
            (struct nlattr){.nla_len = NLA_HDRLEN + 4, .nla_type = NL80211_ATTR_IFINDEX};
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
    [NODE_WIFI_CONNECTED] =
        {"node_wifi_station_connected_seconds_total",
         "The total number of seconds a station has been connected to an access point.",
         OMX_COUNTER},
    [NODE_WIFI_INACTIVE] =
        {"node_wifi_station_inactive_seconds",
         "The number of seconds since any wireless activity has occurred on a station.", OMX_GAUGE},
    [NODE_WIFI_RX_BITRATE] = {"node_wifi_station_receive_bits_per_second",
                              "The current WiFi receive bitrate of a station, in bits per second.",
                              OMX_GAUGE},
    [NODE_WIFI_TX_BITRATE] = {"node_wifi_station_transmit_bits_per_second",
                              "The current WiFi transmit bitrate of a station, in bits per second.",
                              OMX_GAUGE},
    [NODE_WIFI_RX_BYTES] = {"node_wifi_station_receive_bytes_total",
                            "The total number of bytes received by a WiFi station.", OMX_COUNTER},
    [NODE_WIFI_TX_BYTES] = {"node_wifi_station_transmit_bytes_total",
                            "The total number of bytes transmitted by a WiFi station.",
                            OMX_COUNTER},
    [NODE_WIFI_SIGNAL] = {"node_wifi_station_signal_dbm",
                          "The current WiFi signal strength, in decibel-milliwatts (dBm).",
                          OMX_GAUGE},
    [NODE_WIFI_RETRIES] =
        {"node_wifi_station_transmit_retries_total",
         "The total number of times a station has had to retry while sending a packet.",
         OMX_COUNTER},
    [NODE_WIFI_FAILED] = {"node_wifi_station_transmit_failed_total",
                          "The total number of times a station has failed to send a packet.",
                          OMX_COUNTER},
    [NODE_WIFI_BEACON_LOSS] = {"node_wifi_station_beacon_loss_total",
                               "The total number of times a station has detected a beacon loss.",
                               OMX_COUNTER},
};

static int emit(omx_emitter *e, const node_wifi_ctx *c) {
    int r;
    static const char *const dev[] = {"device"};
    const omx_desc fd = {.name = "node_wifi_interface_frequency_hertz",
                         .help =
                             "The current frequency a WiFi interface is operating at, in hertz.",
                         .type = OMX_GAUGE,
                         .label_names = dev,
                         .n_labels = 1};
    if ((r = omx_emit_family(e, &fd)) < 0)
        return r;
    for (size_t i = 0; i < c->n_ifs; i++) {
        const char *lv[] = {c->ifs[i].name};
        if (c->ifs[i].name[0] && (r = omx_emit_sample(e, lv, c->ifs[i].freq_hz)) < 0)
            return r;
    }
    static const char *const info_labels[] = {"device", "bssid", "ssid", "mode"};
    const omx_desc info = {
        .name = "node_wifi_station_info",
        .help = "Labeled WiFi interface station information as provided by the operating system.",
        .type = OMX_GAUGE,
        .label_names = info_labels,
        .n_labels = 4};
    if ((r = omx_emit_family(e, &info)) < 0)
        return r;
    for (size_t i = 0; i < c->n_ifs; i++) {
        const node_wifi_if *w = &c->ifs[i];
        const char *lv[] = {w->name, w->bssid, w->ssid, w->mode};
        if (w->have_bss && (r = omx_emit_sample(e, lv, 1)) < 0)
            return r;
    }
    static const char *const st_labels[] = {"device", "mac_address"};
    for (size_t f = 0; f < sizeof st_fams / sizeof st_fams[0]; f++) {
        const omx_desc d = {.name = st_fams[f].name,
                            .help = st_fams[f].help,
                            .type = st_fams[f].type,
                            .label_names = st_labels,
                            .n_labels = 2};
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
    node_wifi_ctx c = {0};
    struct {
        struct nlmsghdr nh;
        struct genlmsghdr g;
    } req = {.nh = {.nlmsg_len = sizeof req,
                    .nlmsg_type = GENL_ID_CTRL,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                    .nlmsg_seq = 1},
             .g = {.cmd = CTRL_CMD_GETFAMILY, .version = 1}};
    int r = node_netlink_dump(NETLINK_GENERIC, &req, sizeof req, node_wifi_family_msg, &c);
    if (r == -EPERM || r == -EACCES || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT ||
        (r == 0 && !c.found)) {
        /* no wireless stack here: nothing to report, and nothing wrong */
        omx_log(OMX_LOG_DEBUG, "wifi collector metrics are not available for this system",
                "collector", "wifi", "err", r ? strerror(-r) : "no nl80211 family", NULL);
        return 0;
    }
    if (r < 0)
        return r;
    if ((r = dump(&c, NL80211_CMD_GET_INTERFACE, NULL, node_wifi_iface_msg)) < 0)
        goto out;
    for (c.cur = 0; c.cur < c.n_ifs; c.cur++) {
        const node_wifi_if *w = &c.ifs[c.cur];
        if (!w->name[0])
            continue;
        r = dump(&c, NL80211_CMD_GET_SCAN, w, node_wifi_bss_msg);
        if (r < 0 && r != -ENOENT)
            goto out;
        size_t before = c.n_st;
        r = dump(&c, NL80211_CMD_GET_STATION, w, node_wifi_station_msg);
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
