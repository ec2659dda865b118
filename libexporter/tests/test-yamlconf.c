/* YAML configuration reading (exporter/yamlconf.h) and Go durations. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/error.h"
#include "exporter/file.h"
#include "exporter/text.h"
#include "exporter/yamlconf.h"
#include "omx-test.h"

typedef struct conf {
    const char *name;
    bool on;
    int64_t count, timeout_ns;
    char **list;
    int seen_inner;
} conf;

static int p_name(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_string(y, v, key, &((conf *)ctx)->name);
}
static int p_on(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_bool(y, v, key, &((conf *)ctx)->on);
}
static int p_count(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_int(y, v, key, &((conf *)ctx)->count);
}
static int p_timeout(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    return omx_yaml_get_duration(y, v, key, &((conf *)ctx)->timeout_ns);
}
static int p_list(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    conf *c = ctx;
    c->list = omx_strv_free(c->list);
    return omx_yaml_get_strings(y, v, key, &c->list);
}
static int p_leaf(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    ((conf *)ctx)->seen_inner++;
    const char *s;
    return omx_yaml_get_string(y, v, key, &s);
}
static int p_inner(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    static const omx_yaml_field inner[] = {{"leaf", p_leaf}};
    return omx_yaml_map(y, v, key, inner, 1, ctx);
}

static const omx_yaml_field fields[] = {
    {"name", p_name},       {"on", p_on},     {"count", p_count},
    {"timeout", p_timeout}, {"list", p_list}, {"inner", p_inner},
};

/* Loads text as "t.yml" and walks it; returns the result, err holding the message. */
static int run(const char *text, conf *c, char *err, size_t errlen) {
    memset(c, 0, sizeof *c);
    omx_yaml *y;
    int r = omx_yaml_load_string("t.yml", text, strlen(text), &y, err, errlen);
    if (r < 0)
        return r;
    r = omx_yaml_map(y, omx_yaml_root(y), NULL, fields, sizeof fields / sizeof *fields, c);
    if (c->name) /* borrowed from the document: check before freeing it */
        ASSERT(strlen(c->name) > 0);
    omx_yaml_free(y);
    c->name = NULL;
    return r;
}

static void test_errors(void) {
    static const struct {
        const char *text, *err;
    } cases[] = {
        {"name: a\nbogus: 1\n", "t.yml:2:1: key \"bogus\": unknown key"},
        {"inner:\n  leaf: x\n  nope: y\n", "t.yml:3:3: key \"inner.nope\": unknown key"},
        {"name: a\nname: b\n", "t.yml:2:1: key \"name\": key given twice"},
        {"on: maybe\n", "t.yml:1:5: key \"on\": expected true or false"},
        {"count: 12x\n", "t.yml:1:8: key \"count\": expected an integer"},
        {"count: 99999999999999999999\n",
         "key \"count\": integer '99999999999999999999' out of range"},
        {"timeout: 5 s\n", "t.yml:1:10: key \"timeout\": invalid duration '5 s'"},
        {"timeout: [1]\n", "key \"timeout\": expected a duration"},
        {"list: a\n", "t.yml:1:7: key \"list\": expected a list"},
        {"list: [a, [b]]\n", "t.yml:1:11: key \"list\": expected a list of strings"},
        {"name: [x]\n", "key \"name\": expected a string"},
        {"- a\n- b\n", "t.yml:1:1: key \"(top level)\": expected a mapping"},
        {"inner: [x]\n", "t.yml:1:8: key \"inner\": expected a mapping"},
        {"? [a]\n: b\n", "key \"(top level)\": keys must be strings"},
        {"name: \"open\n", "t.yml:2:1: YAML error: found unexpected end of stream"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        conf c;
        char err[256] = "";
        ASSERT_EQ(run(cases[i].text, &c, err, sizeof err), OMX_ECONFIG);
        omx_strv_free(c.list);
        if (!strstr(err, cases[i].err))
            fprintf(stderr, "case %zu: got \"%s\"\nwant \"%s\"\n", i, err, cases[i].err);
        ASSERT(strstr(err, cases[i].err));
    }
}

static void test_values(void) {
    conf c;
    char err[256] = "";
    ASSERT_OK(run("name: probe\non: yes\ncount: -3\ntimeout: 1m30s\nlist: [a, \"b c\"]\n"
                  "inner:\n  leaf: x\n",
                  &c, err, sizeof err));
    ASSERT(c.on);
    ASSERT_EQ(c.count, -3);
    ASSERT(c.timeout_ns == 90000000000LL);
    ASSERT_STR_EQ(c.list[0], "a");
    ASSERT_STR_EQ(c.list[1], "b c");
    ASSERT(c.list[2] == NULL);
    ASSERT_EQ(c.seen_inner, 1);
    omx_strv_free(c.list);
    /* empty documents and empty values are empty mappings / lists */
    ASSERT_OK(run("", &c, err, sizeof err));
    ASSERT_OK(run("inner:\nlist:\n", &c, err, sizeof err));
    ASSERT(c.list && c.list[0] == NULL && c.seen_inner == 0);
    omx_strv_free(c.list);
    ASSERT_OK(run("inner: ~\n", &c, err, sizeof err));
}

static void test_nodes(void) {
    omx_yaml *y;
    char err[128];
    const char *t = "a: [1, 2]\nb: {x: y}\nc: \"null\"\nd: null\n";
    ASSERT_OK(omx_yaml_load_string("n.yml", t, strlen(t), &y, err, sizeof err));
    ASSERT_STR_EQ(omx_yaml_path(y), "n.yml");
    const omx_yaml_node *root = omx_yaml_root(y), *k, *v;
    ASSERT_EQ(omx_yaml_kind_of(root), OMX_YAML_MAPPING);
    ASSERT_EQ(omx_yaml_len(root), 4);
    ASSERT_OK(omx_yaml_pair(y, root, 0, &k, &v));
    ASSERT_STR_EQ(omx_yaml_scalar(k), "a");
    ASSERT_EQ(omx_yaml_kind_of(v), OMX_YAML_SEQUENCE);
    ASSERT_STR_EQ(omx_yaml_scalar(omx_yaml_item(y, v, 1)), "2");
    ASSERT(omx_yaml_item(y, v, 2) == NULL);
    ASSERT_OK(omx_yaml_pair(y, root, 2, &k, &v));
    ASSERT(!omx_yaml_is_empty(v)); /* quoted: a string */
    ASSERT_OK(omx_yaml_pair(y, root, 3, &k, &v));
    ASSERT(omx_yaml_is_empty(v));
    ASSERT_EQ(omx_yaml_pair(y, root, 4, &k, &v), OMX_ENOENT);
    ASSERT_EQ(omx_yaml_fail(y, NULL, NULL, "plain %d", 1), OMX_ECONFIG);
    ASSERT_STR_EQ(err, "n.yml: plain 1");
    ASSERT_EQ(omx_yaml_fail(y, root, "k", "x"), OMX_ECONFIG);
    ASSERT_STR_EQ(err, "n.yml:1:1: key \"k\": x");
    ASSERT(omx_yaml_free(y) == NULL);
    ASSERT(omx_yaml_free(NULL) == NULL);
    /* files: read through the bounded reader */
    ASSERT_EQ(omx_yaml_load_file("/nonexistent/x.yml", 0, &y, err, sizeof err), OMX_ECONFIG);
    ASSERT(y == NULL && strstr(err, "/nonexistent/x.yml: cannot read: No such file"));
    char path[] = "/tmp/omx-test-yaml-XXXXXX";
    int fd = mkstemp(path);
    ASSERT(fd >= 0);
    ASSERT_EQ(write(fd, "a: 1\n", 5), 5);
    close(fd);
    ASSERT_OK(omx_yaml_load_file(path, 0, &y, err, sizeof err));
    omx_yaml_free(y);
    ASSERT_EQ(omx_yaml_load_file(path, 4, &y, err, sizeof err), OMX_ECONFIG);
    ASSERT(strstr(err, "file too large"));
    unlink(path);
}

static void test_durations(void) {
    static const struct {
        const char *s;
        int want;
        int64_t ns;
    } cases[] = {
        {"0", 0, 0},
        {"5s", 0, 5000000000LL},
        {"1m30s", 0, 90000000000LL},
        {"100ms", 0, 100000000LL},
        {"1.5h", 0, 5400000000000LL},
        {".5s", 0, 500000000LL},
        {"250us", 0, 250000},
        {"250\xc2\xb5s", 0, 250000},
        {"3ns", 0, 3},
        {"1d", 0, 86400000000000LL},
        {"2w", 0, 1209600000000000LL},
        {"1y", 0, 31536000000000000LL},
        {"1h2m3s4ms", 0, 3723004000000LL},
        {"", -EINVAL, 0},
        {"5", -EINVAL, 0},
        {"s", -EINVAL, 0},
        {".s", -EINVAL, 0},
        {"-5s", -EINVAL, 0},
        {"5 s", -EINVAL, 0},
        {"5x", -EINVAL, 0},
        {"300y", -ERANGE, 0},
        {"9223372036854775807s", -ERANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t ns = -1;
        int r = omx_parse_duration(cases[i].s, &ns);
        if (r != cases[i].want)
            fprintf(stderr, "duration \"%s\": %d\n", cases[i].s, r);
        ASSERT_EQ(r, cases[i].want);
        if (r == 0)
            ASSERT(ns == cases[i].ns);
    }
}

int main(void) {
    test_errors();
    test_values();
    test_nodes();
    test_durations();
    TEST_DONE();
}
