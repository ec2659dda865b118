/* procfs fds kept between reads (helpers/keepfd.c) give fresh content, are bounded
 * to procfs, and never hide a replaced non-procfs file. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "exporter/file.h"
#include "omx-test.h"

static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    ASSERT(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static unsigned long long ctxt_of(const char *stat) {
    const char *p = strstr(stat, "\nctxt ");
    ASSERT(p);
    return strtoull(p + 6, NULL, 10);
}

int main(void) {
    char *a, *b;
    size_t la, lb;
    struct statfs sf;
    if (access("/proc/stat", R_OK) < 0 || statfs("/proc", &sf) < 0 || sf.f_type != 0x9fa0) {
        printf("SKIP: /proc is not a procfs mount with /proc/stat\n");
        return 77;
    }
    /* first read opens and keeps one fd; later reads open nothing */
    int n0 = count_fds();
    ASSERT(omx_read_file("/proc/stat", 1 << 20, &a, &la) == 0);
    int n1 = count_fds();
    ASSERT(n1 == n0 + 1);
    /* a kept fd re-read at offset 0 gives fresh text: the system-wide context switch
     * count goes up across sleeps */
    for (int i = 0; i < 5; i++)
        usleep(2000);
    ASSERT(omx_read_file("/proc/stat", 1 << 20, &b, &lb) == 0);
    ASSERT(count_fds() == n1);
    ASSERT(la > 0 && lb > 0 && !strncmp(a, "cpu ", 4) && !strncmp(b, "cpu ", 4));
    ASSERT(ctxt_of(b) > ctxt_of(a));
    free(a);
    free(b);
    /* the size cap still applies to a kept fd */
    ASSERT(omx_read_file("/proc/stat", 16, &a, NULL) == -EFBIG);
    ASSERT(count_fds() == n1);

    /* first-line reads share the cache */
    char line[128], line2[128];
    ASSERT(omx_read_line("/proc/loadavg", line, sizeof line) == 0);
    int n2 = count_fds();
    ASSERT(n2 == n1 + 1);
    ASSERT(omx_read_line("/proc/loadavg", line2, sizeof line2) == 0);
    ASSERT(count_fds() == n2 && strchr(line, '/') && strchr(line2, '/'));

    /* per-process files are not kept */
    ASSERT(omx_read_file("/proc/self/status", 1 << 20, &a, NULL) == 0);
    free(a);
    ASSERT(count_fds() == n2);

    /* a file outside procfs (fixture tree under --path.procfs) is never kept: a file
     * replaced between scrapes is read anew */
    char dir[] = "/tmp/omx-node-fdcache-XXXXXX", path[128], tmp[140];
    ASSERT(mkdtemp(dir));
    omx_read_keep_procfs(dir);
    snprintf(path, sizeof path, "%s/stat", dir);
    snprintf(tmp, sizeof tmp, "%s/stat.new", dir);
    FILE *f = fopen(path, "w");
    ASSERT(f && fputs("one\n", f) >= 0 && fclose(f) == 0);
    ASSERT(omx_read_file(path, 1 << 10, &a, NULL) == 0 && !strcmp(a, "one\n"));
    free(a);
    ASSERT(count_fds() == n2);
    f = fopen(tmp, "w");
    ASSERT(f && fputs("two\n", f) >= 0 && fclose(f) == 0);
    ASSERT(rename(tmp, path) == 0);
    ASSERT(omx_read_file(path, 1 << 10, &a, NULL) == 0 && !strcmp(a, "two\n"));
    free(a);
    ASSERT(omx_read_line(path, line, sizeof line) == 0 && !strcmp(line, "two"));
    ASSERT(count_fds() == n2);
    unlink(path);
    ASSERT(omx_read_file(path, 1 << 10, &a, NULL) == -ENOENT);
    rmdir(dir);
    TEST_DONE();
}
