/* Non-blocking sockets with deadline-bounded waits (netsock.h). */
#include "netsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exporter/error.h"
#include "exporter/log.h"

const char *bb_net_addr_str(const struct sockaddr *sa, char *buf, size_t size) {
    const void *a = sa->sa_family == AF_INET6
                        ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                        : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
    if (!inet_ntop(sa->sa_family, a, buf, (socklen_t)size))
        snprintf(buf, size, "?");
    return buf;
}

int bb_net_bind_source(bb_probe *p, int fd, int family, const char *source_ip) {
    struct sockaddr_storage src = {0};
    socklen_t src_len = 0;
    if (!source_ip || !*source_ip)
        return 0;
    if (family == AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
        s4->sin_family = AF_INET;
        if (inet_pton(AF_INET, source_ip, &s4->sin_addr) == 1)
            src_len = sizeof *s4;
    } else {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&src;
        s6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, source_ip, &s6->sin6_addr) == 1)
            src_len = sizeof *s6;
    }
    if (!src_len) {
        bb_logf(p, OMX_LOG_ERROR, "source_ip_address %s is not an %s address", source_ip,
                family == AF_INET ? "IPv4" : "IPv6");
        return OMX_EINVAL;
    }
    bb_logf(p, OMX_LOG_DEBUG, "Using local address %s", source_ip);
    if (bind(fd, (struct sockaddr *)&src, src_len) < 0) {
        int e = -errno;
        bb_logf(p, OMX_LOG_ERROR, "cannot bind to source_ip_address %s: %s", source_ip,
                omx_strerror(e));
        return e;
    }
    return 0;
}

int bb_net_socket(bb_probe *p, int family, int type, int proto, const char *source_ip) {
    int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        int e = -errno;
        bb_logf(p, OMX_LOG_ERROR, "cannot create socket: %s", omx_strerror(e));
        return e;
    }
    int rc = bb_net_bind_source(p, fd, family, source_ip);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    return fd;
}

int bb_net_connect(bb_probe *p, int fd, const struct sockaddr *sa, socklen_t len) {
    char addr[INET6_ADDRSTRLEN];
    bb_net_addr_str(sa, addr, sizeof addr);
    int e = 0;
    if (connect(fd, sa, len) < 0) {
        e = -errno;
        if (e == -EINPROGRESS) {
            e = bb_wait_fd(p, fd, POLLOUT);
            if (e == 0) {
                int soerr = 0;
                socklen_t sl = sizeof soerr;
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
                    soerr = errno;
                e = -soerr;
            }
        }
    }
    if (e < 0)
        bb_logf(p, OMX_LOG_ERROR, "Error dialing %s: %s", addr,
                e == OMX_ETIMEOUT ? "timeout" : omx_strerror(e));
    return e;
}

int bb_net_write_all(bb_probe *p, int fd, const void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = send(fd, (const char *)buf + done, len - done, MSG_NOSIGNAL);
        if (n >= 0) {
            done += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = bb_wait_fd(p, fd, POLLOUT);
        if (rc < 0)
            return rc;
    }
    return 0;
}
