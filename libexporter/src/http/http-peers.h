/* Connections per client address, for --web.max-connections-per-ip. Not
 * thread-safe: the caller holds its own lock. */
#ifndef OMX_HTTP_PEERS_H
#define OMX_HTTP_PEERS_H

#include <stddef.h>
#include <sys/socket.h>

typedef struct omx__peers omx__peers;
typedef struct omx__peer omx__peer;

/* Returns a new, empty set (owned by the caller), or NULL without memory. */
omx__peers *omx__peers_new(void);
/* Frees the set and its entries. Accepts NULL; returns NULL. */
omx__peers *omx__peers_free(omx__peers *p);
/* Counts one more connection from sa (IPv4, IPv6; an IPv4-mapped IPv6
 * address is its IPv4 one) unless that address has max already. Returns the
 * address's entry (owned by the set; give it back with omx__peers_del), or
 * NULL at the limit, for another address family, or without memory. */
omx__peer *omx__peers_add(omx__peers *p, const struct sockaddr *sa, socklen_t len, unsigned max);
/* One connection of e's address ended. Accepts NULL. */
void omx__peers_del(omx__peers *p, omx__peer *e);
/* Connections counted for sa now (0 if none). */
unsigned omx__peers_count(const omx__peers *p, const struct sockaddr *sa, socklen_t len);

#endif
