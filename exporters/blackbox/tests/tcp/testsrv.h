/* Servers for prober tests: a thread accepting one connection on 127.0.0.1
 * (or ::1) and handing it to a function, and a self-signed certificate made
 * at run time for TLS servers. */
#ifndef BB_TESTSRV_H
#define BB_TESTSRV_H

#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdbool.h>

typedef struct testsrv testsrv;
typedef void testsrv_fn(int fd, void *ctx);

struct testsrv {
    int lfd;
    int port;
    pthread_t thread;
    testsrv_fn *fn;
    void *ctx;
};

/* Listens on addr ("127.0.0.1" or "::1") on a free port; the thread accepts
 * one connection, runs fn(fd, ctx), closes fd. */
void testsrv_start(testsrv *s, const char *addr, testsrv_fn *fn, void *ctx);
/* Joins the thread and closes the listener. */
void testsrv_stop(testsrv *s);

/* A self-signed certificate for "localhost" and 127.0.0.1 valid for a day
 * (or expired a day ago), written as PEM to cert_path and key_path. */
void testcert_make(const char *cert_path, const char *key_path, bool expired);
/* Server credentials from those files. */
gnutls_certificate_credentials_t testcert_server_cred(const char *cert_path, const char *key_path);
/* Runs a blocking server-side handshake on fd; with require_client the
 * client must present a certificate cred trusts. True when it worked. */
bool testcert_accept(int fd, gnutls_certificate_credentials_t cred, bool require_client,
                     gnutls_session_t *ret);

/* Reads one line (without "\n") of at most size-1 bytes; false at EOF. */
bool testsrv_read_line(int fd, char *buf, size_t size);
void testsrv_write(int fd, const char *s);

#endif
