/* Flag parsing: every spelling, defaults, repeatable flags and each error. */
#include <stdbool.h>

#include "exporter/error.h"
#include "flags.h"
#include "omx-test.h"

typedef struct vals {
    bool b, b2;
    const char *s;
    const char *const *list;
    long i;
    double d;
} vals;

static const char *const default_list[] = {":9100", NULL};

static void setup(omx__flags *fs, vals *v) {
    memset(fs, 0, sizeof *fs);
    *v = (vals){.b = false, .b2 = true, .s = "def", .list = default_list, .i = 40, .d = 1.5};
    ASSERT(omx__flags_add(fs, OMX__FLAG_BOOL, "collector.cpu", &v->b, "cpu") == 0);
    ASSERT(omx__flags_add(fs, OMX__FLAG_BOOL, "collector.mem", &v->b2, "mem") == 0);
    ASSERT(omx__flags_add(fs, OMX__FLAG_STRING, "path.procfs", &v->s, "procfs") == 0);
    ASSERT(omx__flags_add(fs, OMX__FLAG_STRINGS, "web.listen-address", &v->list, "listen") == 0);
    ASSERT(omx__flags_add(fs, OMX__FLAG_INT, "web.max-requests", &v->i, "max") == 0);
    ASSERT(omx__flags_add(fs, OMX__FLAG_DOUBLE, "timeout", &v->d, "t") == 0);
}

static int parse(omx__flags *fs, char *err, int argc, char **argv) {
    err[0] = '\0';
    return omx__flags_parse(fs, argc, argv, err, 256);
}

#define ARGV(...) ((char *[]){"prog", __VA_ARGS__})
#define ARGC(...) ((int)(sizeof((char *[]){"prog", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(...) parse(&fs, err, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

int main(void) {
    omx__flags fs;
    vals v;
    char err[256];

    /* Defaults stay when nothing is given. */
    setup(&fs, &v);
    ASSERT(parse(&fs, err, 1, (char *[]){"prog"}) == 0);
    ASSERT(!v.b && v.b2 && !strcmp(v.s, "def") && v.list == default_list && v.i == 40);
    omx__flags_free(&fs);

    /* Every spelling. */
    setup(&fs, &v);
    ASSERT(PARSE("--collector.cpu", "--no-collector.mem", "--path.procfs=/p", "--web.max-requests",
                 "7", "--timeout=2.5", "--web.listen-address=:1", "--web.listen-address",
                 "[::1]:2") == 0);
    ASSERT(v.b && !v.b2);
    ASSERT_STR_EQ(v.s, "/p");
    ASSERT(v.i == 7 && v.d == 2.5);
    ASSERT(v.list != default_list);
    ASSERT_STR_EQ(v.list[0], ":1");
    ASSERT_STR_EQ(v.list[1], "[::1]:2");
    ASSERT(v.list[2] == NULL);
    omx__flags_free(&fs);

    setup(&fs, &v);
    ASSERT(PARSE("--collector.cpu=true", "--collector.mem=false", "--path.procfs=") == 0);
    ASSERT(v.b && !v.b2);
    ASSERT_STR_EQ(v.s, "");
    omx__flags_free(&fs);

    /* A value that starts with dashes is taken as the value. */
    setup(&fs, &v);
    ASSERT(PARSE("--path.procfs", "--weird") == 0);
    ASSERT_STR_EQ(v.s, "--weird");
    omx__flags_free(&fs);

    /* Errors name the flag. */
    static const struct {
        const char *args[3];
        const char *want;
    } bad[] = {
        {{"--nope"}, "unknown flag --nope"},
        {{"--nope=1"}, "unknown flag --nope"},
        {{"--no-path.procfs"}, "unknown flag --no-path.procfs"},
        {{"--no-collector.cpu=true"}, "unknown flag --no-collector.cpu"},
        {{"--web.max-requests=x"}, "--web.max-requests"},
        {{"--web.max-requests=12abc"}, "--web.max-requests"},
        {{"--web.max-requests"}, "flag --web.max-requests needs a value"},
        {{"--timeout=nan"}, "--timeout"},
        {{"--collector.cpu=maybe"}, "--collector.cpu"},
        {{"--path.procfs=a", "--path.procfs=b"}, "--path.procfs given more than once"},
        {{"positional"}, "unexpected argument 'positional'"},
        {{"-x"}, "unexpected argument '-x'"},
        {{"--"}, "unexpected argument '--'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *argv[4] = {"prog"};
        int argc = 1;
        for (int j = 0; j < 3 && bad[i].args[j]; j++)
            argv[argc++] = (char *)bad[i].args[j];
        setup(&fs, &v);
        ASSERT(parse(&fs, err, argc, argv) == OMX_EINVAL);
        if (!strstr(err, bad[i].want))
            fprintf(stderr, "case %zu: error '%s' lacks '%s'\n", i, err, bad[i].want);
        ASSERT(strstr(err, bad[i].want) != NULL);
        omx__flags_free(&fs);
    }

    /* Bad declarations. */
    setup(&fs, &v);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_BOOL, "collector.cpu", &v.b, "dup") == OMX_EINVAL);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_BOOL, "no-thing", &v.b, "x") == OMX_EINVAL);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_BOOL, "", &v.b, "x") == OMX_EINVAL);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_BOOL, "a b", &v.b, "x") == OMX_EINVAL);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_BOOL, "ok", NULL, "x") == OMX_EINVAL);

    /* Usage lists every flag with its default. */
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    omx__flags_usage(&fs, f);
    fclose(f);
    ASSERT(strstr(out, "--[no-]collector.cpu") != NULL);
    ASSERT(strstr(out, "--path.procfs=VALUE") != NULL);
    ASSERT(strstr(out, "(default: def)") != NULL);
    ASSERT(strstr(out, "(default: :9100)") != NULL);
    ASSERT(strstr(out, "(default: 40)") != NULL);
    ASSERT(strstr(out, "(repeatable)") != NULL);
    free(out);
    omx__flags_free(&fs);
    omx__flags_free(NULL);

    /* Durations, spelled as Go spells them. */
    static const struct {
        const char *in;
        double want;
    } durs[] = {
        {"5s", 5}, {"250ms", 0.25}, {"1m30s", 90},   {"1h", 3600}, {"1.5s", 1.5},
        {"2", 2},  {"0", 0},        {"100us", 1e-4}, {"3m", 180},
    };
    for (size_t i = 0; i < sizeof durs / sizeof *durs; i++) {
        double d = -1;
        ASSERT(omx__parse_duration(durs[i].in, &d) == 0);
        ASSERT(d > durs[i].want - 1e-9 && d < durs[i].want + 1e-9);
    }
    static const char *const bad_durs[] = {"", "s", "5x", "-5s", "5s-", "1m+2s", "ms5", "+1s"};
    for (size_t i = 0; i < sizeof bad_durs / sizeof *bad_durs; i++) {
        double d = 7;
        ASSERT(omx__parse_duration(bad_durs[i], &d) == OMX_EINVAL);
        ASSERT(d == 7);
    }
    double dur = 5;
    memset(&fs, 0, sizeof fs);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_DURATION, "web.read-header-timeout", &dur, "h") == 0);
    ASSERT(PARSE("--web.read-header-timeout=1m30s") == 0);
    ASSERT(dur == 90);
    omx__flags_free(&fs);
    memset(&fs, 0, sizeof fs);
    ASSERT(omx__flags_add(&fs, OMX__FLAG_DURATION, "web.read-header-timeout", &dur, "h") == 0);
    ASSERT(PARSE("--web.read-header-timeout=soon") == OMX_EINVAL);
    ASSERT(strstr(err, "want a duration") != NULL);
    f = open_memstream(&out, &outlen);
    omx__flags_usage(&fs, f);
    fclose(f);
    ASSERT(strstr(out, "--web.read-header-timeout=DURATION") != NULL);
    ASSERT(strstr(out, "(default: 90s)") != NULL);
    free(out);
    omx__flags_free(&fs);
    TEST_DONE();
}
