/* The accept loop and connection deadlines (see http-accept.h). One thread:
 * epoll on the listening sockets and a wake-up eventfd, with a 100 ms tick for
 * the deadline sweep. The per-descriptor table is indexed by fd and guarded by
 * one mutex; libmicrohttpd's thread updates it through the conn_* calls. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "exporter/log.h"
#include "http-accept.h"
#include "http-peers.h"

#define SWEEP_MS 100
/* After a failed accept (out of descriptors, mostly) the listening sockets
 * rest, 5 ms doubling to 1 s as Go's server does: they stay readable, so
 * retrying at once would spin. */
#define BACKOFF_MIN_MS 5
#define BACKOFF_MAX_MS 1000
#define ACCEPT_BURST 64     /* accepts per wake-up, so the sweep still runs */
#define MAX_TABLE (1 << 20) /* descriptors tracked; beyond are refused */

/* SLOT_PEEK: a TLS connection the acceptor holds until its first byte;
 * SLOT_MHD: libmicrohttpd's. */
enum { SLOT_FREE, SLOT_PEEK, SLOT_MHD };
#define PEEK_EVENT (1ull << 40) /* epoll data: a SLOT_PEEK descriptor, not a listener */

/* A socket's inode number names it: a descriptor number is reused as soon as
 * it is closed, an inode only after the socket is gone. Every check compares
 * it, so a late callback or a sweep never acts on a newer connection (or on a
 * descriptor the program opened meanwhile). The one window left is between the
 * sweep's fstat and its shutdown, should libmicrohttpd close that very
 * connection then and another thread get a socket on the same number. */
typedef struct slot {
    int64_t deadline_ns; /* 0: none (a handler runs) */
    uint64_t ino;
    omx__peer *peer; /* its address's count, with --web.max-connections-per-ip */
    uint8_t state;
} slot;

struct omx__acceptor {
    omx__accept_opts o;
    int fds[16];
    int ep, wake;
    pthread_t thread;
    bool running;
    int backoff_ms;    /* 0: accepting */
    int64_t resume_ns; /* while backing off: when to try again */
    int64_t next_limit_log, next_peer_log;

    pthread_mutex_t mu;
    slot *tab;
    int n_tab, hi; /* table size; highest fd in use + 1 */
    long live;
    omx__peers *peers; /* NULL: no per-address limit */
};

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t fd_ino(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) ? (uint64_t)st.st_ino : 0;
}

/* With mu held. */
static void slot_free(omx__acceptor *a, int fd) {
    if (a->tab[fd].state != SLOT_FREE) {
        omx__peers_del(a->peers, a->tab[fd].peer);
        a->tab[fd] = (slot){0};
        a->live--;
    }
}

static slot *slot_of(omx__acceptor *a, int fd, void *tag) {
    if (fd < 0 || fd >= a->n_tab || a->tab[fd].state != SLOT_MHD ||
        a->tab[fd].ino != (uint64_t)(uintptr_t)tag)
        return NULL;
    return &a->tab[fd];
}

void *omx__acceptor_conn_started(omx__acceptor *a, int fd) {
    void *tag = NULL;
    if (!a || fd < 0 || fd >= a->n_tab)
        return NULL;
    pthread_mutex_lock(&a->mu);
    if (a->tab[fd].state == SLOT_MHD)
        tag = (void *)(uintptr_t)a->tab[fd].ino;
    pthread_mutex_unlock(&a->mu);
    return tag;
}

void omx__acceptor_conn_closed(omx__acceptor *a, int fd, void *tag) {
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    if (slot_of(a, fd, tag))
        slot_free(a, fd);
    pthread_mutex_unlock(&a->mu);
}

void omx__acceptor_conn_busy(omx__acceptor *a, int fd, void *tag) {
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    slot *s = slot_of(a, fd, tag);
    if (s)
        s->deadline_ns = 0;
    pthread_mutex_unlock(&a->mu);
}

void omx__acceptor_conn_deadline(omx__acceptor *a, int fd, void *tag, int64_t timeout_ns) {
    if (!a)
        return;
    pthread_mutex_lock(&a->mu);
    slot *s = slot_of(a, fd, tag);
    if (s)
        s->deadline_ns = now_ns() + timeout_ns;
    pthread_mutex_unlock(&a->mu);
}

/* Closes a connection the acceptor still holds (acceptor thread only). */
static void drop_peek(omx__acceptor *a, int c) {
    epoll_ctl(a->ep, EPOLL_CTL_DEL, c, NULL);
    pthread_mutex_lock(&a->mu);
    slot_free(a, c);
    pthread_mutex_unlock(&a->mu);
    close(c);
}

/* Shuts down the connections past their deadline: the read in libmicrohttpd
 * (or GnuTLS, mid-handshake) then sees the end of the stream and closes it. */
static void sweep(omx__acceptor *a) {
    int64_t now = now_ns();
    pthread_mutex_lock(&a->mu);
    for (int fd = 0; fd < a->hi; fd++) {
        slot *s = &a->tab[fd];
        if (s->state == SLOT_FREE || !s->deadline_ns || now < s->deadline_ns)
            continue;
        if (fd_ino(fd) != s->ino) {
            slot_free(a, fd); /* closed without a callback: forget it */
            continue;
        }
        if (s->state == SLOT_PEEK) {
            /* Ours: never sent a byte. */
            epoll_ctl(a->ep, EPOLL_CTL_DEL, fd, NULL);
            slot_free(a, fd);
            close(fd);
            continue;
        }
        s->deadline_ns = 0;
        shutdown(fd, SHUT_RDWR);
    }
    while (a->hi > 0 && a->tab[a->hi - 1].state == SLOT_FREE)
        a->hi--;
    pthread_mutex_unlock(&a->mu);
}

/* Gives connection c (slot made, state SLOT_MHD) to libmicrohttpd. */
static void give_to_mhd(omx__acceptor *a, int c, uint64_t ino) {
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getpeername(c, (struct sockaddr *)&ss, &sl) < 0) {
        memset(&ss, 0, sizeof ss);
        ss.ss_family = AF_INET;
        sl = sizeof(struct sockaddr_in);
    }
    if (MHD_add_connection(a->o.daemon, c, (struct sockaddr *)&ss, sl) != MHD_YES) {
        /* libmicrohttpd closed it (limit reached, no memory). */
        pthread_mutex_lock(&a->mu);
        if (a->tab[c].ino == ino)
            slot_free(a, c);
        pthread_mutex_unlock(&a->mu);
    }
}

/* Takes a new connection: its slot first (so libmicrohttpd's started
 * callback finds it), then to libmicrohttpd, or for TLS to the watch for its
 * first byte. */
static void admit(omx__acceptor *a, int c, const struct sockaddr *sa, socklen_t sl) {
    uint64_t ino = fd_ino(c);
    omx__peer *peer = NULL;
    pthread_mutex_lock(&a->mu);
    if (c >= a->n_tab || a->live >= a->o.max_conns || !ino) {
        pthread_mutex_unlock(&a->mu);
        close(c);
        int64_t now = now_ns();
        if (now >= a->next_limit_log) { /* at most once a second */
            char lim[24];
            snprintf(lim, sizeof lim, "%ld", a->o.max_conns);
            omx_log(OMX_LOG_WARN, "connection limit reached, closing new connections", "limit", lim,
                    NULL);
            a->next_limit_log = now + 1000000000;
        }
        return;
    }
    if (a->tab[c].state != SLOT_FREE)
        slot_free(a, c); /* its connection went without a callback */
    if (a->peers && !(peer = omx__peers_add(a->peers, sa, sl, (unsigned)a->o.max_per_ip))) {
        pthread_mutex_unlock(&a->mu);
        close(c);
        int64_t now = now_ns();
        if (now >= a->next_peer_log) { /* at most once a second */
            char lim[24];
            snprintf(lim, sizeof lim, "%ld", a->o.max_per_ip);
            omx_log(OMX_LOG_WARN, "per-address connection limit reached, closing new connections",
                    "limit", lim, NULL);
            a->next_peer_log = now + 1000000000;
        }
        return;
    }
    a->tab[c] = (slot){.deadline_ns = now_ns() + a->o.header_timeout_ns,
                       .ino = ino,
                       .peer = peer,
                       .state = a->o.tls ? SLOT_PEEK : SLOT_MHD};
    a->live++;
    if (c >= a->hi)
        a->hi = c + 1;
    pthread_mutex_unlock(&a->mu);
    if (!a->o.tls) {
        give_to_mhd(a, c, ino);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.u64 = PEEK_EVENT | (uint64_t)c};
    if (epoll_ctl(a->ep, EPOLL_CTL_ADD, c, &ev) < 0)
        drop_peek(a, c);
}

/* Go's answer to plain HTTP on a TLS port. */
static const char plain_http_reply[] =
    "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n";

/* The first byte of a TLS connection arrived (or the peer left): a TLS record
 * (handshake, 0x16) goes to libmicrohttpd; what starts like an HTTP method
 * gets the 400 above; anything else is closed. */
static void peeked(omx__acceptor *a, int c) {
    unsigned char b;
    pthread_mutex_lock(&a->mu);
    bool ours = c < a->n_tab && a->tab[c].state == SLOT_PEEK;
    pthread_mutex_unlock(&a->mu);
    if (!ours)
        return; /* an event from before the descriptor changed hands */
    ssize_t n = recv(c, &b, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n == 1 && b == 0x16) {
        epoll_ctl(a->ep, EPOLL_CTL_DEL, c, NULL);
        pthread_mutex_lock(&a->mu);
        a->tab[c].state = SLOT_MHD;
        uint64_t ino = a->tab[c].ino;
        pthread_mutex_unlock(&a->mu);
        give_to_mhd(a, c, ino);
        return;
    }
    if (n == 1 && b >= 'A' && b <= 'Z') {
        /* Read what came (the request) so that closing does not reset the
         * connection before the client has read the answer. */
        char junk[4096];
        for (int i = 0; i < 16 && recv(c, junk, sizeof junk, MSG_DONTWAIT) > 0; i++)
            ;
        if (send(c, plain_http_reply, sizeof plain_http_reply - 1, MSG_NOSIGNAL | MSG_DONTWAIT) > 0)
            shutdown(c, SHUT_WR);
    }
    drop_peek(a, c);
}

/* Accepts what is pending on listening socket lfd. Returns 0, or the errno
 * of a failure that is not the queue running empty. */
static int accept_some(omx__acceptor *a, int lfd) {
    for (int i = 0; i < ACCEPT_BURST; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int c = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (c < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ||
                errno == ECONNABORTED || errno == EPROTO)
                return 0;
            return errno;
        }
        a->backoff_ms = 0; /* descriptors are back */
        admit(a, c, (struct sockaddr *)&ss, sl);
    }
    return 0;
}

/* Stops (events 0) or restarts watching the listening sockets. */
static void listen_events(omx__acceptor *a, uint32_t events) {
    for (int i = 0; i < a->o.n_fds; i++) {
        struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)i};
        epoll_ctl(a->ep, EPOLL_CTL_MOD, a->fds[i], &ev);
    }
}

static void back_off(omx__acceptor *a, int err) {
    char delay[24];
    a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (a->backoff_ms > BACKOFF_MAX_MS)
        a->backoff_ms = BACKOFF_MAX_MS;
    a->resume_ns = now_ns() + a->backoff_ms * 1000000LL;
    listen_events(a, 0);
    snprintf(delay, sizeof delay, "%dms", a->backoff_ms);
    omx_log(OMX_LOG_ERROR, "accept error, retrying", "err", strerror(err), "delay", delay, NULL);
}

static void *accept_loop(void *arg) {
    omx__acceptor *a = arg;
    int64_t next_sweep = now_ns() + SWEEP_MS * 1000000LL;

    for (;;) {
        struct epoll_event ev[16];
        int64_t wake = a->resume_ns && a->resume_ns < next_sweep ? a->resume_ns : next_sweep;
        int64_t left = (wake - now_ns() + 999999) / 1000000;
        int n = epoll_wait(a->ep, ev, 16, left < 0 ? 0 : (int)left);
        for (int i = 0; i < n; i++) {
            if (ev[i].data.u64 == UINT64_MAX)
                return NULL; /* stop */
            if (ev[i].data.u64 & PEEK_EVENT) {
                peeked(a, (int)(ev[i].data.u64 & ~PEEK_EVENT));
                continue;
            }
            if (a->resume_ns)
                continue; /* backing off: an event from before the pause */
            int rc = accept_some(a, a->fds[ev[i].data.u64]);
            if (rc)
                back_off(a, rc);
        }
        if (a->resume_ns && now_ns() >= a->resume_ns) {
            a->resume_ns = 0;
            listen_events(a, EPOLLIN);
        }
        if (now_ns() >= next_sweep) {
            sweep(a);
            next_sweep = now_ns() + SWEEP_MS * 1000000LL;
        }
    }
}

int omx__acceptor_start(const omx__accept_opts *o, omx__acceptor **out) {
    struct rlimit rl;
    omx__acceptor *a;
    int rc = 0;

    *out = NULL;
    if (!o || o->n_fds <= 0 || o->n_fds > 16 || !o->daemon || o->max_conns <= 0)
        return -EINVAL;
    a = calloc(1, sizeof *a);
    if (!a)
        return -ENOMEM;
    a->o = *o;
    memcpy(a->fds, o->fds, (size_t)o->n_fds * sizeof *a->fds);
    a->o.fds = a->fds;
    a->ep = a->wake = -1;
    a->n_tab = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < MAX_TABLE ? (int)rl.rlim_cur
                                                                             : MAX_TABLE;
    pthread_mutex_init(&a->mu, NULL);
    a->tab = calloc((size_t)a->n_tab, sizeof *a->tab);
    if (o->max_per_ip > 0 && !(a->peers = omx__peers_new()))
        rc = -ENOMEM;
    a->ep = epoll_create1(EPOLL_CLOEXEC);
    a->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (rc == 0 && (!a->tab || a->ep < 0 || a->wake < 0))
        rc = a->tab ? -errno : -ENOMEM;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
    if (rc == 0 && epoll_ctl(a->ep, EPOLL_CTL_ADD, a->wake, &ev) < 0)
        rc = -errno;
    for (int i = 0; rc == 0 && i < a->o.n_fds; i++) {
        int fl = fcntl(a->fds[i], F_GETFL);
        if (fl < 0 || fcntl(a->fds[i], F_SETFL, fl | O_NONBLOCK) < 0) { /* accept until EAGAIN */
            rc = -errno;
            break;
        }
        ev = (struct epoll_event){.events = EPOLLIN, .data.u64 = (uint64_t)i};
        if (epoll_ctl(a->ep, EPOLL_CTL_ADD, a->fds[i], &ev) < 0)
            rc = -errno;
    }
    if (rc == 0) {
        *out = a; /* before the thread: callbacks may read *out from its first accept */
        rc = -pthread_create(&a->thread, NULL, accept_loop, a);
        a->running = rc == 0;
    }
    if (rc != 0) {
        *out = NULL;
        a->o.n_fds = 0; /* the caller keeps its sockets */
        omx__acceptor_free(a);
        return rc;
    }
    return 0;
}

void omx__acceptor_stop(omx__acceptor *a) {
    if (!a)
        return;
    if (a->running) {
        uint64_t one = 1;
        if (write(a->wake, &one, sizeof one) < 0) {
            /* an eventfd write only fails on overflow: a wake-up is pending */
        }
        pthread_join(a->thread, NULL);
        a->running = false;
    }
    for (int i = 0; i < a->o.n_fds; i++)
        close(a->fds[i]);
    a->o.n_fds = 0;
    pthread_mutex_lock(&a->mu);
    for (int fd = 0; fd < a->hi; fd++)
        if (a->tab[fd].state == SLOT_PEEK) {
            slot_free(a, fd);
            close(fd);
        }
    pthread_mutex_unlock(&a->mu);
}

omx__acceptor *omx__acceptor_free(omx__acceptor *a) {
    if (!a)
        return NULL;
    omx__acceptor_stop(a);
    if (a->ep >= 0)
        close(a->ep);
    if (a->wake >= 0)
        close(a->wake);
    free(a->tab);
    omx__peers_free(a->peers);
    pthread_mutex_destroy(&a->mu);
    free(a);
    return NULL;
}
