/* Streaming: feeding an input in pieces gives exactly the entries and the
 * error of parsing it whole, for every split point of every spec-tests case
 * (both formats), byte by byte, and for three-way random splits. */
#include <dirent.h>
#include <sys/stat.h>

#include "check.h"
#include "omx-test.h"

static int inputs;

static void same(const summary *a, const summary *b, const char *what, size_t cut) {
    ASSERT_MSG(a->rc == b->rc && a->entries == b->entries && a->hash == b->hash &&
                   strcmp(a->err, b->err) == 0,
               "%s (cut %zu): whole rc=%d n=%u \"%s\" / split rc=%d n=%u \"%s\"", what, cut, a->rc,
               a->entries, a->err, b->rc, b->entries, b->err);
}

static void check_input(const char *what, const char *buf, size_t len) {
    for (int f = OMP_FORMAT_OPENMETRICS; f <= OMP_FORMAT_PROMETHEUS; f++) {
        summary whole = parse_all(f, buf, len, NULL);
        size_t cuts[3];

        for (size_t c = 0; c <= len; c++) {
            summary s = parse_split(f, buf, len, &c, 1, NULL);
            same(&whole, &s, what, c);
        }
        if (len < 4096) {
            size_t *all = malloc(sizeof(size_t) * (len + 1));
            for (size_t i = 0; i < len; i++)
                all[i] = i + 1;
            summary s = parse_split(f, buf, len, all, len ? len - 1 : 0, NULL);
            same(&whole, &s, what, 1);
            free(all);
        }
        for (int r = 0; r < 20 && len > 2; r++) {
            cuts[0] = (size_t)rand() % len;
            cuts[1] = cuts[0] + (size_t)rand() % (len - cuts[0]);
            cuts[2] = cuts[1] + (size_t)rand() % (len - cuts[1] + 1);
            summary s = parse_split(f, buf, len, cuts, 3, NULL);
            same(&whole, &s, what, cuts[0]);
        }
    }
    inputs++;
}

static void walk(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *de;
    char path[4096];

    if (!d)
        return;
    while ((de = readdir(d))) {
        struct stat st;
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path);
        } else if (strcmp(de->d_name, "metrics") == 0) {
            FILE *fp = fopen(path, "rb");
            char *buf = malloc((size_t)st.st_size + 1);
            size_t n = fread(buf, 1, (size_t)st.st_size, fp);
            fclose(fp);
            check_input(path, buf, n);
            free(buf);
        }
    }
    closedir(d);
}

int main(void) {
    static const char *const builtin[] = {
        "# TYPE a histogram\na_bucket{le=\"1\"} 1 # {t=\"x\"} 1 2\na_bucket{le=\"+Inf\"} 2\na_count 2\na_sum 1\n# EOF",
        "a{b=\"\\\\ \\n \\\"\"} 1\n# EOF\n",
        "a 1\r\n",
        "no newline at all",
        "",
        "\n\n\n",
    };
    const char *src = getenv("OMX_SRC");
    char dir[4096];

    srand(1);
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        check_input(builtin[i], builtin[i], strlen(builtin[i]));
    if (src) {
        snprintf(dir, sizeof(dir), "%s/spec-tests", src);
        walk(dir);
    }
    printf("%d inputs\n", inputs);
    ASSERT(inputs > 200 || !src);
    TEST_DONE();
}
