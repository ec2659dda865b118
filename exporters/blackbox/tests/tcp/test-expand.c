/* bb_expand: Go's Regexp.Expand rules, case by case. */
#include <stdio.h>
#include <string.h>

#include "expand.h"
#include "omx-test.h"

typedef struct expand_case {
    const char *re, *subject, *tmpl, *want;
} expand_case;

static const expand_case cases[] = {
    {"(a+)(b+)", "xaabbby", "$1-$2", "aa-bbb"},
    {"(a+)(b+)", "aab", "${1}x", "aax"},
    {"(a+)(b+)", "aab", "$1x", ""},        /* the group called "1x" does not exist */
    {"(a+)(b+)", "aab", "$$1 $$", "$1 $"}, /* $$ is a dollar */
    {"(a+)", "aa", "$0|$00|$01", "aa||"},  /* $0 the match; leading zeros make names */
    {"(?P<word>\\w+) (?P<n>\\d+)", "abc 42", "${n}:${word}:$word.", "42:abc:abc."},
    {"(a)", "a", "$ ${ ${1 $!", "$ ${ ${1 $!"}, /* malformed: the $ stays */
    {"(a)|(b)", "b", "[$1][$2]", "[][b]"},      /* an unmatched group is empty */
    {"(a)", "a", "$9 $100000000", " "},         /* out of range */
    {"x", "x", "no refs", "no refs"},
    {"x", "x", "", ""},
};

int main(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const expand_case *c = &cases[i];
        omx_regex *re = NULL;
        ASSERT_OK(omx_regex_new(c->re, 0, &re, NULL, 0));
        omx_regex_span spans[8];
        ASSERT_EQ(omx_regex_exec(re, c->subject, strlen(c->subject), spans, 8), 1);
        omx_buf b;
        omx_buf_init(&b, 1024);
        ASSERT_OK(bb_expand(re, c->tmpl, c->subject, spans, omx_regex_groups(re) + 1, &b));
        ASSERT_OK(omx_buf_append(&b, "", 0));
        ASSERT_MSG(strcmp(b.data, c->want) == 0, "case %zu: %s -> \"%s\", want \"%s\"", i, c->tmpl,
                   b.data, c->want);
        omx_buf_free(&b);
        omx_regex_free(re);
    }
    /* The cap of the output buffer is an error, not a truncation. */
    omx_regex *re = NULL;
    ASSERT_OK(omx_regex_new("(a+)", 0, &re, NULL, 0));
    omx_regex_span spans[2];
    ASSERT_EQ(omx_regex_exec(re, "aaaa", 4, spans, 2), 1);
    omx_buf b;
    omx_buf_init(&b, 6);
    ASSERT_EQ(bb_expand(re, "$1$1$1", "aaaa", spans, 2, &b), OMX_ELIMIT);
    omx_buf_free(&b);
    omx_regex_free(re);
    TEST_DONE();
}
