/* bb-bench-target PORT: the fast local target of bench/blackbox.sh. Answers
 * every HTTP request with 200 "ok" (keep-alive unless asked to close) and
 * holds any other TCP connection until the peer closes. One thread, poll(). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 1024

typedef struct conn {
    int fd;
    size_t len;
    char buf[4096];
} conn;

static conn conns[MAX_CONNS];
static struct pollfd pfds[MAX_CONNS + 1];

static void answer(conn *c) {
    static const char resp[] =
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
    char *end;
    while ((end = memmem(c->buf, c->len, "\r\n\r\n", 4))) {
        size_t used = (size_t)(end + 4 - c->buf);
        bool close_after = memmem(c->buf, used, "onnection: close", 16) != NULL;
        if (write(c->fd, resp, sizeof resp - 1) < 0 || close_after) {
            close(c->fd);
            c->fd = -1;
            return;
        }
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
    if (c->len == sizeof c->buf) { /* not HTTP: drop what came */
        c->len = 0;
    }
}

int main(int argc, char **argv) {
    if (argc != 2)
        return 2;
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)atoi(argv[1])),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 1024) < 0) {
        perror("bb-bench-target");
        return 1;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;
    for (;;) {
        int n = 0;
        pfds[n++] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++)
            pfds[n++] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
        if (poll(pfds, (nfds_t)n, -1) < 0 && errno != EINTR)
            return 1;
        if (pfds[0].revents & POLLIN) {
            int fd = accept(ls, NULL, NULL);
            int i = 0;
            while (fd >= 0 && i < MAX_CONNS && conns[i].fd >= 0)
                i++;
            if (fd >= 0 && i == MAX_CONNS)
                close(fd);
            else if (fd >= 0) {
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                conns[i].fd = fd;
                conns[i].len = 0;
            }
        }
        for (int i = 0; i < MAX_CONNS; i++) {
            conn *c = &conns[i];
            if (c->fd < 0 || !(pfds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
            if (r <= 0) {
                close(c->fd);
                c->fd = -1;
                continue;
            }
            c->len += (size_t)r;
            answer(c);
        }
    }
}
