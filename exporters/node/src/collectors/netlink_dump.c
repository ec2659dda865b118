/* The netlink dump loop shared by netdev, netclass and udp_queues, and the
 * RTM_NEWLINK parsing netdev and netclass share (see netlink_dump.h). */
#include "netlink_dump.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <exporter/error.h>

#define NL_BUF 32768 /* a dump batch is at most a page or two; room to spare */

int node_netlink_dump(int proto, const void *req, size_t len, node_nl_msg_fn fn, void *ctx) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
    if (fd < 0)
        return -errno;
    struct timeval tv = {.tv_sec = 2};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    int r = 0;
    char *buf = malloc(NL_BUF);
    if (!buf) {
        r = -ENOMEM;
        goto out;
    }
    if (sendto(fd, req, len, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
        r = -errno;
        goto out;
    }
    for (;;) {
        ssize_t n = recv(fd, buf, NL_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            r = n < 0 ? -errno : -EIO;
            goto out;
        }
        for (struct nlmsghdr *nh = (struct nlmsghdr *)(void *)buf; NLMSG_OK(nh, (size_t)n);
             nh = NLMSG_NEXT(nh, n)) {
            if (nh->nlmsg_type == NLMSG_DONE)
                goto out;
            if (nh->nlmsg_type == NLMSG_ERROR) {
                /* the kernel's -errno, when the message is whole and carries one */
                const struct nlmsgerr *ne = NLMSG_DATA(nh);
                r = nh->nlmsg_len >= NLMSG_LENGTH(sizeof *ne) && ne->error < 0 &&
                            ne->error >= -OMX_ERRNO_MAX
                        ? ne->error
                        : -EPROTONOSUPPORT;
                goto out;
            }
            if ((r = fn(nh, ctx)) < 0)
                goto out;
        }
    }
out:
    free(buf);
    close(fd);
    return r;
}

int node_netlink_dump_links(node_nl_msg_fn fn, void *ctx) {
    struct {
        struct nlmsghdr nh;
        struct ifinfomsg ifi;
    } req = {.nh = {.nlmsg_len = sizeof req,
                    .nlmsg_type = RTM_GETLINK,
                    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                    .nlmsg_seq = 1},
             .ifi = {.ifi_family = AF_UNSPEC}};
    return node_netlink_dump(NETLINK_ROUTE, &req, sizeof req, fn, ctx);
}

bool node_link_stats(const struct nlmsghdr *nh, const char **ret_name,
                     struct rtnl_link_stats64 *ret_stats) {
    if (nh->nlmsg_type != RTM_NEWLINK || nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
        return false;
    const struct ifinfomsg *ifi = NLMSG_DATA(nh);
    int alen = (int)IFLA_PAYLOAD(nh);
    const char *name = NULL;
    const void *st = NULL;
    for (const struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
        if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0 &&
            memchr(RTA_DATA(a), 0, RTA_PAYLOAD(a)))
            name = RTA_DATA(a);
        else if (a->rta_type == IFLA_STATS64 && RTA_PAYLOAD(a) >= sizeof *ret_stats)
            st = RTA_DATA(a);
    }
    if (!name || !st || strlen(name) > NODE_IFNAMSIZ)
        return false;
    *ret_name = name;
    memcpy(ret_stats, st, sizeof *ret_stats);
    return true;
}
