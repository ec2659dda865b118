/* Sockets for the tcp, udp and icmp probers: non-blocking, close-on-exec,
 * bound to source_ip_address when given, every wait bounded by the probe's
 * deadline. */
#ifndef BB_NETSOCK_H
#define BB_NETSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "prober.h"

/* Opens a socket of family/type/proto, bound to source_ip (NULL: none, an
 * IPv4 or IPv6 literal of that family otherwise). Returns the descriptor
 * (the caller closes it) or a negative code after bb_logf. */
int bb_net_socket(bb_probe *p, int family, int type, int proto, const char *source_ip);
/* Binds fd to source_ip (NULL or "": nothing to do). Returns 0 or a negative
 * code after bb_logf. */
int bb_net_bind_source(bb_probe *p, int fd, int family, const char *source_ip);
/* Connects fd to sa before the deadline. Returns 0 or a negative code after bb_logf. */
int bb_net_connect(bb_probe *p, int fd, const struct sockaddr *sa, socklen_t len);
/* Writes all len bytes to a stream socket before the deadline (no SIGPIPE):
 * 0 or a negative code. */
int bb_net_write_all(bb_probe *p, int fd, const void *buf, size_t len);
/* The numeric address of sa ("127.0.0.1", "::1") into buf. */
const char *bb_net_addr_str(const struct sockaddr *sa, char *buf, size_t size);

#endif
