/* The probe history: the last `limit` probes, failures pushed out of them
 * kept in a second ring, lookups by id and by target, HTML escaping, caps. */
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "omx-test.h"

static bool has_output(bb_history *h, int64_t id, const char *want) {
    omx_buf b;
    omx_buf_init(&b, BB_HISTORY_MAX_OUTPUT + 256);
    int rc = bb_history_output(h, id, NULL, NULL, &b);
    bool ok = rc == 0 && b.data && !strcmp(b.data, want);
    omx_buf_free(&b);
    return ok;
}

static int renders;

static int render_note(void *parts, omx_buf *out) {
    renders++;
    return omx_buf_append(out, parts, strlen(parts));
}

static int render_big(void *parts, omx_buf *out) {
    (void)parts;
    char chunk[4096];
    memset(chunk, 'y', sizeof chunk);
    int rc = 0;
    for (int i = 0; i < 64 && !rc; i++)
        rc = omx_buf_append(out, chunk, sizeof chunk);
    return rc;
}

/* Entries kept as parts: rendered only when asked for, freed when they go
 * (ASan finds a leak or a double free), cut as rendered ones are. */
static void test_lazy(void) {
    bb_history *h = bb_history_new(1);
    ASSERT(h != NULL);
    ASSERT_EQ(bb_history_add_lazy(h, "m", "fail-0", strdup("lazy0"), render_note, free, false), 0);
    ASSERT_EQ(renders, 0);
    ASSERT(has_output(h, 0, "lazy0"));
    ASSERT_EQ(renders, 1);
    ASSERT_EQ(bb_history_add_lazy(h, "m", "ok-1", strdup("lazy1"), render_note, free, true), 1);
    ASSERT(has_output(h, 0, "lazy0")); /* pushed to the failures, parts and all */
    ASSERT(has_output(h, 1, "lazy1"));
    ASSERT_EQ(bb_history_add_lazy(h, "m", "big", strdup("x"), render_big, free, false), 2);
    ASSERT(!has_output(h, 1, "lazy1"));
    omx_buf b;
    omx_buf_init(&b, BB_HISTORY_MAX_OUTPUT + 256);
    ASSERT_OK(bb_history_output(h, 2, NULL, NULL, &b));
    ASSERT(b.len < BB_HISTORY_MAX_OUTPUT + 64);
    ASSERT(strstr(b.data, "[output cut]") != NULL);
    omx_buf_free(&b);
    bb_history_free(h);
    h = bb_history_new(0); /* nothing kept: the parts are freed at once */
    ASSERT_EQ(bb_history_add_lazy(h, "m", "t", strdup("x"), render_note, free, true), 0);
    bb_history_free(h);
}

int main(void) {
    test_lazy();
    bb_history *h = bb_history_new(2);
    ASSERT(h != NULL);
    ASSERT_EQ(bb_history_add(h, "m", "fail-0", "out0", 4, false), 0);
    ASSERT_EQ(bb_history_add(h, "m", "ok-1", "out1", 4, true), 1);
    ASSERT_EQ(bb_history_add(h, "m", "ok-2", "out2", 4, true),
              2); /* pushes fail-0 to the failures */
    ASSERT_EQ(bb_history_add(h, "m", "ok-3", "out3", 4, true), 3); /* ok-1 goes for good */
    ASSERT(has_output(h, 0, "out0"));
    ASSERT(!has_output(h, 1, "out1"));
    ASSERT(has_output(h, 2, "out2"));
    ASSERT(has_output(h, 3, "out3"));

    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(bb_history_output(h, -1, "fail-0", "m", &b));
    ASSERT_STR_EQ(b.data, "out0");
    ASSERT_EQ(bb_history_output(h, -1, "fail-0", "other", &b), OMX_ENOENT);
    ASSERT_EQ(bb_history_output(h, 99, NULL, NULL, &b), OMX_ENOENT);
    omx_buf_reset(&b);

    /* rows: results newest first, then kept failures */
    ASSERT_OK(bb_history_rows(h, &b));
    const char *r3 = strstr(b.data, "ok-3"), *r2 = strstr(b.data, "ok-2"),
               *f0 = strstr(b.data, "fail-0");
    ASSERT(r3 && r2 && f0 && r3 < r2 && r2 < f0);
    ASSERT(strstr(b.data, "<a href='logs?id=3'>Logs</a>") != NULL);
    ASSERT(strstr(b.data, "<strong>Failure</strong>") != NULL);
    omx_buf_reset(&b);

    /* escaping and the output cap */
    size_t big = BB_HISTORY_MAX_OUTPUT + 1000;
    char *out = malloc(big);
    memset(out, 'x', big);
    int64_t id = bb_history_add(h, "<m>", "<script>'\"&", out, big, false);
    free(out);
    ASSERT(id == 4);
    ASSERT_OK(bb_history_rows(h, &b));
    ASSERT(strstr(b.data, "<script>") == NULL);
    ASSERT(strstr(b.data, "&lt;script&gt;&#39;&#34;&amp;") != NULL);
    omx_buf_reset(&b);
    ASSERT_OK(bb_history_output(h, 4, NULL, NULL, &b));
    ASSERT(b.len < big);
    ASSERT(strstr(b.data, "[output cut]") != NULL);
    omx_buf_free(&b);
    ASSERT(bb_history_free(h) == NULL);

    /* limit 0 keeps nothing */
    h = bb_history_new(0);
    ASSERT(h != NULL);
    bb_history_add(h, "m", "t", "o", 1, false);
    ASSERT(!has_output(h, 0, "o"));
    bb_history_free(h);
    ASSERT(bb_history_free(NULL) == NULL);
    TEST_DONE();
}
