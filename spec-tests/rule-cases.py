#!/usr/bin/python3
"""The MUST and MUST NOT rules of OpenMetrics 1.0 a parser can check, each
with cases of ours that it accepts and rejects.

rule-cases.py --write   (re)writes the cases named in RULES that have inputs
                        here into spec-tests/omx/ (other names must exist)
rule-cases.py --table   prints the rule table of spec-tests/README.md
rule-cases.py --check   fails when a named case is missing or a rule has no
                        accept or no reject case
"""
import json
import os
import sys

OMX = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'omx')

H = '# TYPE h histogram\n'
GH = '# TYPE h gaugehistogram\n'
S = '# TYPE s summary\n'
C = '# TYPE c counter\n'
E = '# EOF\n'

# (spec section, rule, accept cases, reject cases). A case is a name (an
# existing case) or (name, input) written by --write.
RULES = [
    ('Values', 'values are floats or integers; NaN, +Inf and -Inf MUST be supported',
     [('om_values_special', 'a NaN\nb +Inf\nc -Inf\nd 1.5e3\ne 0042\n' + E)],
     [('bad_om_value_word', 'a one\n' + E)]),
    ('Values / ABNF', 'floating point numbers MUST fit within the range of a 64-bit float',
     ['om_value_underflows_to_zero', ('om_value_largest_double', 'a 1.7976931348623157e308\n' + E)],
     ['bad_om_value_overflows_double']),
    ('Booleans', 'booleans MUST follow 1==true, 0==false (stateset values)',
     [('om_stateset_booleans', '# TYPE s stateset\ns{s="a"} 1\ns{s="b"} 0\n' + E)],
     [('bad_om_stateset_value_2', '# TYPE s stateset\ns{s="a"} 2\n' + E)]),
    ('Timestamps', 'timestamps MUST be Unix epoch seconds (negative and fractional MAY be used)',
     [('om_timestamp_negative_fraction', 'a 1 -1\nb 1 1700000000.123\n' + E)],
     [('bad_om_timestamp_nan', 'a 1 NaN\n' + E), ('bad_om_timestamp_inf', 'a 1 +Inf\n' + E)]),
    ('Strings', 'strings MUST be valid UTF-8 and MAY be empty; NULL MUST be supported',
     [('om_label_value_empty_and_nul', 'a{b="",c="\x00"} 1\n' + E)],
     ['bad_om_invalid_utf8', 'bad_om_overlong_utf8', 'bad_om_truncated_utf8_at_end']),
    ('LabelSet', 'label names MUST be unique within a LabelSet',
     [('om_labels_distinct', 'a{b="1",c="1"} 1\n' + E)],
     [('bad_om_duplicate_label', 'a{b="1",b="2"} 1\n' + E)]),
    ('LabelSet / ABNF', 'label names follow the ABNF ([a-zA-Z_][a-zA-Z0-9_]*)',
     [('om_label_name_chars', 'a{_b9="1",Z="2"} 1\n' + E)],
     [('bad_om_label_name_digit_first', 'a{9b="1"} 1\n' + E), ('bad_om_label_name_colon', 'a{b:c="1"} 1\n' + E)]),
    ('Exemplars', 'an exemplar\'s label names and values MUST NOT exceed 128 code points',
     ['om_exemplar_128_escapes'], ['bad_om_exemplar_129_escapes']),
    ('Exemplars', 'exemplars only on counter _total and (gauge)histogram _bucket samples',
     [('om_exemplar_on_total', C + 'c_total 1 # {t="1"} 1\n' + E)],
     [('bad_om_exemplar_on_gauge', '# TYPE g gauge\ng 1 # {t="1"} 1\n' + E),
      ('bad_om_exemplar_on_count', H + 'h_bucket{le="+Inf"} 1\nh_count 1 # {t="1"} 1\nh_sum 1\n' + E)]),
    ('Metric', 'MetricPoints of a Metric MUST have monotonically increasing timestamps',
     [('om_timestamps_increase', 'a 1 1\na 2 2\na 3 2\n' + E)],
     [('bad_om_timestamp_backwards', 'a 1 2\na 2 1\n' + E)]),
    ('MetricFamily', 'every Metric within a MetricFamily MUST have a unique LabelSet',
     [('om_labelsets_unique', 'a{b="1"} 1\na{b="2"} 1\n' + E)],
     ['bad_om_duplicate_sample', ('bad_om_labelset_repeated', 'a{b="1"} 1\na{b="2"} 1\na{b="1"} 1\n' + E)]),
    ('MetricFamily', 'MetricFamily names MUST be unique within a MetricSet',
     [('om_families_distinct', 'a 1\nb 1\n' + E)], ['bad_om_split_family']),
    ('MetricFamily', 'a family name MUST NOT clash with the sample names of another family',
     [('om_gauge_beside_counter', C + 'c_total 1\n# TYPE c_other gauge\nc_other 1\n' + E)],
     ['bad_om_gauge_name_clashes_counter',
      ('bad_om_gauge_created_clashes_counter', C + 'c_total 1\n# TYPE c_created gauge\nc_created 1\n' + E)]),
    ('MetricFamily / Unit', 'a non-empty UNIT MUST be a suffix of the family name after "_"',
     [('om_unit_suffix', '# TYPE a_seconds gauge\n# UNIT a_seconds seconds\na_seconds 1\n' + E)],
     [('bad_om_unit_not_suffix', '# TYPE a_seconds gauge\n# UNIT a_seconds bytes\na_seconds 1\n' + E),
      ('bad_om_unit_without_underscore', '# TYPE aseconds gauge\n# UNIT aseconds seconds\naseconds 1\n' + E)]),
    ('Gauge / Unknown', 'the value sample of a gauge or unknown family has no suffix, one value per point',
     [('om_gauge_plain', '# TYPE g gauge\ng 1\n' + E)],
     [('bad_om_gauge_two_points', '# TYPE g gauge\ng 1\ng 2\n' + E)]),
    ('Counter', 'a counter\'s Total is named _total and MUST NOT be NaN or negative',
     [('om_counter_total_zero', C + 'c_total 0\nc_created 1700000000\n' + E)],
     ['bad_om_counter_without_total', ('bad_om_counter_negative', C + 'c_total -1\n' + E),
      ('bad_om_counter_nan', C + 'c_total NaN\n' + E)]),
    ('StateSet', 'each state sample has a label named after the family; value 0 or 1; no suffix',
     [('om_stateset_label', '# TYPE s stateset\ns{s="a",x="1"} 1\n' + E)],
     [('bad_om_stateset_without_label', '# TYPE s stateset\ns{x="a"} 1\n' + E)]),
    ('StateSet / Info', 'StateSet and Info families MUST have an empty UNIT',
     [('om_info_empty_unit', '# TYPE i info\n# UNIT i \ni_info 1\n' + E)],
     [('bad_om_stateset_unit', '# TYPE s_a stateset\n# UNIT s_a a\ns_a{s_a="x"} 1\n' + E),
      ('bad_om_info_unit', '# TYPE i_a info\n# UNIT i_a a\ni_a_info 1\n' + E)]),
    ('Info', 'an info sample is named _info and its value MUST be 1',
     [('om_info_value_1', '# TYPE i info\ni_info{v="1"} 1\n' + E)],
     [('bad_om_info_value_2', '# TYPE i info\ni_info{v="1"} 2\n' + E)]),
    ('Histogram', 'a histogram point MUST have an le="+Inf" bucket; buckets are cumulative, le unique and sorted',
     [('om_histogram_inf_bucket', H + 'h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n' + E)],
     [('bad_om_histogram_no_inf', H + 'h_bucket{le="1"} 0\nh_count 0\nh_sum 0\n' + E),
      ('bad_om_histogram_not_cumulative', H + 'h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\n' + E),
      ('bad_om_histogram_le_repeated', H + 'h_bucket{le="1"} 0\nh_bucket{le="1"} 0\nh_bucket{le="+Inf"} 1\n' + E)]),
    ('Histogram', 'bucket thresholds MUST NOT be NaN',
     ['om_histogram_inf_bucket'], ['bad_om_bucket_le_nan']),
    ('Histogram', 'Sum and bucket values MUST NOT be NaN or negative',
     ['om_histogram_inf_bucket'],
     [('bad_om_histogram_sum_nan', H + 'h_bucket{le="+Inf"} 1\nh_count 1\nh_sum NaN\n' + E),
      ('bad_om_histogram_bucket_negative', H + 'h_bucket{le="+Inf"} -1\n' + E)]),
    ('Histogram', 'with negative thresholds a histogram point MUST NOT have a Sum',
     [('om_histogram_negative_le_no_sum', H + 'h_bucket{le="-1"} 0\nh_bucket{le="+Inf"} 1\n' + E)],
     [('bad_om_histogram_negative_le_with_sum', H + 'h_bucket{le="-1"} 0\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 1\n' + E)]),
    ('Histogram / GaugeHistogram / Summary', 'count and bucket values MUST be integers',
     ['om_histogram_integer_values_as_floats'],
     ['bad_om_histogram_bucket_not_integer', 'bad_om_histogram_count_not_integer',
      'bad_om_histogram_bucket_inf_value', 'bad_om_gaugehistogram_bucket_not_integer',
      'bad_om_summary_count_not_integer']),
    ('Histogram / GaugeHistogram', 'a histogram\'s Metric LabelSet MUST NOT have an "le" label',
     ['om_histogram_inf_bucket'], ['bad_om_histogram_le_on_count']),
    ('Histogram', 'a _count appears if and only if a _sum does, equal to the +Inf bucket',
     ['om_histogram_inf_bucket'],
     [('bad_om_histogram_sum_without_count', H + 'h_bucket{le="+Inf"} 1\nh_sum 1\n' + E),
      ('bad_om_histogram_count_not_inf_bucket', H + 'h_bucket{le="+Inf"} 1\nh_count 2\nh_sum 1\n' + E)]),
    ('Histogram / GaugeHistogram', 'an exemplar\'s value lies within its bucket (at most its le)',
     [('om_exemplar_in_bucket', H + 'h_bucket{le="1"} 1 # {} 1\nh_bucket{le="+Inf"} 1\n' + E)],
     ['bad_om_exemplar_above_bucket']),
    ('GaugeHistogram', 'a +Inf bucket; bucket values not negative or NaN; _gsum not NaN; _gcount with _gsum',
     [('om_gaugehistogram_negative_gsum', GH + 'h_bucket{le="-1"} 1\nh_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum -3\n' + E)],
     [('bad_om_gaugehistogram_no_inf', GH + 'h_bucket{le="1"} 1\n' + E),
      ('bad_om_gaugehistogram_gsum_nan', GH + 'h_bucket{le="+Inf"} 1\nh_gcount 1\nh_gsum NaN\n' + E),
      ('bad_om_gaugehistogram_gsum_without_gcount', GH + 'h_bucket{le="+Inf"} 1\nh_gsum 1\n' + E)]),
    ('Summary', 'Count and Sum MUST NOT be NaN or negative; Count MUST be an integer',
     [('om_summary_count_sum', S + 's_count 3\ns_sum 1.5\n' + E)],
     [('bad_om_summary_sum_negative', S + 's_count 1\ns_sum -1\n' + E),
      ('bad_om_summary_count_nan', S + 's_count NaN\ns_sum 1\n' + E), 'bad_om_summary_count_not_integer']),
    ('Summary', 'a summary\'s Metric LabelSet MUST NOT have a "quantile" label',
     ['om_summary_count_sum'], ['bad_om_summary_quantile_on_sum']),
    ('Summary', 'quantiles MUST be between 0 and 1; quantile values MUST NOT be negative',
     [('om_summary_quantiles_0_1', S + 's{quantile="0"} 1\ns{quantile="1"} 2\n' + E)],
     [('bad_om_summary_quantile_above_1', S + 's{quantile="1.5"} 1\n' + E),
      ('bad_om_summary_quantile_value_negative', S + 's{quantile="0.5"} -1\n' + E)]),
    ('Protocol', 'partial or invalid expositions MUST be considered erroneous in their entirety',
     ['om_dump_types'], [('bad_om_error_after_valid_lines', 'a 1\nb 1\nc x\n' + E)]),
    ('ABNF', 'UTF-8 without a byte order mark',
     [('om_utf8_label', 'a{b="\xe2\x98\x83"} 1\n' + E)],
     [('bad_om_bom', '\ufeffa 1\n' + E)]),
    ('ABNF', 'lines end with LF and MUST NOT contain CR',
     ['om_utf8_label'], ['bad_om_crlf', 'bad_om_no_newline_after_sample']),
    ('ABNF', 'expositions MUST end with # EOF (a final LF is a SHOULD)',
     [('om_eof_without_newline', 'a 1\n# EOF')],
     ['bad_om_eof_twice', ('bad_om_no_eof', 'a 1\n')]),
    ('ABNF', 'one space between tokens, no empty lines, no other comments',
     ['om_utf8_label'],
     ['bad_om_tab_separator', ('bad_om_empty_line', 'a 1\n\n' + E), ('bad_om_comment', '# hello\na 1\n' + E),
      ('bad_om_two_spaces', 'a  1\n' + E)]),
    ('ABNF / escaping', 'label values and HELP escape \\\\, \\" (labels) and \\n; a raw LF is not allowed',
     [('om_escapes', '# HELP a x\\\\y\\nz\na{b="\\"\\\\\\n"} 1\n' + E)],
     ['bad_om_escaped_newline']),
    ('Metadata', 'no more than one of each metadata line per family',
     ['om_unit_suffix'],
     [('bad_om_second_type', '# TYPE a gauge\n# TYPE a gauge\na 1\n' + E),
      ('bad_om_second_help', '# HELP a x\n# HELP a y\na 1\n' + E),
      ('bad_om_second_unit', '# TYPE a_s gauge\n# UNIT a_s s\n# UNIT a_s s\na_s 1\n' + E)]),
    ('Metadata', 'metadata comes before the family\'s samples; families MUST NOT be interleaved',
     [('om_type_help_unit_any_order', '# HELP a_s x\n# UNIT a_s s\n# TYPE a_s gauge\na_s 1\n' + E)],
     [('bad_om_type_after_samples', 'a 1\n# TYPE a gauge\n' + E),
      ('bad_om_families_interleaved', 'a 1\nb 1\na 2\n' + E)]),
    ('Metadata', 'without TYPE a family is of type unknown (so no counter exemplar)',
     [('om_no_type_is_unknown', 'a_total 1\n' + E)],
     [('bad_om_no_type_exemplar', 'a_total 1 # {} 1\n' + E)]),
    ('Metrics', 'MetricPoints and Metrics MUST NOT be interleaved',
     [('om_points_grouped', H + 'h_bucket{a="1",le="+Inf"} 1\nh_count{a="1"} 1\nh_sum{a="1"} 1\nh_bucket{a="2",le="+Inf"} 1\nh_count{a="2"} 1\nh_sum{a="2"} 1\n' + E)],
     [('bad_om_points_interleaved', H + 'h_bucket{a="1",le="+Inf"} 1\nh_bucket{a="2",le="+Inf"} 1\nh_count{a="1"} 1\nh_sum{a="1"} 1\n' + E)]),
]


def cases():
    for _, _, acc, rej in RULES:
        for c in acc:
            yield c, True
        for c in rej:
            yield c, False


def write():
    for c, ok in cases():
        if isinstance(c, str):
            continue
        name, text = c
        d = os.path.join(OMX, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, 'metrics'), 'wb') as f:
            f.write(text.encode('utf-8', 'surrogatepass'))
        with open(os.path.join(d, 'test.json'), 'w') as f:
            json.dump({'type': 'text', 'file': 'metrics', 'shouldParse': ok}, f, indent=2)
            f.write('\n')


def name_of(c):
    return c if isinstance(c, str) else c[0]


def check():
    bad = 0
    for sec, rule, acc, rej in RULES:
        if not acc or not rej:
            print('rule without accept or reject case:', rule)
            bad = 1
    for c, ok in cases():
        n = name_of(c)
        t = os.path.join(OMX, n, 'test.json')
        if not os.path.exists(t):
            print('missing case', n)
            bad = 1
        elif json.load(open(t))['shouldParse'] != ok:
            print('case %s should %s' % (n, 'parse' if ok else 'be rejected'))
            bad = 1
    return bad


def table():
    print('| section | rule | accepted | rejected |')
    print('|---|---|---|---|')
    for sec, rule, acc, rej in RULES:
        print('| %s | %s | %s | %s |' % (sec, rule.replace('|', '\\|'), ', '.join(name_of(c) for c in acc),
                                       ', '.join(name_of(c) for c in rej)))


if __name__ == '__main__':
    arg = sys.argv[1] if len(sys.argv) > 1 else '--check'
    if arg == '--write':
        write()
    elif arg == '--table':
        table()
    else:
        sys.exit(check())
