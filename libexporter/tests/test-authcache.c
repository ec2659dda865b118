/* The credential cache: digests depend on every input and on the cache's key,
 * both outcomes are remembered, each table stays within its bound and evicts
 * its oldest entry, failures never evict verified credentials. */
#include <string.h>

#include "authcache.h"
#include "exporter/error.h"
#include "omx-test.h"

static void digest_of(omx__authcache *ac, const char *u, const char *p, const char *h,
                      unsigned char out[OMX__AUTHCACHE_DIGEST]) {
    ASSERT_OK(omx__authcache_digest(ac, u, p, h, out));
}

static void test_digest(void) {
    omx__authcache *a = NULL, *b = NULL;
    unsigned char d1[32], d2[32], d3[32], d4[32], d5[32];

    ASSERT_OK(omx__authcache_new(&a));
    ASSERT_OK(omx__authcache_new(&b));
    digest_of(a, "alice", "pw", "$2b$hash", d1);
    digest_of(a, "alice", "pw", "$2b$hash", d2);
    ASSERT(memcmp(d1, d2, 32) == 0);
    /* The NUL separators keep "ab"+"c" apart from "a"+"bc". */
    digest_of(a, "alicep", "w", "$2b$hash", d3);
    ASSERT(memcmp(d1, d3, 32) != 0);
    digest_of(a, "alice", "pW", "$2b$hash", d3);
    ASSERT(memcmp(d1, d3, 32) != 0);
    digest_of(a, "alice", "pw", "$2b$hasH", d4);
    ASSERT(memcmp(d1, d4, 32) != 0);
    /* Another cache has another key. */
    digest_of(b, "alice", "pw", "$2b$hash", d5);
    ASSERT(memcmp(d1, d5, 32) != 0);
    ASSERT_EQ(omx__authcache_digest(a, NULL, "pw", "h", d1), OMX_EINVAL);
    ASSERT_EQ(omx__authcache_digest(NULL, "u", "pw", "h", d1), OMX_EINVAL);
    a = omx__authcache_free(a);
    b = omx__authcache_free(b);
    ASSERT(a == NULL && b == NULL);
    ASSERT(omx__authcache_free(NULL) == NULL);
    ASSERT_EQ(omx__authcache_new(NULL), OMX_EINVAL);
}

static void test_outcomes(void) {
    omx__authcache *ac = NULL;
    unsigned char good[32], bad[32], other[32];
    bool ok = false;

    ASSERT_OK(omx__authcache_new(&ac));
    digest_of(ac, "alice", "right", "h", good);
    digest_of(ac, "alice", "wrong", "h", bad);
    digest_of(ac, "alice", "never seen", "h", other);
    ASSERT_EQ(omx__authcache_get(ac, good, &ok), OMX_ENOENT);
    omx__authcache_put(ac, good, true);
    omx__authcache_put(ac, bad, false);
    ASSERT_OK(omx__authcache_get(ac, good, &ok));
    ASSERT(ok);
    ASSERT_OK(omx__authcache_get(ac, bad, &ok));
    ASSERT(!ok);
    ASSERT_EQ(omx__authcache_get(ac, other, &ok), OMX_ENOENT);
    /* Putting the same outcome twice keeps one entry. */
    omx__authcache_put(ac, bad, false);
    omx__authcache_put(ac, good, true);
    ASSERT_EQ(omx__authcache_count(ac, false), 1);
    ASSERT_EQ(omx__authcache_count(ac, true), 1);
    ASSERT_EQ(omx__authcache_get(NULL, good, &ok), OMX_ENOENT);
    omx__authcache_put(NULL, good, true); /* ignored */
    ASSERT_EQ(omx__authcache_count(NULL, true), 0);
    omx__authcache_free(ac);
}

static void test_bounds(void) {
    omx__authcache *ac = NULL;
    unsigned char d[32], good[32], first_bad[32], last_bad[32];
    char pw[32];
    bool ok = true;

    ASSERT_OK(omx__authcache_new(&ac));
    digest_of(ac, "alice", "right", "h", good);
    omx__authcache_put(ac, good, true);
    /* Far more distinct failures than the table holds. */
    for (int i = 0; i < 20 * OMX__AUTHCACHE_BAD; i++) {
        snprintf(pw, sizeof pw, "wrong-%d", i);
        digest_of(ac, "alice", pw, "h", d);
        if (i == 0)
            memcpy(first_bad, d, 32);
        memcpy(last_bad, d, 32);
        omx__authcache_put(ac, d, false);
        ASSERT(omx__authcache_count(ac, false) <= OMX__AUTHCACHE_BAD);
    }
    ASSERT_EQ(omx__authcache_count(ac, false), OMX__AUTHCACHE_BAD);
    ASSERT_EQ(omx__authcache_get(ac, first_bad, &ok), OMX_ENOENT); /* oldest evicted */
    ASSERT_OK(omx__authcache_get(ac, last_bad, &ok));
    ASSERT(!ok);
    /* The flood of failures left the verified credential alone. */
    ASSERT_EQ(omx__authcache_count(ac, true), 1);
    ASSERT_OK(omx__authcache_get(ac, good, &ok));
    ASSERT(ok);
    /* The good table has its own bound. */
    for (int i = 0; i < 3 * OMX__AUTHCACHE_GOOD; i++) {
        snprintf(pw, sizeof pw, "right-%d", i);
        digest_of(ac, "bob", pw, "h", d);
        omx__authcache_put(ac, d, true);
    }
    ASSERT_EQ(omx__authcache_count(ac, true), OMX__AUTHCACHE_GOOD);
    ASSERT_EQ(omx__authcache_get(ac, good, &ok), OMX_ENOENT);
    omx__authcache_free(ac);
}

int main(void) {
    test_digest();
    test_outcomes();
    test_bounds();
    TEST_DONE();
}
