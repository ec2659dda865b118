/* omx-node: nl80211 reply parsing of the wifi collector (wifi_nl80211.c) on
 * hand-built generic netlink messages, since no wireless hardware is present:
 * family lookup, interfaces, the associated BSS (SSID, invalid UTF-8, mode),
 * stations (64-bit over 32-bit byte counters, 32-bit over 16-bit bitrates,
 * signed signal), and the malformed and missing cases. */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/nl80211.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/error.h>
#include "collectors/wifi_nl80211.h"
#include "omx-test.h"

#define FAMILY 0x1c

typedef struct msgbuf {
    union {
        struct nlmsghdr nh;
        unsigned char b[2048];
    } u;
    size_t len;
    size_t nest[4];
    int depth;
} msgbuf;

static void msg_start(msgbuf *m, uint16_t type, uint8_t cmd) {
    memset(m, 0, sizeof *m);
    m->u.nh.nlmsg_type = type;
    struct genlmsghdr *g = NLMSG_DATA(&m->u.nh);
    g->cmd = cmd;
    m->len = NLMSG_LENGTH(GENL_HDRLEN);
}

static void put(msgbuf *m, uint16_t type, const void *data, size_t len) {
    struct nlattr *a = (struct nlattr *)(m->u.b + m->len);
    a->nla_type = type;
    a->nla_len = (uint16_t)(NLA_HDRLEN + len);
    memcpy(m->u.b + m->len + NLA_HDRLEN, data, len);
    m->len += NLA_ALIGN(NLA_HDRLEN + len);
}

static void put_u32(msgbuf *m, uint16_t type, uint32_t v) { put(m, type, &v, 4); }
static void put_u16(msgbuf *m, uint16_t type, uint16_t v) { put(m, type, &v, 2); }
static void put_u64(msgbuf *m, uint16_t type, uint64_t v) { put(m, type, &v, 8); }

static void nest_start(msgbuf *m, uint16_t type) {
    m->nest[m->depth++] = m->len;
    struct nlattr *a = (struct nlattr *)(m->u.b + m->len);
    a->nla_type = type | NLA_F_NESTED;
    m->len += NLA_HDRLEN;
}

static void nest_end(msgbuf *m) {
    size_t at = m->nest[--m->depth];
    ((struct nlattr *)(m->u.b + at))->nla_len = (uint16_t)(m->len - at);
}

static const struct nlmsghdr *msg_done(msgbuf *m) {
    m->u.nh.nlmsg_len = (uint32_t)m->len;
    return &m->u.nh;
}

static const unsigned char mac0[6] = {0x02, 0x00, 0x5e, 0x10, 0xab, 0xcd};

int main(void) {
    node_wifi_ctx c = {0};
    msgbuf m;

    /* the family list: other families first, then nl80211 with its id and version */
    msg_start(&m, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
    put(&m, CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
    put_u16(&m, CTRL_ATTR_FAMILY_ID, GENL_ID_CTRL);
    ASSERT_OK(node_wifi_family_msg(msg_done(&m), &c));
    ASSERT(!c.found);
    msg_start(&m, GENL_ID_CTRL, CTRL_CMD_NEWFAMILY);
    put(&m, CTRL_ATTR_FAMILY_NAME, "nl80211", 8);
    put_u16(&m, CTRL_ATTR_FAMILY_ID, FAMILY);
    put_u32(&m, CTRL_ATTR_VERSION, 1);
    ASSERT_OK(node_wifi_family_msg(msg_done(&m), &c));
    ASSERT(c.found);
    ASSERT_EQ(c.family, FAMILY);
    ASSERT_EQ(c.version, 1);

    /* two interfaces: a station at 2412 MHz and a nameless P2P device */
    msg_start(&m, FAMILY, NL80211_CMD_NEW_INTERFACE);
    put_u32(&m, NL80211_ATTR_IFINDEX, 3);
    put(&m, NL80211_ATTR_IFNAME, "wlan0", 6);
    put(&m, NL80211_ATTR_MAC, mac0, 6);
    put_u32(&m, NL80211_ATTR_IFTYPE, NL80211_IFTYPE_STATION);
    put_u32(&m, NL80211_ATTR_WIPHY_FREQ, 2412);
    ASSERT_OK(node_wifi_iface_msg(msg_done(&m), &c));
    msg_start(&m, FAMILY, NL80211_CMD_NEW_INTERFACE);
    put_u64(&m, NL80211_ATTR_WDEV, 0x100000001ull);
    ASSERT_OK(node_wifi_iface_msg(msg_done(&m), &c));
    /* a reply of another family is not an interface */
    msg_start(&m, FAMILY + 1, NL80211_CMD_NEW_INTERFACE);
    ASSERT_OK(node_wifi_iface_msg(msg_done(&m), &c));
    ASSERT_EQ(c.n_ifs, 2);
    ASSERT_STR_EQ(c.ifs[0].name, "wlan0");
    ASSERT_EQ(c.ifs[0].index, 3);
    ASSERT(c.ifs[0].have_mac);
    ASSERT_DBL_EQ(c.ifs[0].freq_hz, 2412e6);
    ASSERT_STR_EQ(c.ifs[1].name, "");

    /* scan results: a BSS without status (not associated), then the associated one
     * whose SSID has an invalid byte, shown as U+FFFD */
    c.cur = 0;
    msg_start(&m, FAMILY, NL80211_CMD_NEW_SCAN_RESULTS);
    nest_start(&m, NL80211_ATTR_BSS);
    put(&m, NL80211_BSS_BSSID, "\x0a\x0b\x0c\x0d\x0e\x0f", 6);
    nest_end(&m);
    ASSERT_OK(node_wifi_bss_msg(msg_done(&m), &c));
    ASSERT(!c.ifs[0].have_bss);
    msg_start(&m, FAMILY, NL80211_CMD_NEW_SCAN_RESULTS);
    nest_start(&m, NL80211_ATTR_BSS);
    put(&m, NL80211_BSS_BSSID, "\x00\x11\x22\x33\x44\x55", 6);
    const unsigned char ies[] = {0, 7, 'c', 'a', 'f', 0xc3, 0xa9, 0xff, '!', 1, 2, 0x82, 0x84};
    put(&m, NL80211_BSS_INFORMATION_ELEMENTS, ies, sizeof ies);
    put_u32(&m, NL80211_BSS_STATUS, NL80211_BSS_STATUS_ASSOCIATED);
    nest_end(&m);
    ASSERT_OK(node_wifi_bss_msg(msg_done(&m), &c));
    ASSERT(c.ifs[0].have_bss);
    ASSERT_STR_EQ(c.ifs[0].bssid, "00:11:22:33:44:55");
    ASSERT_STR_EQ(c.ifs[0].ssid, "caf\xc3\xa9\xef\xbf\xbd!");
    ASSERT_STR_EQ(c.ifs[0].mode, "client");
    /* later BSSes do not replace the associated one */
    msg_start(&m, FAMILY, NL80211_CMD_NEW_SCAN_RESULTS);
    nest_start(&m, NL80211_ATTR_BSS);
    put_u32(&m, NL80211_BSS_STATUS, NL80211_BSS_STATUS_IBSS_JOINED);
    nest_end(&m);
    ASSERT_OK(node_wifi_bss_msg(msg_done(&m), &c));
    ASSERT_STR_EQ(c.ifs[0].mode, "client");
    /* an information element running past its attribute is malformed */
    c.ifs[1].have_bss = false;
    c.cur = 1;
    msg_start(&m, FAMILY, NL80211_CMD_NEW_SCAN_RESULTS);
    nest_start(&m, NL80211_ATTR_BSS);
    put_u32(&m, NL80211_BSS_STATUS, NL80211_BSS_STATUS_IBSS_JOINED);
    const unsigned char bad_ies[] = {0, 9, 'x'};
    put(&m, NL80211_BSS_INFORMATION_ELEMENTS, bad_ies, sizeof bad_ies);
    nest_end(&m);
    ASSERT_EQ(node_wifi_bss_msg(msg_done(&m), &c), OMX_EVALUE);

    /* a station: 64-bit byte counters win over 32-bit ones, BITRATE32 over BITRATE,
     * the signal is a signed byte; another with only 32-bit counters */
    c.cur = 0;
    msg_start(&m, FAMILY, NL80211_CMD_NEW_STATION);
    put(&m, NL80211_ATTR_MAC, "\x00\x11\x22\x33\x44\x55", 6);
    nest_start(&m, NL80211_ATTR_STA_INFO);
    put_u32(&m, NL80211_STA_INFO_CONNECTED_TIME, 3600);
    put_u32(&m, NL80211_STA_INFO_INACTIVE_TIME, 250);
    put_u32(&m, NL80211_STA_INFO_RX_BYTES, 7);
    put_u64(&m, NL80211_STA_INFO_RX_BYTES64, 5000000000ull);
    put_u32(&m, NL80211_STA_INFO_TX_BYTES, 1234);
    unsigned char sig = (unsigned char)-52;
    put(&m, NL80211_STA_INFO_SIGNAL, &sig, 1);
    put_u32(&m, NL80211_STA_INFO_TX_RETRIES, 11);
    put_u32(&m, NL80211_STA_INFO_TX_FAILED, 2);
    put_u32(&m, NL80211_STA_INFO_BEACON_LOSS, 1);
    nest_start(&m, NL80211_STA_INFO_RX_BITRATE);
    put_u16(&m, NL80211_RATE_INFO_BITRATE, 540);
    put_u32(&m, NL80211_RATE_INFO_BITRATE32, 8667);
    nest_end(&m);
    nest_start(&m, NL80211_STA_INFO_TX_BITRATE);
    put_u16(&m, NL80211_RATE_INFO_BITRATE, 65);
    nest_end(&m);
    nest_end(&m);
    ASSERT_OK(node_wifi_station_msg(msg_done(&m), &c));
    ASSERT_EQ(c.n_st, 1);
    const node_wifi_station *s = &c.st[0];
    ASSERT_STR_EQ(s->mac, "00:11:22:33:44:55");
    ASSERT_EQ(s->iface, 0);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_CONNECTED], 3600);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_INACTIVE], 0.25);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_RX_BYTES], 5e9);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_TX_BYTES], 1234);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_SIGNAL], -52);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_RX_BITRATE], 866.7e6);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_TX_BITRATE], 6.5e6);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_RETRIES], 11);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_FAILED], 2);
    ASSERT_DBL_EQ(s->v[NODE_WIFI_BEACON_LOSS], 1);
    /* a station reply without station information */
    msg_start(&m, FAMILY, NL80211_CMD_NEW_STATION);
    put(&m, NL80211_ATTR_MAC, mac0, 6);
    ASSERT_EQ(node_wifi_station_msg(msg_done(&m), &c), -ENOENT);
    ASSERT_EQ(c.n_st, 1);
    /* an attribute claiming more than the message holds ends the walk, nothing read past it */
    msg_start(&m, FAMILY, NL80211_CMD_NEW_INTERFACE);
    put(&m, NL80211_ATTR_IFNAME, "wlan9", 6);
    ((struct nlattr *)(m.u.b + NLMSG_LENGTH(GENL_HDRLEN)))->nla_len = 200;
    ASSERT_OK(node_wifi_iface_msg(msg_done(&m), &c));
    ASSERT_EQ(c.n_ifs, 3);
    ASSERT_STR_EQ(c.ifs[2].name, "");
    free(c.ifs);
    free(c.st);
    TEST_DONE();
}
