/* FNV-1a 64 (exporter/hash.h): the published test vectors, and pieces fed
 * incrementally hash as the whole. */
#include <stdint.h>
#include <string.h>

#include "exporter/hash.h"
#include "omx-test.h"

static void test_vectors(void) {
    static const struct {
        const char *s;
        uint64_t h;
    } cases[] = {
        {"", 0xcbf29ce484222325ull},
        {"a", 0xaf63dc4c8601ec8cull},
        {"foobar", 0x85944171f73967e8ull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ASSERT(omx_fnv64(cases[i].s, strlen(cases[i].s)) == cases[i].h);
        ASSERT(omx_fnv64_str(cases[i].s) == cases[i].h);
    }
    ASSERT(omx_fnv64(NULL, 0) == omx_fnv64_start());
    ASSERT(omx_fnv64_seeded(0) == omx_fnv64_start());
    ASSERT(omx_fnv64_seeded(1) != omx_fnv64_start());
}

static void test_incremental(void) {
    uint64_t h = omx_fnv64_start();
    h = omx_fnv64_add(h, "fo", 2);
    h = omx_fnv64_byte(h, 'o');
    h = omx_fnv64_add_str(h, "bar");
    ASSERT(h == omx_fnv64_str("foobar"));
    /* bytes above 0x7f are taken unsigned */
    const char hi[] = "\xff\x80";
    ASSERT(omx_fnv64(hi, 2) == omx_fnv64_byte(omx_fnv64_byte(omx_fnv64_start(), 0xff), 0x80));
}

int main(void) {
    test_vectors();
    test_incremental();
    TEST_DONE();
}
