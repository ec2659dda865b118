/* The server's own accept loop: it accepts on the listening sockets, hands each
 * connection to libmicrohttpd (MHD_add_connection) and keeps, per descriptor,
 * the deadline by which the connection must have sent its request headers
 * (counted from the accept, or from the end of the previous request on a
 * keep-alive connection). A timer shuts down connections past their deadline;
 * libmicrohttpd then closes them as it closes any connection whose peer left. */
#ifndef OMX_HTTP_ACCEPT_H
#define OMX_HTTP_ACCEPT_H

#include <stdbool.h>
#include <stdint.h>

struct MHD_Daemon;

typedef struct omx__acceptor omx__acceptor;

typedef struct omx__accept_opts {
    const int *fds; /* listening sockets; owned by the acceptor on success */
    int n_fds;
    struct MHD_Daemon *daemon; /* borrowed: gets every accepted connection */
    bool tls;                  /* the daemon speaks TLS */
    int64_t header_timeout_ns; /* accept (or previous request) to complete headers */
    int64_t idle_timeout_ns;   /* end of a request to complete headers of the next */
    long max_conns;            /* connections held at once; more are closed at accept */
    long max_per_ip;           /* the same from one client address; 0: no limit */
} omx__accept_opts;

/* Starts the accept thread. Returns 0 or a negative errno; *out (set before
 * the thread starts) is owned by the caller (omx__acceptor_free). On failure
 * the listening sockets stay the caller's. */
int omx__acceptor_start(const omx__accept_opts *o, omx__acceptor **out);
/* Stops accepting: joins the thread and closes the listening sockets and the
 * connections not yet handed over. Connections libmicrohttpd holds stay open. */
void omx__acceptor_stop(omx__acceptor *a);
/* Stops if needed and frees. Accepts NULL; returns NULL. */
omx__acceptor *omx__acceptor_free(omx__acceptor *a);

/* Called from libmicrohttpd's callbacks, any thread. fd is the connection's
 * descriptor; tag is what omx__acceptor_conn_started returned for it (kept in
 * the connection's socket context). */
void *omx__acceptor_conn_started(omx__acceptor *a, int fd);
void omx__acceptor_conn_closed(omx__acceptor *a, int fd, void *tag);
/* Headers complete and a handler runs: no deadline until it is done. */
void omx__acceptor_conn_busy(omx__acceptor *a, int fd, void *tag);
/* The connection must send complete headers within timeout_ns from now
 * (after a request: the idle timeout; while a body arrives: the header one). */
void omx__acceptor_conn_deadline(omx__acceptor *a, int fd, void *tag, int64_t timeout_ns);

#endif
