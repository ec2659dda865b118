/* The netlink dump loop shared by netdev and udp_queues (see netlink_dump.h). */
#include "netlink_dump.h"

#include <errno.h>
#include <stdlib.h>
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
