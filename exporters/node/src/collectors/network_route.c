/* network_route: unicast routes of every table and family from an
 * RTM_GETROUTE dump, as node_exporter 1.5 reports them. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <exporter/emit.h>
#include "netlink_dump.h"
#include "util.h"

#define MAX_ROUTES 65536

typedef struct route {
    char dev[IF_NAMESIZE];
    char src[48], dest[56], gw[48];
    char priority[12], weight[8];
    const char *proto;
} route;

typedef struct route_ctx {
    route *r;
    size_t n, cap;
} route_ctx;

/* Go's net.IP String: dotted IPv4 (also for v4-mapped IPv6), RFC 5952 IPv6. */
static int ip_string(const void *p, size_t len, char *buf, size_t size) {
    const unsigned char *b = p;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (len == 16 && !memcmp(b, mapped, 12)) {
        b += 12;
        len = 4;
    }
    if (len == 4)
        return inet_ntop(AF_INET, b, buf, (socklen_t)size) ? 0 : -ENOSPC;
    if (len != 16)
        return -EINVAL;
    int r = omx_format_ip6(buf, size, b);
    return r < 0 ? r : 0;
}

static const char *proto_name(unsigned p) {
    /* the numbers of include/uapi/linux/rtnetlink.h node_exporter names */
    switch (p) {
    case 0: return "unspec";
    case 1: return "redirect";
    case 2: return "kernel";
    case 3: return "boot";
    case 4: return "static";
    case 8: return "gated";
    case 9: return "ra";
    case 10: return "mrt";
    case 11: return "zebra";
    case 12: return "bird";
    case 13: return "dnrouted";
    case 14: return "xorp";
    case 15: return "ntk";
    case 16: return "dhcp";
    case 17: return "mrouted";
    case 42: return "babel";
    case 186: return "bgp";
    case 187: return "isis";
    case 188: return "ospf";
    case 189: return "rip";
    case 192: return "eigrp";
    default: return "unknown";
    }
}

static route *add_route(route_ctx *c) {
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        if (cap > MAX_ROUTES)
            return NULL;
        route *r = realloc(c->r, cap * sizeof *r);
        if (!r)
            return NULL;
        c->r = r;
        c->cap = cap;
    }
    return &c->r[c->n++];
}

static void if_name(unsigned idx, char *buf) {
    if (!idx || !if_indextoname(idx, buf))
        buf[0] = '\0';
}

static int route_msg(const struct nlmsghdr *nh, void *arg) {
    route_ctx *c = arg;
    if (nh->nlmsg_type != RTM_NEWROUTE)
        return 0;
    if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
        return omx_bad_input("network_route", "rtnetlink", 0, "short RTM_NEWROUTE message");
    const struct rtmsg *rtm = NLMSG_DATA(nh);
    if (rtm->rtm_type != RTN_UNICAST)
        return 0;
    route base = {.proto = proto_name(rtm->rtm_protocol)};
    const struct rtattr *multipath = NULL;
    unsigned oif = 0;
    uint32_t prio = 0;
    bool have_dst = false;
    int alen = (int)RTM_PAYLOAD(nh), r = 0;
    for (const struct rtattr *a = RTM_RTA(rtm); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        size_t plen = RTA_PAYLOAD(a);
        switch (a->rta_type) {
        case RTA_DST:
            r = ip_string(RTA_DATA(a), plen, base.dest, sizeof base.dest);
            have_dst = true;
            break;
        case RTA_PREFSRC: r = ip_string(RTA_DATA(a), plen, base.src, sizeof base.src); break;
        case RTA_GATEWAY: r = ip_string(RTA_DATA(a), plen, base.gw, sizeof base.gw); break;
        case RTA_OIF:
        case RTA_PRIORITY:
            if (plen < 4)
                return omx_bad_input("network_route", "rtnetlink", 0, "short route attribute");
            uint32_t v;
            memcpy(&v, RTA_DATA(a), 4);
            if (a->rta_type == RTA_OIF)
                oif = v;
            else
                prio = v;
            break;
        case RTA_MULTIPATH: multipath = a; break;
        }
        if (r < 0)
            return omx_bad_input("network_route", "rtnetlink", 0, "bad address in a route");
    }
    if (rtm->rtm_dst_len == 0) {
        snprintf(base.dest, sizeof base.dest, "default");
    } else if (have_dst) {
        size_t l = strlen(base.dest);
        snprintf(base.dest + l, sizeof base.dest - l, "/%u", rtm->rtm_dst_len);
    }
    snprintf(base.priority, sizeof base.priority, "%u", prio);
    if (!multipath) {
        route *rt = add_route(c);
        if (!rt)
            return OMX_ENOMEM;
        *rt = base;
        if_name(oif, rt->dev);
        return 0;
    }
    /* one series per next hop: its device, gateway and weight (hops + 1) */
    int mlen = (int)RTA_PAYLOAD(multipath);
    const struct rtnexthop *nhp = RTA_DATA(multipath);
    while (mlen >= (int)sizeof *nhp) {
        if (nhp->rtnh_len < sizeof *nhp || nhp->rtnh_len > mlen)
            return omx_bad_input("network_route", "rtnetlink", 0,
                                 "bad next hop in a multipath route");
        route *rt = add_route(c);
        if (!rt)
            return OMX_ENOMEM;
        *rt = base;
        rt->gw[0] = '\0';
        if_name((unsigned)nhp->rtnh_ifindex, rt->dev);
        snprintf(rt->weight, sizeof rt->weight, "%u", nhp->rtnh_hops + 1u);
        int hlen = (int)nhp->rtnh_len - (int)RTNH_LENGTH(0);
        for (const struct rtattr *a = RTNH_DATA(nhp); RTA_OK(a, hlen); a = RTA_NEXT(a, hlen))
            if (a->rta_type == RTA_GATEWAY &&
                ip_string(RTA_DATA(a), RTA_PAYLOAD(a), rt->gw, sizeof rt->gw) < 0)
                return omx_bad_input("network_route", "rtnetlink", 0, "bad next hop gateway");
        mlen -= RTNH_ALIGN(nhp->rtnh_len);
        nhp = RTNH_NEXT(nhp);
    }
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    struct {
        struct nlmsghdr nh;
        struct rtmsg rtm;
    } req = {.nh = {.nlmsg_len = sizeof req,
                    .nlmsg_type = RTM_GETROUTE,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                    .nlmsg_seq = 1},
             .rtm = {.rtm_family = AF_UNSPEC}};
    route_ctx c = {0};
    int r = node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, route_msg, &c);
    if (r < 0)
        goto out;
    static const char *const info_labels[] = {"device",   "src",   "dest",  "gw",
                                              "priority", "proto", "weight"};
    const omx_desc info = {.name = "node_network_route_info",
                           .help = "network routing table information",
                           .type = OMX_GAUGE,
                           .label_names = info_labels,
                           .n_labels = 7};
    if ((r = omx_emit_family(e, &info)) < 0)
        goto out;
    for (size_t i = 0; i < c.n; i++) {
        const route *rt = &c.r[i];
        const char *lv[] = {rt->dev,      rt->src,   rt->dest,  rt->gw,
                            rt->priority, rt->proto, rt->weight};
        if ((r = omx_emit_sample(e, lv, 1)) < 0)
            goto out;
    }
    static const char *const dev_labels[] = {"device"};
    const omx_desc routes = {.name = "node_network_routes",
                             .help = "network routes by interface",
                             .type = OMX_GAUGE,
                             .label_names = dev_labels,
                             .n_labels = 1};
    if ((r = omx_emit_family(e, &routes)) < 0)
        goto out;
    for (size_t i = 0; i < c.n; i++) {
        bool seen = false;
        size_t count = 0;
        for (size_t j = 0; j < c.n; j++)
            if (!strcmp(c.r[j].dev, c.r[i].dev)) {
                if (j < i) {
                    seen = true;
                    break;
                }
                count++;
            }
        const char *lv[] = {c.r[i].dev};
        if (!seen && (r = omx_emit_sample(e, lv, (double)count)) < 0)
            goto out;
    }
    r = 0;
out:
    free(c.r);
    return r;
}

const node_collector node_collector_network_route = {
    .name = "network_route",
    .enabled_by_default = false,
    .collect = collect,
};
