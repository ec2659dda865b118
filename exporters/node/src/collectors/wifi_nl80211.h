/* nl80211 replies (generic netlink) parsed for the wifi collector: the
 * family lookup, interfaces, the associated BSS and stations. Each *_msg is a
 * node_netlink_dump callback taking a node_wifi_ctx. */
#ifndef NODE_WIFI_NL80211_H
#define NODE_WIFI_NL80211_H

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct node_wifi_if {
    uint32_t index;
    char name[IF_NAMESIZE + 1];
    unsigned char mac[6];
    bool have_mac;
    double freq_hz;
    bool have_bss; /* the BSS with a status (the one associated) was seen */
    char bssid[24], ssid[132];
    const char *mode; /* "client", "ad-hoc" or "unknown" */
} node_wifi_if;

enum {
    NODE_WIFI_CONNECTED,
    NODE_WIFI_INACTIVE,
    NODE_WIFI_RX_BITRATE,
    NODE_WIFI_TX_BITRATE,
    NODE_WIFI_RX_BYTES,
    NODE_WIFI_TX_BYTES,
    NODE_WIFI_SIGNAL,
    NODE_WIFI_RETRIES,
    NODE_WIFI_FAILED,
    NODE_WIFI_BEACON_LOSS,
    NODE_WIFI_NVALUES
};

typedef struct node_wifi_station {
    size_t iface; /* index in node_wifi_ctx.ifs */
    char mac[24];
    double v[NODE_WIFI_NVALUES]; /* seconds, bits/s, bytes, dBm, counts */
} node_wifi_station;

/* Filled by the callbacks; the caller frees ifs and st. */
typedef struct node_wifi_ctx {
    uint16_t family; /* nl80211's generic netlink id, once found */
    uint8_t version;
    bool found;
    node_wifi_if *ifs;
    size_t n_ifs, cap_ifs;
    node_wifi_station *st;
    size_t n_st, cap_st;
    size_t cur; /* the interface a BSS or station dump is for */
} node_wifi_ctx;

/* CTRL_CMD_GETFAMILY replies: sets found/family/version for "nl80211". */
int node_wifi_family_msg(const struct nlmsghdr *nh, void *ctx);
/* NL80211_CMD_GET_INTERFACE replies: appends to ifs. */
int node_wifi_iface_msg(const struct nlmsghdr *nh, void *ctx);
/* NL80211_CMD_GET_SCAN replies for ifs[cur]: the BSS with a status. A
 * truncated information element is malformed input (OMX_EVALUE, logged). */
int node_wifi_bss_msg(const struct nlmsghdr *nh, void *ctx);
/* NL80211_CMD_GET_STATION replies for ifs[cur]: appends to st; -ENOENT for a
 * reply without station information (the caller then drops that dump's). */
int node_wifi_station_msg(const struct nlmsghdr *nh, void *ctx);

#endif
