/* One netlink dump request and its reply loop, for the collectors that ask the
 * kernel over netlink (netdev's and netclass' RTM_GETLINK, udp_queues' SOCK_DIAG_BY_FAMILY). */
#ifndef NODE_NETLINK_DUMP_H
#define NODE_NETLINK_DUMP_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

#define NODE_IFNAMSIZ 16 /* IFNAMSIZ, without <net/if.h> (clashes with linux/if.h) */

struct rtnl_link_stats64;

/* Called for each message of the dump that is not NLMSG_DONE/NLMSG_ERROR;
 * returns 0 to go on or a negative code to stop the dump with it. */
typedef int (*node_nl_msg_fn)(const struct nlmsghdr *nh, void *ctx);

/* Sends req (len bytes, a struct nlmsghdr with NLM_F_DUMP, then the request)
 * on a new socket of the netlink family proto and feeds every reply message to
 * fn until NLMSG_DONE, with a 2 s receive timeout. Returns 0, the callback's
 * code, or -errno: the kernel's when it answers NLMSG_ERROR with one
 * (-EPROTONOSUPPORT when it does not say). */
int node_netlink_dump(int proto, const void *req, size_t len, node_nl_msg_fn fn, void *ctx);

/* node_netlink_dump of every link: RTM_GETLINK, AF_UNSPEC, on NETLINK_ROUTE. */
int node_netlink_dump_links(node_nl_msg_fn fn, void *ctx);

/* The name and IFLA_STATS64 of an RTM_NEWLINK message: true with *ret_name
 * (inside the message, NUL-terminated, at most NODE_IFNAMSIZ characters) and a
 * copy of the statistics in *ret_stats (attribute payloads may be unaligned);
 * false for other messages and links without both. */
bool node_link_stats(const struct nlmsghdr *nh, const char **ret_name,
                     struct rtnl_link_stats64 *ret_stats);

#endif
