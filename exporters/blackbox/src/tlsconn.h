/* A TLS client over a connected socket with GnuTLS, bounded by the probe's
 * deadline: for tcp (tls and starttls), dns over TLS and udp if needed. */
#ifndef BB_TLSCONN_H
#define BB_TLSCONN_H

#include <gnutls/gnutls.h>
#include <stddef.h>
#include <sys/types.h>

#include "prober.h"

typedef struct bb_tlsconn bb_tlsconn;

/* Handshakes on fd (borrowed, non-blocking) with cfg; server_name falls back
 * to cfg->server_name, then to host. Verifies unless insecure_skip_verify.
 * Returns 0 (the caller frees *ret with bb_tlsconn_free), or a negative code
 * after bb_logf. */
int bb_tlsconn_start(bb_probe *p, int fd, const bb_tls_config *cfg, const char *host,
                     bb_tlsconn **ret);
gnutls_session_t bb_tlsconn_session(bb_tlsconn *c);
/* Reads/writes until the deadline: bytes moved, 0 at EOF (read), or a negative code. */
ssize_t bb_tlsconn_read(bb_probe *p, bb_tlsconn *c, void *buf, size_t len);
ssize_t bb_tlsconn_write(bb_probe *p, bb_tlsconn *c, const void *buf, size_t len);
/* Sends close_notify (bounded by the deadline) and frees. Accepts NULL; returns NULL. */
bb_tlsconn *bb_tlsconn_free(bb_probe *p, bb_tlsconn *c);

#endif
