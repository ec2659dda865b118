/* Limits: hostile input hits a clear error instead of exhausting memory, and
 * streaming keeps at most one line whatever the input size. */
#include "check.h"
#include "internal.h"
#include "omx-test.h"

static char *repeat(const char *unit, size_t n, const char *tail) {
    size_t ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(ul * n + tl + 1);
    for (size_t i = 0; i < n; i++)
        memcpy(s + i * ul, unit, ul);
    memcpy(s + ul * n, tail, tl + 1);
    return s;
}

int main(void) {
    summary s;
    char *in;

    /* line length, whole buffer and streamed */
    in = repeat("a", 200, " 1\n# EOF\n");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), &(omp_limits){.max_line_len = 100});
    ASSERT_EQ(s.rc, -E2BIG);
    ASSERT_STR_EQ(s.err, "1:1: line longer than the limit of 100 bytes");
    size_t cut = 50;
    s = parse_split(OMP_FORMAT_OPENMETRICS, in, strlen(in), &cut, 1,
                    &(omp_limits){.max_line_len = 100});
    ASSERT_EQ(s.rc, -E2BIG);
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), NULL);
    ASSERT_EQ(s.rc, 0);
    free(in);

    /* labels per sample */
    in = malloc(10000);
    strcpy(in, "a{");
    for (int i = 0; i < 300; i++)
        sprintf(in + strlen(in), "%sl%d=\"v\"", i ? "," : "", i);
    strcat(in, "} 1\n# EOF\n");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), NULL);
    ASSERT_EQ(s.rc, -E2BIG);
    ASSERT(strstr(s.err, "more than 256 labels") != NULL);
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), &(omp_limits){.max_labels = 300});
    ASSERT_EQ(s.rc, 0);
    free(in);

    /* samples */
    in = repeat("a 1 1\n", 11, "# EOF\n");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), &(omp_limits){.max_samples = 10});
    ASSERT_EQ(s.rc, -E2BIG);
    ASSERT_STR_EQ(s.err, "11:1: more than 10 samples");
    free(in);

    /* families */
    in = malloc(100000);
    in[0] = '\0';
    for (int i = 0; i < 100; i++)
        sprintf(in + strlen(in), "f%d 1\n", i);
    strcat(in, "# EOF\n");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), &(omp_limits){.max_families = 10});
    ASSERT_EQ(s.rc, -E2BIG);
    ASSERT(strstr(s.err, "more than 10 metric families") != NULL);

    /* label sets per family */
    in[0] = '\0';
    for (int i = 0; i < 100; i++)
        sprintf(in + strlen(in), "a{i=\"%d\"} 1\n", i);
    strcat(in, "# EOF\n");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), &(omp_limits){.max_groups = 50});
    ASSERT_EQ(s.rc, -E2BIG);
    ASSERT_STR_EQ(s.err, "51:1: more than 50 label sets in family a");
    s = parse_all(OMP_FORMAT_OPENMETRICS, in, strlen(in), NULL);
    ASSERT_EQ(s.rc, 0);
    free(in);

    /* Streaming keeps only one line: 1 MB of samples in 7-byte pieces
	 * never grows the carry beyond the longest line. */
    {
        omp_parser *p;
        omp_entry e;
        const char *line = "metric_with_a_long_name{label=\"value\"} 12345\n";
        size_t ll = strlen(line), fed = 0, maxcarry = 0;
        unsigned n = 0;
        int r;
        char piece[7];

        ASSERT_EQ(omp_parser_new(&p, OMP_FORMAT_PROMETHEUS, NULL), 0);
        for (size_t off = 0; fed < (1u << 20); off += sizeof(piece)) {
            for (size_t i = 0; i < sizeof(piece); i++)
                piece[i] = line[(off + i) % ll];
            ASSERT_EQ(omp_parser_feed(p, piece, sizeof(piece)), 0);
            fed += sizeof(piece);
            while ((r = omp_next(p, &e)) > 0)
                n++;
            ASSERT_EQ(r, -EAGAIN);
            if (p->carry_cap > maxcarry)
                maxcarry = p->carry_cap;
        }
        omp_parser_finish(p);
        while ((r = omp_next(p, &e)) > 0)
            n++;
        ASSERT(n > 20000);
        ASSERT(maxcarry <= 64);
        p = omp_parser_free(p);
        ASSERT(p == NULL);
    }
    ASSERT(omp_parser_free(NULL) == NULL);
    TEST_DONE();
}
