/* Socket sources logtail listens on: unix:///path and tcp://host:port
 * (every connection a stream of lines), unixgram:///path and udp://host:port
 * (every datagram one or more lines). A line is handed on as it came, syslog
 * header included. */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "exporter/app.h"
#include "internal.h"

#define LT_DGRAM_MAX 65536

static const struct {
    const char *scheme;
    int domain, type;
} schemes[] = {
    {"unix://", AF_UNIX, SOCK_STREAM},
    {"unixgram://", AF_UNIX, SOCK_DGRAM},
    {"tcp://", AF_UNSPEC, SOCK_STREAM},
    {"udp://", AF_UNSPEC, SOCK_DGRAM},
};

bool lt__is_socket_spec(const char *spec) {
    for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
        if (strncmp(spec, schemes[i].scheme, strlen(schemes[i].scheme)) == 0)
            return true;
    return false;
}

static int bind_unix(const char *path, int type, int *ret_fd) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!*path || strlen(path) >= sizeof sa.sun_path)
        return OMX_EINVAL;
    strcpy(sa.sun_path, path);
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path); /* a stale socket of an earlier run */
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
        (type == SOCK_STREAM && listen(fd, 64) < 0)) {
        int e = -errno;
        close(fd);
        return e;
    }
    *ret_fd = fd;
    return 0;
}

static int bind_inet(const char *hostport, int type, int *ret_fd) {
    char host[256];
    const char *colon = strrchr(hostport, ':');
    if (!colon || !colon[1] || (size_t)(colon - hostport) >= sizeof host)
        return OMX_EINVAL;
    size_t hl = (size_t)(colon - hostport);
    memcpy(host, hostport, hl);
    host[hl] = '\0';
    char *h = host;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = '\0';
        h++;
    }
    struct addrinfo hints = {.ai_socktype = type, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(*h ? h : NULL, colon + 1, &hints, &res);
    if (g != 0)
        return OMX_EINVAL;
    int rc = -EADDRNOTAVAIL;
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            rc = -errno;
            continue;
        }
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
            (type != SOCK_STREAM || listen(fd, 64) == 0)) {
            *ret_fd = fd;
            rc = 0;
            break;
        }
        rc = -errno;
        close(fd);
    }
    freeaddrinfo(res);
    return rc;
}

int lt__socket_add(lt_inputs *in, const char *spec) {
    size_t i = 0;
    while (strncmp(spec, schemes[i].scheme, strlen(schemes[i].scheme)) != 0)
        i++;
    const char *rest = spec + strlen(schemes[i].scheme);
    int fd = -1;
    int rc = schemes[i].domain == AF_UNIX ? bind_unix(rest, schemes[i].type, &fd)
                                          : bind_inet(rest, schemes[i].type, &fd);
    if (rc < 0)
        return rc;
    lt_listener *l = calloc(1, sizeof *l);
    lt_listener **v = realloc(in->listeners, (in->n_listeners + 1) * sizeof *v);
    if (v)
        in->listeners = v;
    if (!l || !v || !(l->name = strdup(spec)) ||
        (schemes[i].domain == AF_UNIX && !(l->unlink_path = strdup(rest)))) {
        if (l)
            free(l->name);
        free(l);
        close(fd);
        return -ENOMEM;
    }
    l->kind = schemes[i].type == SOCK_STREAM ? LT_K_LISTEN : LT_K_DGRAM;
    l->fd = fd;
    lt_stats_source(&in->stats, spec, false, &l->st);
    in->listeners[in->n_listeners++] = l;
    if ((rc = lt__epoll_add(in, fd, l)) < 0)
        return rc;
    omx_gauge_inc(in->stats.count_all);
    return 0;
}

static void conn_close(lt_inputs *in, lt_conn *c, bool flush) {
    if (flush)
        lt__flush(in, &c->split, c->l->name, &c->l->st);
    lt__epoll_del(in, c->fd);
    close(c->fd);
    lt_split_free(&c->split);
    if (c->prev)
        c->prev->next = c->next;
    else
        in->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->l->n_conns--;
    free(c);
}

static void accept_all(lt_inputs *in, lt_listener *l) {
    for (int k = 0; k < 64; k++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        lt_conn *c = l->n_conns < in->o.max_connections ? calloc(1, sizeof *c) : NULL;
        if (!c) {
            omx_counter_inc(l->st.dropped);
            close(fd);
            continue;
        }
        c->kind = LT_K_CONN;
        c->fd = fd;
        c->l = l;
        lt_split_init(&c->split, in->o.max_line);
        if (lt__epoll_add(in, fd, c) < 0) {
            close(fd);
            free(c);
            continue;
        }
        c->next = in->conns;
        if (c->next)
            c->next->prev = c;
        in->conns = c;
        l->n_conns++;
    }
}

/* One datagram: its lines, and a last one without '\n'. */
static void read_dgrams(lt_inputs *in, lt_listener *l) {
    for (int k = 0; k < 256; k++) {
        ssize_t n = recv(l->fd, in->rbuf, LT_DGRAM_MAX, MSG_TRUNC);
        if (n < 0)
            return;
        in->now_ns = lt__now_ns();
        size_t len = (size_t)n > LT_DGRAM_MAX ? LT_DGRAM_MAX : (size_t)n;
        if ((size_t)n > LT_DGRAM_MAX)
            omx_counter_inc(l->st.cut);
        size_t max = in->o.max_line ? in->o.max_line : (1u << 20);
        const char *p = in->rbuf, *end = in->rbuf + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
            size_t take = ln > max ? max : ln;
            if (take && p[take - 1] == '\r' && take == ln)
                take--;
            if (ln > max)
                lt__deliver(in, l->name, &l->st, p, take, true);
            else if (ln || nl)
                lt__deliver(in, l->name, &l->st, p, take, false);
            p = nl ? nl + 1 : end;
        }
    }
}

void lt__listener_ready(lt_inputs *in, lt_listener *l) {
    if (l->kind == LT_K_LISTEN)
        accept_all(in, l);
    else
        read_dgrams(in, l);
}

void lt__conn_ready(lt_inputs *in, lt_conn *c) {
    int r = lt__read_fd(in, c->fd, &c->split, c->l->name, &c->l->st, NULL, LT_TURN_BYTES);
    if (r != 0)
        conn_close(in, c, true);
}

void lt__sockets_free(lt_inputs *in) {
    while (in->conns)
        conn_close(in, in->conns, false);
    for (size_t i = 0; i < in->n_listeners; i++) {
        lt_listener *l = in->listeners[i];
        close(l->fd);
        if (l->unlink_path)
            unlink(l->unlink_path);
        free(l->unlink_path);
        free(l->name);
        free(l);
    }
    free(in->listeners);
    in->listeners = NULL;
    in->n_listeners = 0;
}
