/* The bounded file reader and directory listing (exporter/file.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "exporter/file.h"
#include "omx-test.h"

static char dir[] = "/tmp/omx-test-file-XXXXXX";

static const char *at(const char *name) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void put(const char *name, const char *text) {
    FILE *f = fopen(at(name), "w");
    ASSERT(f && fputs(text, f) >= 0 && fclose(f) == 0);
}

static void test_read_file(void) {
    static const struct {
        const char *name, *text;
        size_t max;
        int want;
    } cases[] = {
        {"small", "hello\n", 64, 0},
        {"exact", "0123456789", 10, 0},      /* max bytes exactly: accepted */
        {"over", "0123456789a", 10, -EFBIG}, /* one more: refused, not truncated */
        {"empty", "", 10, 0},
        {"big", NULL, 100000, 0}, /* larger than the first allocation */
        {"bigover", NULL, 99999, -EFBIG},
    };
    char big[100001];
    memset(big, 'x', 100000);
    big[100000] = '\0';
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *text = cases[i].text ? cases[i].text : big;
        put(cases[i].name, text);
        char *data = (char *)1;
        size_t len = 12345;
        int r = omx_read_file(at(cases[i].name), cases[i].max, &data, &len);
        ASSERT_EQ(r, cases[i].want);
        if (r == 0) {
            ASSERT_EQ(len, strlen(text));
            ASSERT_STR_EQ(data, text);
            free(data);
        }
        /* the _at form with a directory fd gives the same */
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        ASSERT(dfd >= 0);
        r = omx_read_file_at(dfd, cases[i].name, cases[i].max, 0, &data, NULL);
        ASSERT_EQ(r, cases[i].want);
        if (r == 0) {
            ASSERT_STR_EQ(data, text);
            free(data);
        }
        close(dfd);
    }
    char *data;
    ASSERT_EQ(omx_read_file(at("missing"), 10, &data, NULL), -ENOENT);
    ASSERT_EQ(omx_read_file(dir, 10, &data, NULL), -EISDIR);
    ASSERT_EQ(omx_read_file(NULL, 10, &data, NULL), -EINVAL);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_special_files(void) {
    /* a FIFO without a writer: refused at once, and with OMX_READ_ANY_TYPE read
     * without blocking (EOF) */
    ASSERT_OK(mkfifo(at("fifo"), 0600));
    alarm(10); /* a hang fails the test instead of the build */
    double t0 = now();
    char *data, line[32];
    ASSERT_EQ(omx_read_file(at("fifo"), 100, &data, NULL), -EINVAL);
    ASSERT_EQ(omx_read_line(at("fifo"), line, sizeof line), -EINVAL);
    int r = omx_read_file_at(AT_FDCWD, at("fifo"), 100, OMX_READ_ANY_TYPE, &data, NULL);
    ASSERT(r == 0 || r == -EAGAIN);
    if (r == 0) {
        ASSERT_STR_EQ(data, "");
        free(data);
    }
    /* /dev/zero never ends: refused, or capped when any type is allowed */
    if (access("/dev/zero", R_OK) == 0) {
        ASSERT_EQ(omx_read_file("/dev/zero", 1 << 16, &data, NULL), -EINVAL);
        ASSERT_EQ(omx_read_file_at(AT_FDCWD, "/dev/zero", 1 << 16, OMX_READ_ANY_TYPE, &data, NULL),
                  -EFBIG);
    }
    ASSERT(now() - t0 < 5);
    alarm(0);
}

static void test_lines(void) {
    static const struct {
        const char *text, *want;
        size_t size;
    } cases[] = {
        {"42\n", "42", 32},
        {"a b  \t\r\nsecond\n", "a b", 32},
        {"no newline", "no newline", 32},
        {"0123456789", "0123", 5}, /* cut to the buffer */
        {"", "", 32},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        put("line", cases[i].text);
        char buf[32];
        ASSERT_OK(omx_read_line(at("line"), buf, cases[i].size));
        ASSERT_STR_EQ(buf, cases[i].want);
        int fd = open(at("line"), O_RDONLY);
        ASSERT(fd >= 0);
        ASSERT_OK(omx_pread_line(fd, buf, cases[i].size));
        ASSERT_STR_EQ(buf, cases[i].want);
        ASSERT_OK(omx_pread_line(fd, buf, cases[i].size)); /* again from offset 0 */
        ASSERT_STR_EQ(buf, cases[i].want);
        char *data;
        ASSERT_OK(omx_read_fd(fd, 64, &data, NULL));
        ASSERT_STR_EQ(data, cases[i].text);
        free(data);
        close(fd);
    }
    char buf[4];
    ASSERT_EQ(omx_read_line(at("line"), buf, 0), -EINVAL);
    ASSERT_EQ(omx_read_line_at(AT_FDCWD, at("missing"), buf, sizeof buf), -ENOENT);
}

static void test_numbers(void) {
    uint64_t u;
    int64_t i;
    double d;
    put("u", "18446744073709551615\n");
    ASSERT_OK(omx_read_u64(at("u"), &u));
    ASSERT(u == UINT64_MAX);
    put("i", "-12\n");
    ASSERT_OK(omx_read_i64(at("i"), &i));
    ASSERT_EQ(i, -12);
    ASSERT_EQ(omx_read_u64(at("i"), &u), -EINVAL);
    put("d", "2.5\n");
    ASSERT_OK(omx_read_double(at("d"), &d));
    ASSERT(d == 2.5);
    put("junk", "12 kB\n");
    ASSERT_EQ(omx_read_double(at("junk"), &d), -EINVAL);
    ASSERT_EQ(omx_read_u64(at("missing"), &u), -ENOENT);
}

static void test_list_dir(void) {
    char sub[300];
    snprintf(sub, sizeof sub, "%s/list", dir);
    ASSERT_OK(mkdir(sub, 0700));
    char **names;
    ASSERT_OK(omx_list_dir(sub, &names));
    ASSERT(names[0] == NULL);
    names = omx_strv_free(names);
    ASSERT(names == NULL);
    /* more entries than the first array and sorted whatever the creation order */
    for (int k = 39; k >= 0; k--) {
        char p[400];
        snprintf(p, sizeof p, "%s/e%02d", sub, k);
        FILE *f = fopen(p, "w");
        ASSERT(f && fclose(f) == 0);
    }
    ASSERT_OK(omx_list_dir(sub, &names));
    size_t n = 0;
    for (; names[n]; n++) {
        char want[8];
        snprintf(want, sizeof want, "e%02zu", n);
        ASSERT_STR_EQ(names[n], want);
    }
    ASSERT_EQ(n, 40);
    omx_strv_free(names);
    ASSERT_EQ(omx_list_dir(at("missing"), &names), -ENOENT);
    ASSERT_EQ(omx_list_dir(at("u"), &names), -ENOTDIR);
    ASSERT(omx_strv_free(NULL) == NULL);
}

int main(void) {
    ASSERT(mkdtemp(dir));
    test_read_file();
    test_special_files();
    test_lines();
    test_numbers();
    test_list_dir();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT_OK(system(cmd));
    TEST_DONE();
}
