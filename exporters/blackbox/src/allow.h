/* --probe.allowed-targets: which targets a probe may reach, checked after
 * name resolution. An entry is a CIDR ("10.0.0.0/8", "2001:db8::/32"), an
 * address, or a host pattern where '*' matches any run of characters
 * ("*.example.com"; case-insensitive, against the target's host as given). A
 * target is allowed when its resolved address is in a CIDR or its host matches
 * a pattern. */
#ifndef BB_ALLOW_H
#define BB_ALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

typedef struct bb_allow bb_allow;

/* Parses the entries (each may hold several, comma-separated). Returns 0 with
 * *ret (caller owns it; NULL when there is no entry: everything allowed), or
 * OMX_EINVAL with the bad entry named in err, or -ENOMEM. */
int bb_allow_parse(const char *const *specs, bb_allow **ret, char *err, size_t errlen);
bb_allow *bb_allow_free(bb_allow *a); /* accepts NULL; returns NULL */
/* Whether host (may be NULL) or addr (may be NULL) is allowed; a NULL a allows all. */
bool bb_allow_check(const bb_allow *a, const char *host, const struct sockaddr *addr);

#endif
