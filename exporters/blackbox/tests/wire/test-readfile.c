/* wire_read_file on bad files: missing, not a capture, an unsupported link
 * type, a capture cut short (metrics written, then -EIO), a bad filter. */
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "omx-test.h"
#include "pktgen.h"
#include "wire-int.h"

static char dir[] = "/tmp/wire-readfile-XXXXXX";

/* Runs wire_read_file on path; returns its code, output in out (malloc'ed). */
static int run(const wire_config *c, const char *path, char *err, size_t errlen, char **out) {
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/out", dir);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT(fd >= 0);
    err[0] = 0;
    int rc = wire_read_file(c, path, false, fd, err, errlen);
    off_t n = lseek(fd, 0, SEEK_END);
    *out = calloc(1, (size_t)n + 1);
    ASSERT(pread(fd, *out, (size_t)n, 0) == n);
    close(fd);
    return rc;
}

static void capture(const char *path, int dlt) {
    pg_out *o = pg_open(path, dlt, 0);
    for (int i = 0; i < 100; i++) {
        pg_frame f;
        pg_tcp(&f, pg_ip("10.0.0.1"), (uint16_t)(1000 + i), pg_ip("10.0.0.2"), 80, 2, (uint32_t)i,
               0);
        pg_emit(o, 1700000000000000000ll + i, &f);
    }
    pg_close(o);
}

int main(void) {
    ASSERT(mkdtemp(dir) != NULL);
    char path[4200], err[1024], *out;
    snprintf(path, sizeof path, "%s/missing.pcap", dir);
    ASSERT_EQ(run(NULL, path, err, sizeof err, &out), -ENOENT);
    ASSERT(strstr(err, "missing.pcap"));
    ASSERT_STR_EQ(out, "");
    free(out);

    snprintf(path, sizeof path, "%s/garbage.pcap", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a capture file at all, just text\n", f);
    fclose(f);
    ASSERT_EQ(run(NULL, path, err, sizeof err, &out), -EINVAL);
    free(out);

    snprintf(path, sizeof path, "%s/user0.pcap", dir);
    capture(path, DLT_USER0);
    ASSERT_EQ(run(NULL, path, err, sizeof err, &out), -EINVAL);
    ASSERT_MSG(strstr(err, "unsupported link type"), "%s", err);
    free(out);

    snprintf(path, sizeof path, "%s/cut.pcap", dir);
    capture(path, DLT_EN10MB);
    ASSERT_OK(run(NULL, path, err, sizeof err, &out));
    ASSERT(strstr(out, "wire_capture_packets_received_total{interface=\"file\"} 100\n"));
    ASSERT(strstr(out, "wire_tcp_syn_unanswered_total{port=\"other\"} 100\n"));
    free(out);
    FILE *g = fopen(path, "r+");
    fseek(g, 0, SEEK_END);
    long len = ftell(g);
    fclose(g);
    ASSERT_OK(truncate(path, len - 30)); /* into the last record */
    ASSERT_EQ(run(NULL, path, err, sizeof err, &out), -EIO);
    ASSERT_MSG(strstr(err, "cut.pcap") && strstr(err, "the metrics cover"), "%s", err);
    ASSERT(strstr(out, "wire_capture_packets_received_total{interface=\"file\"} 99\n"));
    free(out);

    wire_config *c = wire_config_new();
    c->filter = strdup("tcp port");
    ASSERT_EQ(run(c, path, err, sizeof err, &out), -EINVAL);
    ASSERT_MSG(strstr(err, "bad filter"), "%s", err);
    free(out);
    free(c->filter);
    c->filter = strdup("tcp port 80 and src host 10.0.0.1");
    ASSERT_EQ(run(c, path, err, sizeof err, &out), -EIO);
    ASSERT(strstr(out, "wire_capture_packets_received_total{interface=\"file\"} 99\n"));
    free(out);
    free(c->filter);
    c->filter = strdup("tcp port 81");
    ASSERT_EQ(run(c, path, err, sizeof err, &out), -EIO);
    ASSERT(strstr(out, "wire_capture_packets_received_total{interface=\"file\"} 0\n"));
    free(out);
    wire_config_free(c);

    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ASSERT_EQ(system(cmd), 0);
    TEST_DONE();
}
