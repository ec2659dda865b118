/* Compile errors: program text -> the first error, with file:line:col. */
#include "lt-test.h"

static const struct {
    const char *prog;
    const char *err; /* expected prefix of the first error */
} cases[] = {
    /* lexer */
    {"counter a\n/(x/ {\n a++\n}\n", "t.mtail:2:1: missing closing parenthesis"},
    {"counter a\n/abc {\n", "t.mtail:2:1: Unterminated regular expression: \"/abc {\""},
    {"counter a\n\"abc\n", "t.mtail:2:1: Unterminated quoted string"},
    {"counter a\n?\n", "t.mtail:2:1: Unexpected input: '?'"},
    /* parser */
    {"counter a\n/x/ {\n a++\n", "t.mtail:4:1: unexpected end of file, expecting '}' to end block"},
    {"counter a\n/x/\n", "t.mtail:2:4: statement with no effect"},
    {"counter\n", "t.mtail:1:8: syntax error: unexpected newline, expecting identifier or string"},
    {"counter a by\n", "t.mtail:1:13: syntax error: unexpected newline"},
    {"histogram h buckets\n", "t.mtail:1:20: syntax error: unexpected newline, expecting number"},
    {"counter a\na++ b\n",
     "t.mtail:2:5: syntax error: unexpected identifier `b', expecting newline"},
    {"del after 1h\n", "t.mtail:1:5: syntax error: unexpected after"},
    /* checker */
    {"counter a\ncounter a\n/x/ { a++ }\n",
     "t.mtail:2:9: Redeclaration of metric `a' previously declared at t.mtail:1:9"},
    {"counter a\n", "t.mtail:1:9: Declaration of variable `a' here is never used."},
    {"/x/ {\n b++\n}\n", "t.mtail:2:2: Identifier `b' not declared."},
    {"counter a\n/x/ {\n a[$1]++\n}\n", "t.mtail:3:4: Capture group `$1' was not defined"},
    {"counter a\n/(?P<x>.)/ {\n a++\n}\n$x > 0 { a++ }\n",
     "t.mtail:5:1: Capture group `$x' was not defined"},
    {"counter a\nnext\n/x/ { a++ }\n", "t.mtail:2:1: Can't use `next' outside of a decorator."},
    {"counter a\ndef d {\n next\n next\n}\n@d { a++ }\n",
     "t.mtail:4:2: Can't use `next' statement twice in a decorator."},
    {"counter a\n@d {\n a++\n}\n", "t.mtail:2:1: Decorator `@d' is not defined."},
    {"counter a\ndef d {\n /x/ { a++ }\n}\n@d { a++ }\n",
     "t.mtail:5:1: No symbols found in decorator `@d'."},
    {"counter a\ndef d {\n next\n}\n/x/ { a++ }\n",
     "t.mtail:2:1: Declaration of decorator `d' here is never used."},
    {"counter a\nconst P /x/\nconst P /y/\nP { a++ }\n",
     "t.mtail:3:7: Redefinition of pattern constant `P'"},
    {"counter a\nconst P /x/\n/y/ { a++ }\n",
     "t.mtail:2:7: Declaration of named pattern constant `P' here is never used."},
    {"counter a buckets 1, 2\n/x/ { a++ }\n",
     "t.mtail:1:9: Can't specify buckets for non-histogram metric `a'."},
    {"counter a\n/x/ {\n a = 1 / 0\n}\n", "t.mtail:3:8: Can't divide by zero."},
    {"counter a by k\n/x/ {\n a++\n}\n",
     "t.mtail:3:2: Not enough keys for indexed expression: expecting 1, received 0"},
    {"counter a by k\n/(x)/ {\n a[$1][$1]++\n}\n",
     "t.mtail:3:2: Too many keys for indexed expression: expecting 1, received 2."},
    {"counter a\n/x/ {\n 1 = 2\n a++\n}\n",
     "t.mtail:3:2: Can't assign to expression on left; expecting a variable here."},
    {"counter a\n/x/ {\n del a\n}\n", "t.mtail:3:6: Cannot delete this."},
    {"counter a\n/(x)/ {\n a++\n strptime($1, \"2006-13\")\n}\n",
     "t.mtail:4:15: invalid time format string \"2006-13\""},
    {"counter a\n/(x)/ {\n a++\n strptime($1, $1)\n}\n",
     "t.mtail:4:15: Expecting a format string for argument 2 of strptime()"},
    {"counter a\n/(x)/ {\n a++\n len($1, $1)\n}\n",
     "t.mtail:4:2: call to `len': expecting 1 argument, got 2"},
    {"counter a\n\"x\" {\n a++\n}\n",
     "t.mtail:2:1: Can't interpret String as a boolean expression here."},
    /* RE2 has no lookaround or backreferences */
    {"counter a\n/(?=x)y/ {\n a++\n}\n", "t.mtail:2:1: lookahead"},
    {"counter a\n/(x)\\1/ {\n a++\n}\n", "t.mtail:2:1: backreference"},
};

int main(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        lt_options o = {.emit_prog_label = true};
        lt_progset *set = lt_progset_new(&o);
        ASSERT(set);
        errbuf e = {{0}, 0};
        int r =
            lt_progset_load(set, "t.mtail", cases[i].prog, strlen(cases[i].prog), errbuf_add, &e);
        ASSERT_MSG(r == OMX_ECONFIG, "case %zu compiled (r=%d):\n%s", i, r, cases[i].prog);
        ASSERT_MSG(strncmp(e.text, cases[i].err, strlen(cases[i].err)) == 0,
                   "case %zu:\nprogram:\n%s\nwant: %s\ngot:  %s", i, cases[i].prog, cases[i].err,
                   e.text);
        ASSERT_EQ(lt_progset_count(set), 0);
        lt_progset_free(set);
    }
    /* a bad reload keeps the program that was loaded */
    lt_progset *set = load_ok(NULL, "counter a\n/x/ { a++ }\n");
    errbuf e = {{0}, 0};
    ASSERT_EQ(lt_progset_load(set, "t.mtail", "junk {", 6, errbuf_add, &e), OMX_ECONFIG);
    ASSERT_EQ(lt_progset_count(set), 1);
    lt_progset_free(set);
    TEST_DONE();
}
