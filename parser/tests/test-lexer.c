/* Token scanners of lexer.re. */
#include <stdbool.h>

#include "internal.h"
#include "omx-test.h"

static long tok(const char *(*f)(const char *), const char *s) {
    const char *e = f(s);
    return e ? e - s : -1;
}

static long num(const char *s, int *kind) {
    const char *e = omp__lex_number(s, kind);
    return e ? e - s : -1;
}

static long pnum(const char *s, int *kind) {
    const char *e = omp__lex_prom_number(s, kind);
    return e ? e - s : -1;
}

int main(void) {
    int k = 0;
    bool esc = false;
    const char *bad = NULL, *e;

    ASSERT_EQ(tok(omp__lex_metricname, "foo_bar:baz{"), 11);
    ASSERT_EQ(tok(omp__lex_metricname, "_a1 "), 3);
    ASSERT_EQ(tok(omp__lex_metricname, "0a\n"), -1);
    ASSERT_EQ(tok(omp__lex_metricname, "\n"), -1);
    ASSERT_EQ(tok(omp__lex_labelname, "le=\""), 2);
    ASSERT_EQ(tok(omp__lex_labelname, "a:b="), 1); /* ':' not in label names */
    ASSERT_EQ(tok(omp__lex_labelname, "9=\n"), -1);

    ASSERT_EQ(num("1 ", &k), 1);
    ASSERT_EQ(k, OMP__NUM_REAL);
    ASSERT_EQ(num("-1.5e-3\n", &k), 7);
    ASSERT_EQ(num(".5\n", &k), 2);
    ASSERT_EQ(num("5.\n", &k), 2);
    ASSERT_EQ(num("1E5\n", &k), 3);
    ASSERT_EQ(num("1e\n", &k), 1); /* "e" without digits is not part of it */
    ASSERT_EQ(num("+Inf\n", &k), 4);
    ASSERT_EQ(k, OMP__NUM_INF);
    ASSERT_EQ(num("-infinity\n", &k), 9);
    ASSERT_EQ(k, OMP__NUM_INF);
    ASSERT_EQ(num("NaN\n", &k), 3);
    ASSERT_EQ(k, OMP__NUM_NAN);
    ASSERT_EQ(num("0x1p-3\n", &k), 1); /* only "0": hex is not OpenMetrics */
    ASSERT_EQ(num("_1\n", &k), -1);
    ASSERT_EQ(num(".\n", &k), -1);
    ASSERT_EQ(pnum("0x1p-3\n", &k), 6);
    ASSERT_EQ(k, OMP__NUM_HEX);
    ASSERT_EQ(pnum("0x1\n", &k), 1); /* hex needs a p exponent, as in Go */
    ASSERT_EQ(tok(omp__lex_prom_timestamp, "-123 "), 4);
    ASSERT_EQ(tok(omp__lex_prom_timestamp, "1.5\n"), 1);

    e = omp__lex_quoted("abc\" x", &esc);
    ASSERT(e && *e == '"' && !esc);
    esc = false;
    e = omp__lex_quoted("a\\\"b\\\\c\\n\\z\"", &esc);
    ASSERT(e && *e == '"' && e[1] == '\0' && esc);
    ASSERT(omp__lex_quoted("abc\n\"", &esc) == NULL);        /* no LF inside */
    ASSERT(omp__lex_quoted("a\\\n\"", &esc) == NULL);        /* no escaped LF */
    ASSERT(omp__lex_quoted("\xe2\x98\x83\"", &esc) != NULL); /* snowman */
    ASSERT(omp__lex_quoted("\xff\"", &esc) == NULL);
    ASSERT(omp__lex_quoted("\xc0\xaf\"", &esc) == NULL);     /* overlong */
    ASSERT(omp__lex_quoted("\xed\xa0\x80\"", &esc) == NULL); /* surrogate */
    ASSERT(omp__lex_quoted("\xe2\x98\"", &esc) == NULL);     /* truncated */
    ASSERT(omp__lex_quoted(" \0 \"", &esc) != NULL);         /* NUL is allowed */

    esc = false;
    e = omp__lex_text("he said \"hi\" \\n\n", &esc, &bad);
    ASSERT(e && *e == '\n' && esc);
    ASSERT(omp__lex_text("ab\xfe\n", &esc, &bad) == NULL);
    ASSERT(bad && *bad == '\xfe');
    TEST_DONE();
}
