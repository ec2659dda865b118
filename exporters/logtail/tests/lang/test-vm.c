/* VM semantics: programs run over lines, checked through the export. */
#include <unistd.h>

#include "lt-test.h"
#include "progset.h"

#define T0 1700000000000000000LL

static char *run_prog(const lt_options *o, const char *prog, const char *const *lines) {
    lt_progset *set = load_ok(o, prog);
    feed(set, lines, T0);
    char *out = render(set);
    lt_progset_free(set);
    return out;
}

static void test_counters_and_scopes(void) {
    static const char *const lines[] = {"GET /a 200 12", "POST /b 500 3", "GET /a 200 1", "nothing",
                                        NULL};
    char *o = run_prog(NULL,
                       "counter lines\n"
                       "counter req by method, code\n"
                       "counter bytes by method\n"
                       "counter other\n"
                       "/^(?P<method>[A-Z]+) \\S+ (?P<code>\\d+) (\\d+)$/ {\n"
                       "  req[$method][$code]++\n"
                       "  bytes[$method] += $3\n"
                       "  /POST/ {\n"
                       "    req[$method, \"x\"]++\n"
                       "  }\n"
                       "} else {\n"
                       "  other++\n"
                       "}\n"
                       "/$/ {\n"
                       "  lines++\n"
                       "}\n",
                       lines);
    ASSERT_HAS(o, "# HELP lines defined at t.mtail:1:9-13\n# TYPE lines counter\n");
    ASSERT_HAS(o, "lines{prog=\"t.mtail\"} 4\n");
    ASSERT_HAS(o, "req{code=\"200\",method=\"GET\",prog=\"t.mtail\"} 2\n");
    ASSERT_HAS(o, "req{code=\"500\",method=\"POST\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "req{code=\"x\",method=\"POST\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "bytes{method=\"GET\",prog=\"t.mtail\"} 13\n");
    ASSERT_HAS(o, "other{prog=\"t.mtail\"} 1\n");
    free(o);
}

static void test_otherwise_stop_and_ops(void) {
    static const char *const lines[] = {"a 3", "b 4", "c 5", "stop here", "a 10", NULL};
    char *o = run_prog(NULL,
                       "counter a\ncounter b\ncounter none\ngauge g\ngauge f\ngauge s\n"
                       "/stop/ {\n  stop\n}\n"
                       "/(?P<n>\\d+)/ {\n"
                       "  /^a/ {\n    a++\n  }\n"
                       "  /^b/ {\n    b++\n  }\n"
                       "  otherwise {\n    none++\n  }\n"
                       "  g = $n * 2 + 1 << 1\n"
                       "  f = $n / 2.0\n"
                       "  $n ** 2 > 20 && !($n == 10) || $n < 0 {\n    s = $n % 3\n  }\n"
                       "}\n",
                       lines);
    ASSERT_HAS(o, "a{prog=\"t.mtail\"} 2\n");
    ASSERT_HAS(o, "b{prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "none{prog=\"t.mtail\"} 1\n");
    /* mtail's levels: shift binds looser than +: (10*2+1) << 1 */
    ASSERT_HAS(o, "g{prog=\"t.mtail\"} 42\n");
    ASSERT_HAS(o, "f{prog=\"t.mtail\"} 5\n");
    ASSERT_HAS(o, "s{prog=\"t.mtail\"} 2\n");
    free(o);
}

static void test_types_and_conversion_errors(void) {
    static const char *const lines[] = {"v=12", "v=1.5", "v=abc", "w=7", NULL};
    lt_options opt = {.emit_prog_label = false};
    char *o = run_prog(&opt,
                       "gauge i\ngauge f\ncounter later\n"
                       "/v=(?P<x>\\S+)/ {\n  i = int($x)\n  later++\n}\n"
                       "/w=(?P<y>\\d+)/ {\n  f = float($y) / 2\n}\n",
                       lines);
    /* "1.5" converts with int(); "abc" is a runtime error that skips the rest */
    ASSERT_HAS(o, "i 1\n");
    ASSERT_HAS(o, "later 2\n");
    ASSERT_HAS(o, "f 3.5\n");
    ASSERT_HAS(o, "mtail_prog_runtime_errors_total{prog=\"t.mtail\"} 1\n");
    ASSERT_LACKS(o, "prog=\"t.mtail\"} 1\ni");
    free(o);
}

/* Float % and ** go to libm, loaded on first use (fmath.c). */
static void test_float_mod_pow(void) {
    static const char *const lines[] = {"x=7.5 y=2", NULL};
    lt_options opt = {.emit_prog_label = false};
    char *o = run_prog(&opt,
                       "gauge m\ngauge p\n"
                       "/x=(?P<x>\\S+) y=(?P<y>\\d+)/ {\n"
                       "  m = float($x) % 2.0\n"
                       "  p = float($y) ** 0.5\n"
                       "}\n",
                       lines);
    ASSERT_HAS(o, "m 1.5\n");
    ASSERT_HAS(o, "p 1.4142135623730951\n");
    free(o);
}

static void test_builtins(void) {
    static const char *const lines[] = {"name=HeLLo-World hex=ff t=2024-01-02T03:04:05Z", NULL};
    char *o = run_prog(NULL,
                       "text low\ngauge l\ngauge h\ngauge ts\ncounter c by s, r\ngauge fn\n"
                       "/name=(?P<n>\\S+) hex=(?P<h>\\w+) t=(?P<t>\\S+)/ {\n"
                       "  low = tolower($n)\n"
                       "  l = len($n)\n"
                       "  h = strtol($h, 16)\n"
                       "  strptime($t, \"2006-01-02T15:04:05Z07:00\")\n"
                       "  ts = timestamp()\n"
                       "  c[subst(\"-\", \"_\", $n)][subst(/[aeiou]/, \"\", tolower($n))]++\n"
                       "  getfilename() =~ /x\\.log$/ {\n    fn = 1\n  }\n"
                       "}\n",
                       lines);
    ASSERT_HAS(o, "l{prog=\"t.mtail\"} 11\n");
    ASSERT_HAS(o, "h{prog=\"t.mtail\"} 255\n");
    ASSERT_HAS(o, "ts{prog=\"t.mtail\"} 1704164645\n");
    ASSERT_HAS(o, "c{prog=\"t.mtail\",r=\"hll-wrld\",s=\"HeLLo_World\"} 1\n");
    ASSERT_HAS(o, "fn{prog=\"t.mtail\"} 1\n");
    ASSERT_LACKS(o, "low"); /* text is never exported */
    free(o);
}

static void test_histogram_and_hidden(void) {
    static const char *const lines[] = {"t=0", "t=1", "t=1.5", "t=5", "t=100", NULL};
    char *o = run_prog(NULL,
                       "histogram lat buckets 1, 2, 5\nhidden counter seen\ngauge copy\n"
                       "/t=(?P<v>\\d+(\\.\\d+)?)/ {\n  lat = $v\n  seen++\n  copy = seen\n}\n",
                       lines);
    /* Prometheus' rule: 0 and 1 land in le=1, 5 in le=5 */
    ASSERT_HAS(o, "lat_bucket{prog=\"t.mtail\",le=\"1\"} 2\n");
    ASSERT_HAS(o, "lat_bucket{prog=\"t.mtail\",le=\"2\"} 3\n");
    ASSERT_HAS(o, "lat_bucket{prog=\"t.mtail\",le=\"5\"} 4\n");
    ASSERT_HAS(o, "lat_bucket{prog=\"t.mtail\",le=\"+Inf\"} 5\n");
    ASSERT_HAS(o, "lat_count{prog=\"t.mtail\"} 5\n");
    ASSERT_HAS(o, "lat_sum{prog=\"t.mtail\"} 107.5\n");
    ASSERT_LACKS(o, "seen{");
    ASSERT_HAS(o, "copy{prog=\"t.mtail\"} 5\n");
    free(o);
}

static void test_decorators(void) {
    static const char *const lines[] = {"[web] GET", "[db] GET", "GET", NULL};
    char *o = run_prog(NULL,
                       "counter c by host\ncounter outside\n"
                       "def tagged {\n  /^\\[(?P<host>\\w+)\\] / {\n    next\n  }\n}\n"
                       "@tagged {\n  /GET/ {\n    c[$host]++\n  }\n}\n"
                       "/^GET/ {\n  outside++\n}\n",
                       lines);
    ASSERT_HAS(o, "c{host=\"db\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "c{host=\"web\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "outside{prog=\"t.mtail\"} 1\n");
    free(o);
    /* a decoration inside a decorator: each next runs its own block */
    static const char *const l2[] = {"a b c", "a c", NULL};
    o = run_prog(NULL,
                 "counter c\n"
                 "def inner {\n  /b/ {\n    next\n  }\n}\n"
                 "def outer {\n  /a/ {\n    @inner {\n      next\n    }\n  }\n}\n"
                 "@outer {\n  /c/ {\n    c++\n  }\n}\n",
                 l2);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 1\n");
    free(o);
}

static void test_limit_del_and_expiry(void) {
    static const char *const lines[] = {"add a", "add b", "add c", "add d", "del c", "tmp x", NULL};
    lt_progset *set = load_ok(NULL, "counter c by k limit 2\ncounter d by k\ngauge t by k\n"
                                    "/add (?P<k>\\w)/ {\n  c[$k]++\n  d[$k]++\n}\n"
                                    "/del (?P<k>\\w)/ {\n  del d[$k]\n}\n"
                                    "/tmp (?P<k>\\w)/ {\n  t[$k] = 1\n  del t[$k] after 1h\n}\n");
    feed(set, lines, T0);
    char *o = render(set);
    /* limit 2 keeps the newest two */
    ASSERT_LACKS(o, "c{k=\"a\"");
    ASSERT_LACKS(o, "c{k=\"b\"");
    ASSERT_HAS(o, "c{k=\"c\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "c{k=\"d\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "logtail_series_evicted_total{prog=\"t.mtail\",metric=\"c\"} 2\n");
    ASSERT_LACKS(o, "d{k=\"c\"");
    ASSERT_HAS(o, "d{k=\"a\",prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "t{k=\"x\",prog=\"t.mtail\"} 1\n");
    free(o);
    lt_progset_tick(set, T0 + 1800 * 1000000000LL);
    o = render(set);
    ASSERT_HAS(o, "t{k=\"x\"");
    free(o);
    lt_progset_tick(set, T0 + 3601 * 1000000000LL);
    o = render(set);
    ASSERT_LACKS(o, "t{k=\"x\"");
    free(o);
    lt_progset_free(set);

    /* the set's default limit applies to metrics without their own */
    lt_options opt = {.emit_prog_label = true, .default_series_limit = 1};
    o = run_prog(&opt, "counter d by k\n/add (?P<k>\\w)/ {\n  d[$k]++\n}\n", lines);
    ASSERT_HAS(o, "d{k=\"d\",prog=\"t.mtail\"} 1\n");
    ASSERT_LACKS(o, "d{k=\"c\"");
    free(o);
}

static void test_reload_keeps_metrics(void) {
    static const char *const lines[] = {"x", "x", NULL};
    const char *p = "counter c\n/x/ {\n  c++\n}\n";
    lt_progset *set = load_ok(NULL, p);
    feed(set, lines, T0);
    ASSERT_OK(lt_progset_load(set, "t.mtail", p, strlen(p), NULL, NULL));
    char *o = render(set);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 2\n");
    ASSERT_HAS(o, "mtail_prog_loads_total{prog=\"t.mtail\"} 2\n");
    free(o);
    const char *q = "counter c\n/y/ {\n  c++\n}\n";
    ASSERT_OK(lt_progset_load(set, "t.mtail", q, strlen(q), NULL, NULL));
    o = render(set);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 0\n");
    free(o);
    /* two programs export one family */
    ASSERT_OK(lt_progset_load(set, "u.mtail", p, strlen(p), NULL, NULL));
    feed(set, lines, T0);
    o = render(set);
    ASSERT_HAS(o, "# TYPE c counter\nc{prog=\"t.mtail\"} 0\nc{prog=\"u.mtail\"} 2\n");
    free(o);
    lt_progset_free(set);
}

static void test_hostile_keys(void) {
    /* a NUL in a key becomes U+FFFD: one series for both lines, valid output */
    lt_progset *set = load_ok(NULL, "counter c by k\n/k=(?P<k>\\S+)/ {\n  c[$k]++\n}\n");
    for (int i = 0; i < 2; i++) {
        lt_line l = {.text = "k=\0a", .len = 4, .filename = "x", .time_ns = T0};
        ASSERT_OK(lt_progset_run(set, &l));
    }
    lt_line big = {.text = NULL, .len = 0, .filename = NULL, .time_ns = T0};
    ASSERT_OK(lt_progset_run(set, &big)); /* an empty line without text */
    char *o = render(set);
    ASSERT_HAS(o, "c{k=\"\xEF\xBF\xBD"
                  "a\",prog=\"t.mtail\"} 2\n");
    free(o);
    lt_progset_free(set);
}

static void test_match_limit(void) {
    /* exponential backtracking stops at the match limit: a counted error */
    lt_options opt = {.emit_prog_label = true, .regex_match_limit = 1000};
    static const char *const lines[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaacb", "ab", NULL};
    char *o = run_prog(&opt, "counter c\n/^(a|a)*b/ {\n  c++\n}\n", lines);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "mtail_prog_runtime_errors_total{prog=\"t.mtail\"} 1\n");
    free(o);
}

static void test_timestamps(void) {
    lt_options opt = {.emit_prog_label = true, .emit_metric_timestamp = true};
    static const char *const lines[] = {"t=1700000123", NULL};
    char *o = run_prog(&opt, "counter c\n/t=(?P<t>\\d+)/ {\n  settime($t)\n  c++\n}\n", lines);
    ASSERT_HAS(o, "c{prog=\"t.mtail\"} 1 1700000123000\n");
    free(o);
}

static void test_gate(void) {
    /* gated programs (pattern blocks only) and one that is not, side by side */
    static const char *const lines[] = {"alpha 1", "beta 2", "beta x", "gamma", NULL};
    lt_progset *set = load_ok(NULL, "counter a\ncounter b\n/^alpha (\\d+)/ {\n  a += $1\n}\n"
                                    "/beta (\\d+)$/ {\n  b += $1\n}\n");
    const char *u = "counter all\nall++\n";
    const char *v = "counter o\n/zzz/ {\n  o++\n}\notherwise {\n  o += 10\n}\n";
    ASSERT_OK(lt_progset_load(set, "u.mtail", u, strlen(u), NULL, NULL));
    ASSERT_OK(lt_progset_load(set, "v.mtail", v, strlen(v), NULL, NULL));
    feed(set, lines, T0);
    char *o = render(set);
    ASSERT_HAS(o, "a{prog=\"t.mtail\"} 1\n");
    ASSERT_HAS(o, "b{prog=\"t.mtail\"} 2\n");
    ASSERT_HAS(o, "all{prog=\"u.mtail\"} 4\n");
    ASSERT_HAS(o, "o{prog=\"v.mtail\"} 40\n");
    free(o);
    lt_progset_free(set);
}

static void test_json(void) {
    static const char *const lines[] = {"k=a v=2", NULL};
    lt_progset *set = load_ok(NULL, "counter c by k\nhistogram h buckets 1, 5\n"
                                    "/k=(?P<k>\\w) v=(?P<v>\\d+)/ {\n  c[$k] += $v\n  h = $v\n}\n");
    feed(set, lines, T0);
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(lt_progset_write_json(set, &b, 1 << 20));
    ASSERT_HAS(b.data, "\"c\": [");
    ASSERT_HAS(b.data, "\"Kind\": 1");
    ASSERT_HAS(b.data,
               "\"Labels\": [\"a\"], \"Value\": {\"Value\": 2, \"Time\": 1700000000000000000}");
    ASSERT_HAS(b.data, "\"Buckets\": {\"1\": 0, \"5\": 1, \"+Inf\": 0}, \"Count\": 1, \"Sum\": 2");
    ASSERT_HAS(b.data, "{\"Min\": \"5\", \"Max\": \"+Inf\"}");
    omx_buf_free(&b);
    lt_progset_free(set);
}

static void test_load_path(void) {
    char dir[] = "/tmp/lt-test-XXXXXX";
    ASSERT(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/a.mtail", dir);
    FILE *f = fopen(path, "w");
    ASSERT(f);
    fputs("counter a\n/x/ {\n a++\n}\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/b.mtail", dir);
    f = fopen(path, "w");
    ASSERT(f);
    fputs("counter b\n/x/ {\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/ignored.txt", dir);
    f = fopen(path, "w");
    ASSERT(f);
    fclose(f);
    lt_progset *set = lt_progset_new(NULL);
    errbuf e = {{0}, 0};
    ASSERT_EQ(lt_progset_load_path(set, dir, errbuf_add, &e), OMX_ECONFIG);
    ASSERT_EQ(lt_progset_count(set), 1);
    ASSERT_HAS(e.text, "b.mtail:3:1: unexpected end of file");
    snprintf(path, sizeof(path), "%s/a.mtail", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/b.mtail", dir);
    unlink(path);
    ASSERT_OK(lt_progset_load_path(set, dir, NULL, NULL));
    ASSERT_EQ(lt_progset_count(set), 0);
    snprintf(path, sizeof(path), "%s/ignored.txt", dir);
    unlink(path);
    rmdir(dir);
    ASSERT(lt_progset_load_path(set, dir, NULL, NULL) == -ENOENT);
    lt_progset_free(set);
}

/* Prefilters left out after a run of lines that all passed them change no
 * result: the regex still decides. */
static void test_prefilter_skip(void) {
    lt_options opt = {.emit_prog_label = false};
    lt_progset *set = load_ok(&opt, "counter a\ncounter b\ncounter c\n"
                                    "/key=(\\d+)/ {\n  a++\n}\n"
                                    "/^k(\\d)/ {\n  b++\n}\n"
                                    "/$/ {\n  /ab(c)/ {\n    c++\n  }\n}\n");
    /* a gated program (pattern blocks only) beside it */
    const char *g = "counter g\n/abc/ {\n  g++\n}\n";
    ASSERT_OK(lt_progset_load(set, "u.mtail", g, strlen(g), NULL, NULL));
    ASSERT(set->progs[1]->n_gate == 1);
    char line[64];
    int64_t want_a = 0, want_b = 0, want_c = 0;
    for (int i = 0; i < 3 * LT_SKIP_RUN; i++) {
        /* long stretches that pass, then lines that do not */
        bool pass = (i / 300) % 4 != 3;
        snprintf(line, sizeof line, pass ? "key=%d abc" : "kez=%d abd", i % 10);
        want_a += pass;
        want_c += pass;
        lt_line l = {.text = line, .len = strlen(line), .filename = "f", .time_ns = T0};
        ASSERT_OK(lt_progset_run(set, &l));
    }
    char *o = render(set);
    char exp[64];
    snprintf(exp, sizeof exp, "a %lld\n", (long long)want_a);
    ASSERT_HAS(o, exp);
    snprintf(exp, sizeof exp, "b %lld\n", (long long)want_b);
    ASSERT_HAS(o, exp);
    snprintf(exp, sizeof exp, "c %lld\n", (long long)want_c);
    ASSERT_HAS(o, exp);
    snprintf(exp, sizeof exp, "g %lld\n", (long long)want_c);
    ASSERT_HAS(o, exp);
    free(o);
    lt_progset_free(set);
}

static void test_begin(void) {
    static const char *const lines[] = {"xa", "xb", "c", NULL};
    lt_options opt = {.emit_prog_label = false};
    lt_progset *set = load_ok(&opt, "gauge up\ncounter lines\ncounter seen by k\ngauge t\n"
                                    "begin {\n  up = 1\n  seen[\"none\"] = 0\n"
                                    "  t = timestamp() > 1000\n  /./ {\n    lines++\n  }\n}\n"
                                    "/x/ {\n  lines++\n}\n"
                                    "begin {\n  up += 1\n}\n");
    /* begin ran at load (against an empty line: its /./ did not match) */
    char *o = render(set);
    ASSERT_HAS(o, "up 2\n");
    ASSERT_HAS(o, "seen{k=\"none\"} 0\n");
    ASSERT_HAS(o, "t 1\n");
    ASSERT_HAS(o, "lines 0\n");
    free(o);
    feed(set, lines, T0);
    o = render(set);
    ASSERT_HAS(o, "up 2\n"); /* not run again per line */
    ASSERT_HAS(o, "lines 2\n");
    free(o);
    /* the program is a gated one despite its begin blocks */
    ASSERT(set->progs[0]->n_gate == 1);
    lt_progset_free(set);
    /* `begin` is only a block at the top level and before `{` */
    set = load_ok(&opt, "counter begin\n/x/ {\n  begin++\n}\n");
    feed(set, (const char *const[]){"x", NULL}, T0);
    o = render(set);
    ASSERT_HAS(o, "begin 1\n");
    free(o);
    lt_progset_free(set);
}

static void test_defined(void) {
    static const char *const lines[] = {"user=bob id=1", "id=2", "user= id=3", NULL};
    lt_options opt = {.emit_prog_label = false};
    char *o = run_prog(&opt,
                       "counter named\ncounter anon\ncounter by_user by u\n"
                       "/(user=(?P<u>\\w*) )?id=(?P<id>\\d+)/ {\n"
                       "  defined($u) {\n    named++\n    by_user[$u]++\n  } else {\n"
                       "    anon++\n  }\n"
                       "  defined($id) && !defined($1) {\n    anon += 10\n  }\n"
                       "}\n",
                       lines);
    /* an empty match is defined; a group outside the match is not */
    ASSERT_HAS(o, "named 2\n");
    ASSERT_HAS(o, "anon 11\n");
    ASSERT_HAS(o, "by_user{u=\"bob\"} 1\n");
    ASSERT_HAS(o, "by_user{u=\"\"} 1\n");
    free(o);
    /* groups of a pattern that did not match this line (the other side of
     * `||` held) are not defined and read empty, whatever an earlier line did */
    static const char *const more[] = {"axyz", "b", "b", NULL};
    o = run_prog(&opt,
                 "counter q\ncounter e\n"
                 "/a(?P<q>xy)?z/ || len(\"b\") == 1 {\n  defined($q) {\n    q++\n  }\n"
                 "  $q == \"\" {\n    e++\n  }\n}\n",
                 more);
    ASSERT_HAS(o, "q 1\n");
    ASSERT_HAS(o, "e 2\n");
    free(o);
}

static void test_log_filter(void) {
    lt_options opt = {.emit_prog_label = true};
    lt_progset *set = lt_progset_new(&opt);
    ASSERT(set);
    const char *a = "counter n\nlog_filter /access\\.log$/\nlog_filter /^\\/srv\\//\n"
                    "/$/ {\n  n++\n}\n";
    const char *b = "counter n\n/$/ {\n  n++\n}\n";
    errbuf e = {{0}, 0};
    ASSERT_OK(lt_progset_load(set, "a.mtail", a, strlen(a), errbuf_add, &e));
    ASSERT_OK(lt_progset_load(set, "b.mtail", b, strlen(b), errbuf_add, &e));
    static const char *const files[] = {"/var/log/access.log",   "/var/log/access.log",
                                        "/var/log/error.log",    "/srv/x",
                                        "/var/log/access.log.1", NULL};
    for (size_t i = 0; files[i]; i++) {
        lt_line l = {.text = "x", .len = 1, .filename = files[i], .time_ns = T0};
        ASSERT_OK(lt_progset_run(set, &l));
    }
    lt_line none = {.text = "x", .len = 1, .filename = NULL, .time_ns = T0};
    ASSERT_OK(lt_progset_run(set, &none));
    char *o = render(set);
    ASSERT_HAS(o, "n{prog=\"a.mtail\"} 3\n");
    ASSERT_HAS(o, "n{prog=\"b.mtail\"} 6\n");
    free(o);
    lt_progset_free(set);
}

int main(void) {
    test_counters_and_scopes();
    test_otherwise_stop_and_ops();
    test_types_and_conversion_errors();
    test_float_mod_pow();
    test_builtins();
    test_histogram_and_hidden();
    test_decorators();
    test_limit_del_and_expiry();
    test_reload_keeps_metrics();
    test_hostile_keys();
    test_match_limit();
    test_timestamps();
    test_gate();
    test_json();
    test_load_path();
    test_prefilter_skip();
    test_begin();
    test_defined();
    test_log_filter();
    TEST_DONE();
}
