/* RE2-syntax regexes on PCRE2 (exporter/regex.h): matching, RE2 rejections,
 * captures, the match limit and matching from many threads. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "exporter/error.h"
#include "exporter/regex.h"
#include "omx-test.h"

static int match(const char *pattern, unsigned flags, const char *s) {
    omx_regex *re;
    char err[256];
    int r = omx_regex_new(pattern, flags, &re, err, sizeof err);
    if (r < 0) {
        fprintf(stderr, "compile %s: %s\n", pattern, err);
        return r;
    }
    r = omx_regex_match(re, s, strlen(s));
    omx_regex_free(re);
    return r;
}

static void test_matching(void) {
    static const struct {
        const char *pattern;
        unsigned flags;
        const char *s;
        int want;
    } cases[] = {
        /* Go shortcuts and the node_exporter default filters */
        {"^(?:ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$", 0, "sda1", 1},
        {"^(?:ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$", 0, "nvme0n1p2", 1},
        {"^(?:ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$", 0, "nvme0n1", 0},
        {"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)", 0, "/proc/fs", 1},
        {"^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+)($|/)", 0, "/home", 0},
        {"\\d", 0, "a1", 1},
        {"\\D", 0, "12", 0},
        {"^\\s+$", 0, " \t\n", 1},
        {"\\S", 0, "  ", 0},
        {"^\\w+$", 0, "eth_0", 1},
        {"\\W", 0, "eth_0", 0},
        {"[\\d\\s]", 0, "x 1", 1},
        /* unanchored vs anchored */
        {"eth", 0, "veth0", 1},
        {"eth", OMX_REGEX_ANCHORED, "veth0", 0},
        {"a|ab", OMX_REGEX_ANCHORED, "ab", 1},
        {"eth\\d", OMX_REGEX_ANCHORED, "eth0", 1},
        /* Go: $ is the very end, . is not \n, \z, (?s), (?m), (?i), \Q..\E */
        {"a$", 0, "a\n", 0},
        {"(?m)a$", 0, "a\nb", 1},
        {"a.b", 0, "a\nb", 0},
        {"(?s)a.b", 0, "a\nb", 1},
        {"a\\z", 0, "a", 1},
        {"(?i)ETH", 0, "eth0", 1},
        {"ETH", OMX_REGEX_CASELESS, "eth0", 1},
        {"\\Q(?=a\\E", 0, "x(?=ay", 1},
        {"(?P<dev>sd[a-z])", 0, "sdb", 1},
        {"(?<dev>sd[a-z])", 0, "sdb", 1},
        {"[]a]", 0, "]", 1},
        {"x}+", 0, "x}}", 1},
        {"a{2}", 0, "aa", 1},
        {"^a{1000}$", 0, "aaa", 0},
        {"^a{2,}$", 0, "aaa", 1},
        /* UTF-8 aware, invalid UTF-8 is no error */
        {"^.$", 0, "\xc3\xa9", 1},
        {"abc", 0,
         "\xff\xfe"
         "abc",
         1},
        {"", 0, "", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int r = match(cases[i].pattern, cases[i].flags, cases[i].s);
        if (r != cases[i].want)
            fprintf(stderr, "case %zu: /%s/ on \"%s\"\n", i, cases[i].pattern, cases[i].s);
        ASSERT_EQ(r, cases[i].want);
    }
}

static void test_rejections(void) {
    static const struct {
        const char *pattern, *msg;
    } cases[] = {
        {"a(?=b)", "lookahead (?= at offset 1 is not supported"},
        {"a(?!b)", "negative lookahead (?! at offset 1"},
        {"(?<=a)b", "lookbehind (?<= at offset 0"},
        {"(?<!a)b", "negative lookbehind (?<! at offset 0"},
        {"(a)\\1", "backreference \\N at offset 3"},
        {"(?<n>a)\\k<n>", "named backreference \\k at offset 7"},
        {"(?P<n>a)(?P=n)", "named backreference (?P= at offset 8"},
        {"(?>a+)b", "atomic group (?> at offset 0"},
        {"a++", "possessive quantifier at offset 1"},
        {"a*+", "possessive quantifier at offset 1"},
        {"a{2}+", "possessive quantifier at offset 3"},
        {"(a|(?R))", "recursion (?R at offset 3"},
        {"(a)(?1)", "recursion (?R at offset 3"},
        {"a\\C", "single byte \\C at offset 1"},
        {"a\\Z", "\\Z (use \\z) at offset 1"},
        {"(*UTF)a", "verb or option (*...) at offset 0"},
        {"(?x)a b", "group flag other than i, m, s, U at offset 0"},
        {"(?(1)a|b)", "conditional (?( at offset 0"},
        {"a{1001}", "repeat count above 1000 at offset 6"},
        {"a{2,1001}", "repeat count above 1000 at offset 8"},
        {"a{99999999999999999999999,}", "repeat count above 1000"},
        /* PCRE2's own errors keep its message and offset */
        {"(", "missing closing parenthesis at offset 1"},
        {"a[", "missing terminating ] for character class at offset 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        omx_regex *re = (omx_regex *)&re;
        char err[256];
        ASSERT_EQ(omx_regex_new(cases[i].pattern, 0, &re, err, sizeof err), OMX_EINVAL);
        ASSERT(re == NULL);
        if (!strstr(err, cases[i].msg))
            fprintf(stderr, "/%s/: got \"%s\", want \"%s\"\n", cases[i].pattern, err, cases[i].msg);
        ASSERT(strstr(err, cases[i].msg));
    }
    omx_regex *re;
    ASSERT_EQ(omx_regex_new(NULL, 0, &re, NULL, 0), OMX_EINVAL);
    ASSERT(omx_regex_free(NULL) == NULL);
}

/* Invalid UTF-8 around the groups: spans are byte offsets of the subject
 * (the JIT path skips PCRE2's UTF check). */
static void test_invalid_utf8_spans(void) {
    omx_regex *re;
    char err[256];
    ASSERT_OK(omx_regex_new("k=(\\S+) (\\d+)", 0, &re, err, sizeof err));
    const char s[] = "\xff\xc3 k=ab 42 \xe2";
    omx_regex_span sp[3];
    ASSERT_EQ(omx_regex_exec(re, s, sizeof s - 1, sp, 3), 1);
    ASSERT_EQ(sp[1].start, 5);
    ASSERT_EQ(sp[1].end, 7);
    ASSERT_EQ(sp[2].start, 8);
    ASSERT_EQ(sp[2].end, 10);
    omx_regex_free(re);
}

static void test_captures(void) {
    omx_regex *re;
    char err[256];
    ASSERT_OK(omx_regex_new("(?P<user>\\w+)@(\\w+)(x)?(?<tld>\\.\\w+)?", 0, &re, err, sizeof err));
    ASSERT_EQ(omx_regex_groups(re), 4);
    ASSERT_STR_EQ(omx_regex_group_name(re, 1), "user");
    ASSERT(omx_regex_group_name(re, 2) == NULL);
    ASSERT_STR_EQ(omx_regex_group_name(re, 4), "tld");
    ASSERT(omx_regex_group_name(re, 5) == NULL && omx_regex_group_name(re, 0) == NULL);
    ASSERT_EQ(omx_regex_group_index(re, "tld"), 4);
    ASSERT_EQ(omx_regex_group_index(re, "nope"), OMX_ENOENT);
    const char *s = "mail: bob@example now";
    omx_regex_span sp[7];
    ASSERT_EQ(omx_regex_exec(re, s, strlen(s), sp, 7), 1);
    static const struct {
        size_t start, end;
    } want[7] = {{6, 17},
                 {6, 9},
                 {10, 17},
                 {OMX_REGEX_UNSET, OMX_REGEX_UNSET},
                 {OMX_REGEX_UNSET, OMX_REGEX_UNSET},
                 {OMX_REGEX_UNSET, OMX_REGEX_UNSET},
                 {OMX_REGEX_UNSET, OMX_REGEX_UNSET}};
    for (size_t i = 0; i < 7; i++) {
        ASSERT(sp[i].start == want[i].start);
        ASSERT(sp[i].end == want[i].end);
    }
    /* the subject is len bytes, not a C string */
    ASSERT_EQ(omx_regex_exec(re, "a@b.c", 3, sp, 5), 1);
    ASSERT(sp[0].end == 3 && sp[4].start == OMX_REGEX_UNSET);
    ASSERT_EQ(omx_regex_exec(re, "no at sign", 10, sp, 2), 0);
    ASSERT(sp[0].start == OMX_REGEX_UNSET);
    omx_regex_free(re);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_match_limit(void) {
    /* exponential backtracking: the match limit stops it with an error */
    omx_regex *re;
    ASSERT_OK(omx_regex_new("^(a+)+$", 0, &re, NULL, 0));
    char s[64];
    memset(s, 'a', 40);
    s[40] = 'b';
    s[41] = '\0';
    double t0 = now();
    ASSERT_EQ(omx_regex_match(re, s, strlen(s)), OMX_ELIMIT);
    ASSERT(now() - t0 < 2.0);
    /* a subject it can decide quickly still matches */
    ASSERT_EQ(omx_regex_match(re, "aaaa", 4), 1);
    /* a lower budget applies at once */
    omx_regex_set_match_limit(re, 10);
    ASSERT_EQ(omx_regex_match(re, "aaaaaaaaaaaab", 13), OMX_ELIMIT);
    omx_regex_free(re);
}

static omx_regex *shared;

static void *matcher(void *arg) {
    long *fails = arg;
    char name[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(name, sizeof name, i % 2 ? "eth%d" : "lo%d", i);
        omx_regex_span sp[2];
        int r = omx_regex_exec(shared, name, strlen(name), sp, 2);
        if (r != (i % 2) || (r == 1 && (sp[1].start != 0 || sp[1].end != 3)))
            (*fails)++;
    }
    return NULL;
}

static void test_threads(void) {
    ASSERT_OK(omx_regex_new("^(eth)\\d+$", 0, &shared, NULL, 0));
    pthread_t t[4];
    long fails[4] = {0};
    for (int i = 0; i < 4; i++)
        ASSERT_OK(pthread_create(&t[i], NULL, matcher, &fails[i]));
    for (int i = 0; i < 4; i++) {
        ASSERT_OK(pthread_join(t[i], NULL));
        ASSERT_EQ(fails[i], 0);
    }
    shared = omx_regex_free(shared);
}

int main(void) {
    test_matching();
    test_rejections();
    test_captures();
    test_invalid_utf8_spans();
    test_match_limit();
    test_threads();
    TEST_DONE();
}
