/* The line splitter: endings, CRLF, the cap, partial lines, binary bytes. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "inputs/linesplit.h"
#include "omx-test.h"

typedef struct got {
    char text[16][256];
    size_t len[16];
    bool cut[16];
    int n;
} got;

static int collect(void *ctx, const char *line, size_t len, bool cut) {
    got *g = ctx;
    ASSERT(g->n < 16);
    ASSERT(len < 256);
    memcpy(g->text[g->n], line, len);
    g->len[g->n] = len;
    g->cut[g->n] = cut;
    g->n++;
    return 0;
}

static int stop_at_two(void *ctx, const char *line, size_t len, bool cut) {
    got *g = ctx;
    collect(g, line, len, cut);
    return g->n == 2 ? -EIO : 0;
}

int main(void) {
    lt_split s;
    got g = {0};
    lt_split_init(&s, 8);
    ASSERT_OK(lt_split_feed(&s, "ab\ncd\r\n\nef", 10, collect, &g));
    ASSERT_EQ(g.n, 3);
    ASSERT(g.len[0] == 2 && memcmp(g.text[0], "ab", 2) == 0);
    ASSERT(g.len[1] == 2 && memcmp(g.text[1], "cd", 2) == 0); /* \r dropped */
    ASSERT_EQ(g.len[2], 0);
    ASSERT_EQ(lt_split_pending(&s), 2);
    ASSERT_OK(lt_split_feed(&s, "gh\n", 3, collect, &g)); /* partial joined */
    ASSERT(g.len[3] == 4 && memcmp(g.text[3], "efgh", 4) == 0);
    /* over the cap: first 8 bytes, cut; the rest up to '\n' skipped */
    ASSERT_OK(lt_split_feed(&s, "0123456789", 10, collect, &g));
    ASSERT_OK(lt_split_feed(&s, "abc\nok\n", 7, collect, &g));
    ASSERT_EQ(g.n, 6);
    ASSERT(g.cut[4] && g.len[4] == 8 && memcmp(g.text[4], "01234567", 8) == 0);
    ASSERT(!g.cut[5] && g.len[5] == 2 && memcmp(g.text[5], "ok", 2) == 0);
    /* exactly the cap is not cut; a kept part plus the rest over it is */
    ASSERT_OK(lt_split_feed(&s, "12345678\n1234", 13, collect, &g));
    ASSERT(!g.cut[6] && g.len[6] == 8);
    ASSERT_OK(lt_split_feed(&s, "56789\n", 6, collect, &g));
    ASSERT(g.cut[7] && g.len[7] == 8 && memcmp(g.text[7], "12345678", 8) == 0);
    /* binary and invalid UTF-8 are handed on as they are */
    ASSERT_OK(lt_split_feed(&s, "\0\xff\xfe\n", 4, collect, &g));
    ASSERT(g.len[8] == 3 && g.text[8][0] == 0 && (unsigned char)g.text[8][1] == 0xff);
    /* flush hands on a partial line; reset drops one */
    ASSERT_OK(lt_split_feed(&s, "tail", 4, collect, &g));
    ASSERT_OK(lt_split_flush(&s, collect, &g));
    ASSERT(g.n == 10 && g.len[9] == 4);
    ASSERT_OK(lt_split_flush(&s, collect, &g));
    ASSERT_EQ(g.n, 10);
    ASSERT_OK(lt_split_feed(&s, "gone", 4, collect, &g));
    lt_split_reset(&s);
    ASSERT_OK(lt_split_feed(&s, "x\n", 2, collect, &g));
    ASSERT(g.n == 11 && g.len[10] == 1);
    lt_split_free(&s);
    /* the callback's error stops the feed */
    got h = {0};
    lt_split_init(&s, 0);
    ASSERT_EQ(lt_split_feed(&s, "a\nb\nc\n", 6, stop_at_two, &h), -EIO);
    ASSERT_EQ(h.n, 2);
    lt_split_free(&s);
    lt_split_free(&s); /* twice is harmless */
    TEST_DONE();
}
