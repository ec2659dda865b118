/* Each validation rule: input, format, and the exact "line:col: message"
 * prefix expected (NULL = valid). */
#include "check.h"
#include "omx-test.h"

#define OM OMP_FORMAT_OPENMETRICS
#define PR OMP_FORMAT_PROMETHEUS

static const struct {
    omp_format f;
    const char *in;
    const char *err; /* expected error prefix, or NULL */
} cases[] = {
    /* syntax */
    {OM, "a 1\n# EOF\n", NULL},
    {OM, "a 1\n\n# EOF\n", "2:1: empty line"},
    {OM, "a{b=\"c\"} 1\n# EOF\n", NULL},
    {OM, "a{b=\"c\" } 1\n# EOF\n", "1:8: expected ',' or '}'"},
    {OM, "a{b=c} 1\n# EOF\n", "1:5: expected '\"'"},
    {OM, "a{b} 1\n# EOF\n", "1:4: expected '='"},
    {OM, "a{,} 1\n# EOF\n", "1:3: expected a label name"},
    {OM, "a{b=\"1\",} 1\n# EOF\n", "1:9: expected a label name"},
    {OM, "a{b=\"1\",b=\"2\"} 1\n# EOF\n", "1:9: duplicate label name 'b'"},
    {OM, "a{b=\"\xff\"} 1\n# EOF\n", "1:6: invalid UTF-8"},
    {OM, "a{b=\"x} 1\n# EOF\n", "1:10: unterminated label value"},
    {OM, "a  1\n# EOF\n", "1:3: expected a number"},
    {OM, "a 1 \n# EOF\n", "1:5: expected a timestamp"},
    {OM, "a 0x10\n# EOF\n", "1:3: expected a number"},
    {OM, "a 1 1 1\n# EOF\n", "1:6: expected end of line"},
    {OM, "a 1 NaN\n# EOF\n", "1:5: expected a timestamp"},
    {OM, "a 1\n# EOF", NULL},
    {OM, "a 1", "1:4: missing newline"},
    {OM, "", "1:1: missing '# EOF'"},
    {OM, "a 1\n", "1:1: missing '# EOF'"},
    {OM, "# EOF\na 1\n", "2:1: content after '# EOF'"},
    {OM, "# EOF\n\n", "2:1: content after '# EOF'"},
    {OM, "#a\n# EOF\n", "1:2: expected '# HELP'"},
    {OM, "# FOO a b\n# EOF\n", "1:3: expected HELP, TYPE, UNIT or EOF"},
    {OM, "# HELP a\n# EOF\n", "1:9: expected a space after the metric name"},
    {OM, "# TYPE a untyped\n# EOF\n", "1:10: unknown metric type 'untyped'"},
    {OM, "# UNIT a_s s s\n# EOF\n", "1:13: invalid character in unit"},
    /* metadata */
    {OM, "# HELP a x\n# HELP a y\n# EOF\n", "2:1: second HELP for a"},
    {OM, "# TYPE a gauge\n# TYPE a gauge\n# EOF\n", "2:1: second TYPE for a"},
    {OM, "# TYPE a gauge\na 1\n# HELP a x\n# EOF\n", "3:1: metadata for a after its samples"},
    {OM, "# UNIT a seconds\n# EOF\n", "1:10: unit 'seconds' is not the suffix"},
    {OM, "# UNIT a_seconds seconds\n# EOF\n", NULL},
    {OM, "# TYPE a_b info\n# UNIT a_b b\n# EOF\n", "2:1: info a_b must not have a UNIT"},
    /* families */
    {OM, "a 1\nb 1\na 2\n# EOF\n", "3:1: metric family a appears again"},
    {OM, "# TYPE a_created gauge\n# TYPE a counter\n# EOF\n", "3:1: metric family a clashes"},
    {OM, "# TYPE a counter\na 1\n# EOF\n", "2:1: metric family a appears again"},
    {OM, "# TYPE a counter\na_total 1\na_created 1\n# EOF\n", NULL},
    {OM, "a 1\na 2\n# EOF\n", "2:1: duplicate sample a"},
    {OM, "a{x=\"1\"} 1\na{x=\"2\"} 1\na{x=\"1\"} 1\n# EOF\n", "3:1: label set seen earlier"},
    {OM, "a{x=\"1\",y=\"2\"} 1\na{y=\"2\",x=\"1\"} 1\n# EOF\n", "2:1: duplicate sample"},
    /* values */
    {OM, "# TYPE a counter\na_total -1\n# EOF\n", "2:9: _total value must not be negative"},
    {OM, "# TYPE a counter\na_total NaN\n# EOF\n", "2:9: _total value must not be NaN"},
    {OM, "# TYPE a gauge\na -1\n# EOF\n", NULL},
    {OM, "# TYPE a info\na_info 2\n# EOF\n", "2:8: info sample value must be 1"},
    {OM, "# TYPE a stateset\na{a=\"x\"} 0.5\n# EOF\n",
     "2:10: stateset sample value must be 0 or 1"},
    {OM, "# TYPE a stateset\na{b=\"x\"} 1\n# EOF\n", "2:1: stateset a sample lacks the label a"},
    {OM, "# TYPE a summary\na{quantile=\"2\"} 1\n# EOF\n", "2:13: invalid quantile"},
    {OM, "# TYPE a summary\na{quantile=\"0.5\"} -1\n# EOF\n",
     "2:19: quantile value must not be negative"},
    {OM, "# TYPE a summary\na 1\n# EOF\n", "2:1: summary a sample lacks the quantile label"},
    /* histograms */
    {OM,
     "# TYPE a histogram\na_bucket{le=\"1\"} 1\na_bucket{le=\"+Inf\"} 2\na_count 2\na_sum 3\n# EOF\n",
     NULL},
    {OM, "# TYPE a histogram\na_bucket{le=\"1\"} 1\n# EOF\n",
     "3:1: histogram a (point starting on line 2) has no +Inf bucket"},
    {OM, "# TYPE a histogram\na_bucket{le=\"2\"} 1\na_bucket{le=\"1\"} 1\n# EOF\n",
     "3:14: buckets out of order"},
    {OM, "# TYPE a histogram\na_bucket{le=\"1\"} 2\na_bucket{le=\"+Inf\"} 1\n# EOF\n",
     "3:21: bucket values decrease"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_count 1\na_sum 1\n# EOF\n",
     "5:1: histogram a (point starting on line 2) _count differs"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+Inf\"} 2\na_sum 1\n# EOF\n",
     "4:1: histogram a (point starting on line 2) has _sum without _count"},
    {OM, "# TYPE a histogram\na_bucket{le=\"+INF\"} 2\n# EOF\n", "2:14: invalid le value"},
    {OM, "# TYPE a histogram\na_bucket 2\n# EOF\n", "2:1: a_bucket sample lacks the le label"},
    {OM, "# TYPE a gaugehistogram\na_bucket{le=\"+Inf\"} 1\na_gcount 1\na_gsum -1\n# EOF\n",
     "5:1: gaugehistogram a (point starting on line 2) has a negative _gsum"},
    /* timestamps and exemplars */
    {OM, "a 1 2\na 1 1\n# EOF\n", "2:1: timestamp goes backwards"},
    {OM, "a 1 1\na 1\n# EOF\n", "2:1: samples of one metric point mix timestamps"},
    {OM, "a 1 1\na 1 1\n# EOF\n", NULL},
    {OM, "# TYPE a gauge\na 1 # {a=\"b\"} 1\n# EOF\n", "2:1: exemplars are only allowed"},
    {OM, "# TYPE a counter\na_total 1 # {a=\"b\"} 1 NaN\n# EOF\n", "2:23: expected a timestamp"},
    {OM, "# TYPE a counter\na_total 1 #{a=\"b\"} 1\n# EOF\n", "2:11: expected '# {'"},
    {OM, "# TYPE a counter\na_total 1 # {a=\"b\"}\n# EOF\n",
     "2:20: expected a space after exemplar labels"},
    /* "Count and bucket values MUST be integers" */
    {OM,
     "# TYPE h histogram\nh_bucket{le=\"1\"} 0.5\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n# EOF\n",
     "2:18: _bucket value must be an integer"},
    {OM, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1.5\nh_sum 1\n# EOF\n",
     "3:9: _count value must be an integer"},
    {OM, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} +Inf\n# EOF\n",
     "2:21: _bucket value must be an integer"},
    {OM, "# TYPE h gaugehistogram\nh_bucket{le=\"+Inf\"} 1\nh_gcount 0.5\nh_gsum 1\n# EOF\n",
     "3:10: _gcount value must be an integer"},
    {OM, "# TYPE s summary\ns_count 1.5\ns_sum 1\n# EOF\n", "2:9: _count value must be an integer"},
    {OM,
     "# TYPE h histogram\nh_bucket{le=\"1\"} 0.0\nh_bucket{le=\"+Inf\"} 1e0\nh_count 1.0\nh_sum 1\n# EOF\n",
     NULL},
    /* le and quantile belong to buckets and quantiles only */
    {OM, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count{le=\"1\"} 1\n# EOF\n",
     "3:1: h: only _bucket samples have the le label"},
    {OM, "# TYPE s summary\ns_count 1\ns_sum{quantile=\"0.5\"} 1\n# EOF\n",
     "3:1: s: only quantile samples have the quantile label"},
    /* an exemplar lies within its bucket */
    {OM, "# TYPE h histogram\nh_bucket{le=\"1\"} 0 # {} 5\nh_bucket{le=\"+Inf\"} 1\n# EOF\n",
     "2:1: exemplar value above the bucket's le"},
    {OM, "# TYPE h histogram\nh_bucket{le=\"1\"} 0 # {} 1\nh_bucket{le=\"+Inf\"} 1 # {} 7\n# EOF\n",
     NULL},
    /* numbers fit a double */
    {OM, "# TYPE a counter\na_total 1.5e400\n# EOF\n", "2:9: invalid number"},
    {OM, "a 1e-400\n# EOF\n", NULL},
    /* Prometheus 0.0.4 */
    {PR, "a 1\n\n# anything\n  b{c=\"d\",} 2 1000\n", NULL},
    {PR, "a 1", "1:4: missing newline at end of input"},
    {PR, "a 1\n  ", NULL},
    /* 0.0.4 metadata: one HELP and one TYPE per family over the whole
	 * document, TYPE before the first sample (as Prometheus' parser). */
    {PR, "# HELP a x\n# HELP a y\na 1\n", "2:1: second HELP for a"},
    {PR, "# HELP a x\na 1\n# HELP b y\nb 1\n# HELP a z\n", "5:1: second HELP for a"},
    {PR, "# TYPE a gauge\n# TYPE a gauge\na 1\n", "2:1: second TYPE for a"},
    {PR, "a 1\n# TYPE a gauge\n", "2:1: second TYPE for a, or TYPE after its samples"},
    {PR, "# TYPE a summary\na_count 1\na_sum 1\n# TYPE a summary\n", "4:1: second TYPE for a"},
    {PR, "# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b counter\nb 1\n", NULL},
    {PR, "# HELP a x\na 1\n", NULL},
    {PR, "a 1\nb 1\na 2\n", NULL},
    {PR, "a{b=\"\\x\"} 1\n", "1:6: invalid escape in label value"},
    {PR, "a{b=\"\\\"\\\\\\n\"} 1\n", NULL},
    {PR, "# HELP a x\\y\na 1\n", "1:11: invalid escape in HELP text"},
    {PR, "# HELP a x\\\na 1\n", "1:11: invalid escape in HELP text"},
    {PR, "# HELP a x\\\\ \\n\na 1\n", NULL},
    {PR, "a{__name__=\"x\"} 1\n", "1:3: label name __name__ is reserved"},
    {PR, "# TYPE a summary\na{quantile=\"x\"} 1\n", "2:13: invalid quantile value"},
    {PR, "# TYPE a histogram\na_bucket{le=\"x\"} 1\n", "2:14: invalid le value"},
    {PR, "a 1 1.5\n", "1:5: expected a timestamp in milliseconds"},
    {PR, "# TYPE a stateset\n", "1:10: unknown metric type 'stateset'"},
    {PR, "a{b=\"1\",b=\"2\"} 1\n", "1:9: duplicate label name 'b'"},
    {PR, "a 1 # {} 1\n", "1:5: expected a timestamp"},
    {PR, "a{b=\"\xc3\"} 1\n", "1:6: invalid UTF-8"},
    {PR, "a 0x1p-2\n", "1:3: hexadecimal floats are not allowed"},
    {PR, "a 1 \n", "1:4: whitespace at the end of the line"},
    {PR, "a 1 1000\t\n", "1:9: whitespace at the end of the line"},
    {PR, "# TYPE a gauge \n", "1:10: unknown metric type 'gauge '"},
    {PR, "a\n", "1:2: expected whitespace before the value"},
};

int main(void) {
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        summary s = parse_all(cases[i].f, cases[i].in, strlen(cases[i].in), NULL);
        if (!cases[i].err) {
            ASSERT_MSG(s.rc == 0, "case %zu: unexpected error: %s", i, s.err);
            continue;
        }
        ASSERT_MSG(s.rc != 0 && strncmp(s.err, cases[i].err, strlen(cases[i].err)) == 0,
                   "case %zu: got rc=%d \"%s\", expected \"%s...\"", i, s.rc, s.err, cases[i].err);
        ASSERT(strchr(s.err, '\n') == NULL);
    }
    TEST_DONE();
}
