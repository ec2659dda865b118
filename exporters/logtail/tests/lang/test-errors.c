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
    {"counter a\n/(x)/ {\n defined(\"x\") {\n  a++\n }\n}\n",
     "t.mtail:3:10: Expecting a capture group for argument 1 of defined()."},
    {"counter a\n/x/ {\n defined($1) {\n  a++\n }\n}\n",
     "t.mtail:3:10: Capture group `$1' was not defined"},
    {"counter a\n/x/ {\n defined() {\n  a++\n }\n}\n",
     "t.mtail:3:2: call to `defined': expecting 1 argument, got 0"},
    {"counter a\nlog_filter /(x/\n/x/ { a++ }\n", "t.mtail:2:12: missing closing parenthesis"},
    {"counter a\nlog_filter /x/ a\n/x/ { a++ }\n", "t.mtail:2:16: syntax error"},
    {"counter a\nbegin {\n $1 > 0 { a++ }\n}\n", "t.mtail:3:2: Capture group `$1' was not defined"},
    {"counter a\nbegin\n/x/ { a++ }\n", "t.mtail:2:1: Identifier `begin' not declared."},
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
    {"histogram h buckets 1\n/x/ {\n h = 1\n}\n",
     "t.mtail:1:11: a histogram need at least two boundaries"},
    {"histogram h buckets 2, 1\n/x/ {\n h = 1\n}\n",
     "t.mtail:1:11: buckets boundaries must be sorted"},
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

/* Programs that must compile: the grammar's corners. */
static const char *const valid[] = {
    "",
    "# only a comment\n",
    "stop\n",
    "counter a\n/x/ { a++ }\n",
    "counter a\nconst P /a/ +\n  /b/\nconst Q /c/\n/^/ + P + Q + /d$/ {\n  a++\n}\n",
    "counter a\n/x/ {\n  a++\n} else {\n  a--\n}\notherwise {\n  a += 2\n}\n",
    "counter a by x, y\n/(?P<x>.)(.)/ {\n  a[$x][$2]++\n  a[$x, $2] += 2\n  a[$0, \"k\"] = 1\n}\n",
    "gauge g by k\n/(?P<k>.)/ {\n  g[$k] = 1\n  del g[$k] after 1h30m\n  del g[$k]\n}\n",
    "counter odd as \"odd-name\"\n/x/ {\n  odd++\n}\n",
    "counter c by k limit 10\n/(?P<k>.)/ {\n  c[$k]++\n}\n",
    "hidden text t\ntimer tm\n/(.*)/ {\n  t = $1\n  tm = 1.5e3\n}\n",
    "gauge g\n/(\\d+)/ {\n  g = ($1 + -1) * 2 ** 3 / 4 % 5 - 6 << 1 >> 1 & 7 | 8 ^ 9\n}\n",
    "counter a\n/(\\d+)/ &&\n  $1 > 1 ||\n  ~($1 == 2) {\n  a++\n}\n",
    "counter a\n/(?P<s>\\w+)/ {\n  $s !~ /x/ {\n    a++\n  }\n  $s =~ /y/ {\n    a++\n  }\n}\n",
    "text t\n/(?P<s>\\w+)/ {\n  t = subst(/a+/, \"b\", tolower($s)) + string(len($s))\n}\n",
    "counter a\ndef d {\n  /(?P<x>x)/ {\n    next\n  }\n}\n@d {\n  $x == \"x\" {\n    a++\n  }\n}\n",
    ("gauge g\n/(?P<t>\\S+)/ {\n  strptime($t, \"2006-01-02\")\n  settime(timestamp() + 1)\n"
     "  g = int(\"3\") + float(\"1.5\") + strtol(\"ff\", 16)\n  bool(\"true\") {\n    g++\n  }\n}\n"),
    "counter a\ngetfilename() =~ /x/ {\n  a++\n}\n",
    "histogram h buckets -1, 0, 0.5, 1e3 by k\n/(?P<k>.) (?P<v>\\d+\\.\\d+)/ {\n  h[$k] = $v\n}\n",
};

int main(void) {
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        lt_progset *set = load_ok(NULL, valid[i]);
        ASSERT_EQ(lt_progset_count(set), 1);
        lt_line l = {.text = "a 1.5 x 2024-01-02", .len = 18, .filename = "f", .time_ns = 1};
        ASSERT_OK(lt_progset_run(set, &l));
        free(render(set));
        lt_progset_free(set);
    }
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
