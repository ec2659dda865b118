/* omx-node: sysfs attribute reads (sysfs_attr.c) on a temporary tree: values,
 * absent files, malformed content, directory fds, numbered names, attribute
 * tables and UTF-8 cleaning. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collectors/sysfs_attr.h"
#include "omx-test.h"

static char dir[64];

static void put(const char *name, const char *content) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ASSERT(f);
    ASSERT_EQ(fputs(content, f) >= 0, 1);
    ASSERT_OK(fclose(f));
}

static void test_numbers(void) {
    uint64_t u = 0;
    int64_t i = 0;
    ASSERT_OK(hw_attr_u64(dir, "u", &u));
    ASSERT_EQ(u, 42);
    ASSERT_OK(hw_attr_u64(dir, "max", &u));
    ASSERT(u == UINT64_MAX);
    ASSERT_OK(hw_attr_i64(dir, "neg", &i));
    ASSERT_EQ(i, -7);
    ASSERT_OK(hw_attr_i64(dir, "u", &i));
    ASSERT_EQ(i, 42);
    /* absent: 1, the value untouched */
    u = 5;
    ASSERT_EQ(hw_attr_u64(dir, "missing", &u), 1);
    ASSERT_EQ(u, 5);
    ASSERT_EQ(hw_attr_i64(dir, "missing", &i), 1);
    /* malformed: a negative errno */
    ASSERT(hw_attr_u64(dir, "junk", &u) < 0);
    ASSERT(hw_attr_u64(dir, "neg", &u) < 0);
    ASSERT(hw_attr_i64(dir, "junk", &i) < 0);
    ASSERT(hw_attr_u64(dir, "empty", &u) < 0);
}

static void test_strings(void) {
    char buf[64];
    ASSERT_OK(hw_attr_str(dir, "str", buf, sizeof buf));
    ASSERT_STR_EQ(buf, "Intel Corp."); /* blanks around it trimmed, first line only */
    ASSERT_OK(hw_attr_str(dir, "empty", buf, sizeof buf));
    ASSERT_STR_EQ(buf, "");
    ASSERT_EQ(hw_attr_str(dir, "missing", buf, sizeof buf), 1);
    ASSERT_EQ(hw_attr_str("/nonexistent-omx-dir", "x", buf, sizeof buf), 1);
    /* a name too long for a path is an error, not a truncated read */
    char longname[5000];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ASSERT(hw_attr_str(dir, longname, buf, sizeof buf) < 0);
}

static void test_at(void) {
    int dfd = hw_dir_open(AT_FDCWD, dir);
    ASSERT(dfd >= 0);
    uint64_t u = 0;
    char buf[64];
    ASSERT_OK(hw_attr_u64_at(dfd, dir, "u", &u));
    ASSERT_EQ(u, 42);
    ASSERT_OK(hw_attr_str_at(dfd, dir, "str", buf, sizeof buf));
    ASSERT_STR_EQ(buf, "Intel Corp.");
    ASSERT_EQ(hw_attr_u64_at(dfd, dir, "missing", &u), 1);
    ASSERT(hw_attr_u64_at(dfd, dir, "junk", &u) < 0);
    /* AT_FDCWD reads <dir>/<attr> */
    ASSERT_OK(hw_attr_u64_at(AT_FDCWD, dir, "u", &u));
    ASSERT_EQ(hw_dir_open(dfd, "missing"), -ENOENT);
    ASSERT_EQ(hw_dir_open(dfd, "u"), -ENOTDIR);
    int sub = hw_dir_open(dfd, "sub");
    ASSERT(sub >= 0);
    ASSERT_OK(hw_attr_str_at(sub, "sub", "name", buf, sizeof buf));
    ASSERT_STR_EQ(buf, "inner");
    close(sub);
    close(dfd);
}

static void test_result(void) {
    char buf[16] = "  \tx y";
    ASSERT_OK(hw_attr_result(0, dir, "x", buf));
    ASSERT_STR_EQ(buf, "x y");
    /* what a device that lacks the attribute answers on read is "absent" */
    static const int absent[] = {-ENOENT, -ENODEV, -EOPNOTSUPP, -ENXIO, -EAGAIN, -ENODATA, -EINVAL};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        ASSERT_EQ(hw_attr_result(absent[i], dir, "x", buf), 1);
    ASSERT_EQ(hw_attr_result(-EACCES, dir, "x", buf), -EACCES);
    ASSERT_EQ(hw_attr_result(-EIO, dir, "x", buf), -EIO);
    ASSERT_EQ(hw_fail("t", "/x", -EINVAL), -EINVAL);
    ASSERT_EQ(hw_fail("t", "/x", EIO), -EIO); /* a positive errno comes back negative */
    ASSERT_EQ(hw_bad_value("t", dir, "x", "v"), -EINVAL);
    ASSERT_EQ(hw_attr_parse_fail(dir, "x", -ERANGE), -ERANGE);
}

static void test_numbered(void) {
    const char *num = NULL;
    ASSERT(hw_name_numbered("cpu12", "cpu", &num));
    ASSERT_STR_EQ(num, "12");
    ASSERT(hw_name_numbered("cpu0", "cpu", NULL));
    ASSERT(!hw_name_numbered("cpu", "cpu", NULL));
    ASSERT(!hw_name_numbered("cpu1a", "cpu", NULL));
    ASSERT(!hw_name_numbered("cpufreq", "cpu", NULL));
    ASSERT(!hw_name_numbered("xcpu1", "cpu", NULL));
}

static void test_utf8(void) {
    char s[64];
    strcpy(s, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    hw_utf8_clean(s);
    ASSERT_STR_EQ(s, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"); /* valid: unchanged */
    strcpy(s, "a\xff"
              "b\xc0\xaf"
              "c\xed\xa0\x80"
              "d\xe2\x82"
              "e\xf4\x90\x80\x80"
              "f");
    hw_utf8_clean(s);
    /* invalid lead bytes, overlong, surrogate, truncated and >U+10FFFF sequences go */
    ASSERT_STR_EQ(s, "abcdef");
}

static const hw_column cols[] = {
    {"t_temp_celsius", "Temperature.", OMX_GAUGE},
    {"t_never", "Never set.", OMX_GAUGE},
    {"t_errors_total", "Errors.", OMX_COUNTER},
};

static int collect_table(omx_emitter *e, void *userdata) {
    (void)userdata;
    static const char *const labels[] = {"device"};
    hw_table t;
    hw_table_init(&t, cols, 3, labels, 1);
    for (int i = 0; i < 20; i++) { /* past the first allocation */
        char name[16];
        snprintf(name, sizeof name, "d%02d", i);
        double *v = hw_table_add(&t, (const char *const[]){name});
        ASSERT(v);
        ASSERT(isnan(v[0]) && isnan(v[1]) && isnan(v[2]));
        v[0] = i + 0.5;
        if (i % 10 == 0)
            v[2] = i;
    }
    int r = hw_table_emit(&t, e);
    hw_table_free(&t);
    ASSERT_EQ(t.n_rows, 0);
    hw_table_free(NULL);
    return r;
}

static void test_table(void) {
    omx_registry *reg = omx_registry_new();
    ASSERT(reg);
    ASSERT_OK(omx_registry_add_collector(reg, "table", collect_table, NULL, NULL));
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(reg, NULL, omx_buf_write_fn, &b));
    ASSERT(strstr(b.data, "# TYPE t_temp_celsius gauge\n"));
    ASSERT(strstr(b.data, "t_temp_celsius{device=\"d00\"} 0.5\n"));
    ASSERT(strstr(b.data, "t_temp_celsius{device=\"d19\"} 19.5\n"));
    ASSERT(!strstr(b.data, "t_never")); /* a column without a value is not emitted */
    ASSERT(strstr(b.data, "t_errors_total{device=\"d10\"} 10\n"));
    ASSERT(!strstr(b.data, "t_errors_total{device=\"d01\"}")); /* absent cells skipped */
    /* rows in insertion order */
    ASSERT(strstr(b.data, "{device=\"d03\"}") < strstr(b.data, "{device=\"d04\"}"));
    omx_buf_free(&b);
    omx_registry_free(reg);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/omx-sysfs-attr-XXXXXX");
    ASSERT(mkdtemp(dir));
    put("u", "42\n");
    put("max", "18446744073709551615\n");
    put("neg", "-7\n");
    put("junk", "12abc\n");
    put("empty", "");
    put("str", "  Intel Corp.  \nsecond line\n");
    char sub[96];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    ASSERT_OK(mkdir(sub, 0700));
    put("sub/name", "inner\n");

    test_numbers();
    test_strings();
    test_at();
    test_result();
    test_numbered();
    test_utf8();
    test_table();

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT_OK(system(cmd));
    TEST_DONE();
}
