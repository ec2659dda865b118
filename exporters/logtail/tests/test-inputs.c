/* The input loop on a temporary directory: tail from the end, rename
 * rotations without loss, truncation, globs finding new files, deletion,
 * the line cap, named pipes, unix sockets, the state file across a restart,
 * calls run on the loop thread. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "exporter/app.h"
#include "inputs/inputs.h"
#include "omx-test.h"

typedef struct sink {
    pthread_mutex_t mu;
    char **lines; /* "filename\tline" */
    size_t n, cap;
    pthread_t loop_thread;
} sink;

static sink S = {.mu = PTHREAD_MUTEX_INITIALIZER};
static char dir[] = "/tmp/lt-inputs-XXXXXX";

static int on_line(void *ctx, const lt_line *l) {
    sink *s = ctx;
    ASSERT(pthread_equal(pthread_self(), s->loop_thread));
    char *c = malloc(strlen(l->filename) + l->len + 2);
    ASSERT(c);
    sprintf(c, "%s\t%.*s", l->filename, (int)l->len, l->text);
    pthread_mutex_lock(&s->mu);
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->lines = realloc(s->lines, s->cap * sizeof *s->lines);
        ASSERT(s->lines);
    }
    s->lines[s->n++] = c;
    pthread_mutex_unlock(&s->mu);
    return 0;
}

static size_t count(void) {
    pthread_mutex_lock(&S.mu);
    size_t n = S.n;
    pthread_mutex_unlock(&S.mu);
    return n;
}

static void wait_for(size_t n) {
    for (int i = 0; i < 500 && count() < n; i++)
        usleep(10000);
    if (count() != n)
        for (size_t i = 0; i < count(); i++)
            fprintf(stderr, "line %zu: %s\n", i, S.lines[i]);
    ASSERT_MSG(count() == n, "have %zu lines, want %zu", count(), n);
}

static const char *line_at(size_t i) {
    pthread_mutex_lock(&S.mu);
    const char *l = i < S.n ? S.lines[i] : NULL;
    pthread_mutex_unlock(&S.mu);
    return l;
}

static char *at(const char *name) {
    static char p[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void append(const char *name, const char *text) {
    FILE *f = fopen(at(name), "a");
    ASSERT(f);
    fputs(text, f);
    fclose(f);
}

static void *loop_main(void *arg) {
    S.loop_thread = pthread_self();
    ASSERT_OK(lt_inputs_run(arg));
    return NULL;
}

static char *scrape(omx_registry *r) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    return b.data;
}

static void expect_metric(omx_registry *r, const char *series) {
    char *t = scrape(r);
    ASSERT_MSG(strstr(t, series), "no '%s' in:\n%s", series, t);
    free(t);
}

static int on_loop(void *arg) {
    ASSERT(pthread_equal(pthread_self(), S.loop_thread));
    return *(int *)arg;
}

int main(int argc, char **argv) {
    /* --poll-only: the same without inotify (the polling fallback) */
    bool poll_only = argc > 1 && strcmp(argv[1], "--poll-only") == 0;
    ASSERT(mkdtemp(dir));
    char state_path[600];
    snprintf(state_path, sizeof state_path, "%s", at("state"));
    append("app.log", "old line, before the start\n");
    ASSERT_OK(mkfifo(at("fifo"), 0600));
    omx_registry *reg = omx_registry_new();
    lt_inputs *in = lt_inputs_new(&(lt_inputs_opts){.max_line = 64,
                                                    .poll_interval_ns = 50000000,
                                                    .poll_only = poll_only,
                                                    .state_path = state_path,
                                                    .reg = reg,
                                                    .rotate_grace_ns = 200000000,
                                                    .line_fn = on_line,
                                                    .ctx = &S});
    ASSERT(in);
    ASSERT_OK(lt_inputs_add_log(in, at("app.log")));
    ASSERT_OK(lt_inputs_add_log(in, at("*.glob")));
    ASSERT_OK(lt_inputs_add_log(in, at("fifo")));
    char spec[600];
    snprintf(spec, sizeof spec, "unix://%s", at("stream.sock"));
    ASSERT_OK(lt_inputs_add_log(in, spec));
    snprintf(spec, sizeof spec, "unixgram://%s", at("dgram.sock"));
    ASSERT_OK(lt_inputs_add_log(in, spec));
    ASSERT_EQ(lt_inputs_add_log(in, "tcp://no-port"), OMX_EINVAL);
    pthread_t th;
    ASSERT_OK(pthread_create(&th, NULL, loop_main, in));
    usleep(200000);

    /* a file present at the start is read from its end */
    append("app.log", "one\r\ntwo\n");
    wait_for(2);
    ASSERT_STR_EQ(strchr(line_at(0), '\t') + 1, "one");
    ASSERT_STR_EQ(strchr(line_at(1), '\t') + 1, "two");

    /* three rename rotations, lines before and after each: none lost, in order */
    size_t want = 2;
    for (int r = 1; r <= 3; r++) {
        append("app.log", "before rotation\n");
        char to[32];
        snprintf(to, sizeof to, "app.log.%d", r);
        ASSERT_OK(rename(at("app.log"), at(to)));
        append("app.log", "after rotation\n");
        want += 2;
        wait_for(want);
    }
    expect_metric(reg, "mtail_log_rotations_total{logfile=\"");
    char m[700];
    snprintf(m, sizeof m, "mtail_log_rotations_total{logfile=\"%s\"} 3", at("app.log"));
    expect_metric(reg, m);

    /* truncation: counted, the file read again from its start */
    ASSERT_OK(truncate(at("app.log"), 0));
    usleep(150000);
    append("app.log", "after truncation\n");
    wait_for(++want);
    ASSERT_STR_EQ(strchr(line_at(want - 1), '\t') + 1, "after truncation");
    snprintf(m, sizeof m, "mtail_log_truncates_total{logfile=\"%s\"} 1", at("app.log"));
    expect_metric(reg, m);

    /* a file matching a glob, made after the start: read from its start */
    append("new.glob", "first\nsecond\n");
    want += 2;
    wait_for(want);
    ASSERT(strstr(line_at(want - 2), "new.glob\tfirst"));

    /* the cap: a 1000-byte line cut at 64, counted; the next line whole */
    char big[1002];
    memset(big, 'x', 1000);
    strcpy(big + 1000, "\n");
    append("new.glob", big);
    append("new.glob", "short\n");
    want += 2;
    wait_for(want);
    ASSERT_EQ(strlen(strchr(line_at(want - 2), '\t') + 1), 64);
    snprintf(m, sizeof m, "logtail_lines_cut_total{logfile=\"%s\"} 1", at("new.glob"));
    expect_metric(reg, m);

    /* a named pipe: one writer, then another after the first closed */
    for (int w = 0; w < 2; w++) {
        int fd = open(at("fifo"), O_WRONLY);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, "from the pipe\n", 14), 14);
        close(fd);
        wait_for(++want);
        ASSERT(strstr(line_at(want - 1), "fifo\tfrom the pipe"));
    }

    /* a unix stream socket: a partial last line is handed on at close */
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", at("stream.sock"));
    ASSERT_OK(connect(fd, (struct sockaddr *)&sa, sizeof sa));
    ASSERT_EQ(write(fd, "<13>stream one\nstream two", 25), 25);
    close(fd);
    want += 2;
    wait_for(want);
    ASSERT(strstr(line_at(want - 2), "\t<13>stream one"));
    ASSERT(strstr(line_at(want - 1), "\tstream two"));
    /* datagrams: each a line (or several) */
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", at("dgram.sock"));
    ASSERT_EQ(sendto(fd, "dgram a", 7, 0, (struct sockaddr *)&sa, sizeof sa), 7);
    ASSERT_EQ(sendto(fd, "dgram b\ndgram c\n", 16, 0, (struct sockaddr *)&sa, sizeof sa), 16);
    close(fd);
    want += 3;
    wait_for(want);
    ASSERT(strstr(line_at(want - 1), "\tdgram c"));

    /* a call runs on the loop thread and returns its result */
    int v = 42;
    ASSERT_EQ(lt_inputs_call(in, on_loop, &v), 42);

    /* deleted: closed (the open count goes down) */
    usleep(300000);                          /* the rotated files' grace is over */
    expect_metric(reg, "mtail_log_count 5"); /* app.log, new.glob, fifo, two sockets */
    ASSERT_OK(unlink(at("new.glob")));
    usleep(200000);
    expect_metric(reg, "mtail_log_count 4");

    lt_inputs_stop(in);
    pthread_join(th, NULL);
    /* the lag as a scrape sees it: bytes written and not read yet */
    append("app.log", "while stopped\n");
    lt_inputs_update_lag(in);
    snprintf(m, sizeof m, "logtail_log_lag_bytes{logfile=\"%s\"} 14", at("app.log"));
    expect_metric(reg, m);
    in = lt_inputs_free(in);
    reg = omx_registry_free(reg);

    if (getenv("LT_DEBUG")) {
        char c[600];
        snprintf(c, sizeof c, "cat %s; ls -li %s", at("state"), dir);
        ASSERT(system(c) == 0);
    }
    /* restart on the same state file: exactly what came while stopped */
    reg = omx_registry_new();
    in = lt_inputs_new(&(lt_inputs_opts){.poll_interval_ns = 50000000,
                                         .poll_only = poll_only,
                                         .state_path = state_path,
                                         .reg = reg,
                                         .line_fn = on_line,
                                         .ctx = &S});
    ASSERT_OK(lt_inputs_add_log(in, at("app.log")));
    ASSERT_OK(pthread_create(&th, NULL, loop_main, in));
    wait_for(++want);
    ASSERT(strstr(line_at(want - 1), "\twhile stopped"));
    /* rotated while stopped: the rest of the old file, then the new one whole */
    lt_inputs_stop(in);
    pthread_join(th, NULL);
    in = lt_inputs_free(in);
    append("app.log", "end of the old file\n");
    ASSERT_OK(rename(at("app.log"), at("app.log.9")));
    append("app.log", "new file\n");
    omx_registry_free(reg);
    reg = omx_registry_new();
    in = lt_inputs_new(&(lt_inputs_opts){.poll_interval_ns = 50000000,
                                         .poll_only = poll_only,
                                         .state_path = state_path,
                                         .reg = reg,
                                         .line_fn = on_line,
                                         .ctx = &S});
    ASSERT_OK(lt_inputs_add_log(in, at("app.log")));
    ASSERT_OK(pthread_create(&th, NULL, loop_main, in));
    want += 2;
    wait_for(want);
    ASSERT(strstr(line_at(want - 2), "\tend of the old file"));
    ASSERT(strstr(line_at(want - 1), "\tnew file"));
    lt_inputs_stop(in);
    pthread_join(th, NULL);
    in = lt_inputs_free(in);
    omx_registry_free(reg);
    ASSERT(lt_inputs_free(NULL) == NULL);

    for (size_t i = 0; i < S.n; i++)
        free(S.lines[i]);
    free(S.lines);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ASSERT_OK(system(cmd));
    TEST_DONE();
}
