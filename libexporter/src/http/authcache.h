/* Remembered basic-auth outcomes, so neither a repeated right password nor a
 * repeated wrong one pays bcrypt again.
 *
 * Entries are HMAC-SHA256 digests, under a random per-cache key, of user,
 * password and the stored hash: no password is kept, and a digest made in one
 * process (or one cache) means nothing in another. Good and failed outcomes
 * live in two fixed tables so a flood of fresh wrong passwords can evict only
 * other failures, never a verified credential. Each table is a ring: when
 * full, the oldest entry goes. Lookups compare every entry in constant time.
 * Thread-safe. */
#ifndef OMX_AUTHCACHE_H
#define OMX_AUTHCACHE_H

#include <stdbool.h>
#include <stddef.h>

#define OMX__AUTHCACHE_DIGEST 32
#define OMX__AUTHCACHE_GOOD 64 /* verified credentials kept */
#define OMX__AUTHCACHE_BAD 256 /* failed credentials kept */

typedef struct omx__authcache omx__authcache;

/* A new, empty cache with a fresh random key (getrandom). Returns 0 and the
 * cache in *ret (caller owns it; free with omx__authcache_free), OMX_ENOMEM,
 * or the negated errno of getrandom. */
int omx__authcache_new(omx__authcache **ret);
/* Wipes and frees; accepts NULL; returns NULL. */
omx__authcache *omx__authcache_free(omx__authcache *ac);

/* The digest of (user, pass, hash) under the cache's key into out. None of the
 * strings is kept. Returns 0, OMX_EINVAL for a NULL argument, or OMX_EIO when
 * GnuTLS fails. */
int omx__authcache_digest(const omx__authcache *ac, const char *user, const char *pass,
                          const char *hash, unsigned char out[OMX__AUTHCACHE_DIGEST]);
/* Looks digest up. Returns 0 with *ok = the remembered outcome, or
 * OMX_ENOENT when it is not remembered (or ac is NULL). */
int omx__authcache_get(omx__authcache *ac, const unsigned char digest[OMX__AUTHCACHE_DIGEST],
                       bool *ok);
/* Remembers an outcome, evicting the oldest entry of its table when full.
 * Accepts a NULL cache (does nothing). */
void omx__authcache_put(omx__authcache *ac, const unsigned char digest[OMX__AUTHCACHE_DIGEST],
                        bool ok);
/* Entries held in the good (ok) or failed table; at most its bound. */
size_t omx__authcache_count(omx__authcache *ac, bool ok);

#endif
