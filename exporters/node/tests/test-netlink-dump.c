/* omx-node: the netlink dump loop (netlink_dump.c) on the live kernel: an
 * RTM_GETLINK dump finds lo; a callback's error stops the dump with its code;
 * a request the kernel refuses and a netlink family that does not exist fail
 * cleanly. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collectors/netlink_dump.h"
#include "omx-test.h"

typedef struct links {
    int n;
    int lo_index; /* 0 until seen */
    unsigned max_seq;
    int stop_after; /* > 0: return -ECANCELED at that message */
} links;

static int on_link(const struct nlmsghdr *nh, void *ctx) {
    links *l = ctx;
    ASSERT_EQ(nh->nlmsg_type, RTM_NEWLINK);
    ASSERT(nh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)));
    l->n++;
    if (nh->nlmsg_seq > l->max_seq)
        l->max_seq = nh->nlmsg_seq;
    const struct ifinfomsg *ifi = NLMSG_DATA(nh);
    int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof *ifi));
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
        if (a->rta_type == IFLA_IFNAME && !strcmp(RTA_DATA(a), "lo"))
            l->lo_index = ifi->ifi_index;
    return l->stop_after > 0 && l->n >= l->stop_after ? -ECANCELED : 0;
}

typedef struct {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
} link_req;

static link_req getlink(unsigned seq) {
    return (link_req){
        .nh = {.nlmsg_len = sizeof(link_req),
               .nlmsg_type = RTM_GETLINK,
               .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
               .nlmsg_seq = seq},
        .ifi = {.ifi_family = AF_UNSPEC},
    };
}

int main(void) {
    link_req req = getlink(7);
    links l = {0};
    int r = node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, on_link, &l);
    if (r == -EPERM || r == -EACCES || r == -EAFNOSUPPORT) {
        printf("SKIP: no rtnetlink here (%s)\n", strerror(-r));
        return 77;
    }
    ASSERT_OK(r);
    ASSERT(l.n >= 1);
    ASSERT_EQ(l.lo_index, (int)if_nametoindex("lo"));
    ASSERT_EQ(l.max_seq, 7);

    /* the callback's error ends the dump at once, with its code */
    links stop = {.stop_after = 1};
    ASSERT_EQ(node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, on_link, &stop), -ECANCELED);
    ASSERT_EQ(stop.n, 1);

    /* the kernel answers a message type it does not know with NLMSG_ERROR: its -errno comes back */
    link_req bad = getlink(8);
    bad.nh.nlmsg_type = 0x7ff0;
    links none = {0};
    ASSERT_EQ(node_netlink_dump(NETLINK_ROUTE, &bad, sizeof bad, on_link, &none), -EOPNOTSUPP);
    ASSERT_EQ(none.n, 0);

    /* a netlink family that does not exist: the socket() error */
    r = node_netlink_dump(MAX_LINKS + 1, &req, sizeof req, on_link, &none);
    ASSERT_MSG(r == -EPROTONOSUPPORT || r == -EINVAL, "got %d", r);
    ASSERT_EQ(none.n, 0);

    /* a request too short to be a netlink message is refused by the kernel
     * (no reply: the 2 s receive timeout) or answered with an error */
    r = node_netlink_dump(NETLINK_ROUTE, &req, 4, on_link, &none);
    ASSERT_MSG(r < 0, "got %d", r);
    ASSERT_EQ(none.n, 0);
    TEST_DONE();
}
