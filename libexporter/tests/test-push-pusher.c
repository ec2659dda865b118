/* omx_pusher against a closed port on 127.0.0.1: option checks name the
 * option; push_now without the thread gathers, fails with the connection
 * error and keeps the request queued (counted retried); the thread starts
 * and stops at once; what was left is dropped at shutdown and counted. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter/exporter.h"
#include "exporter/push.h"
#include "omx-test.h"

static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ASSERT(fd >= 0);
    ASSERT_OK(bind(fd, (struct sockaddr *)&a, sizeof a));
    ASSERT_OK(getsockname(fd, (struct sockaddr *)&a, &len));
    close(fd); /* nothing listens there now */
    return ntohs(a.sin_port);
}

static double value_of(omx_registry *r, const char *line_start) {
    omx_buf b;
    omx_buf_init(&b, 1 << 20);
    ASSERT_OK(omx_registry_write(r, NULL, omx_buf_write_fn, &b));
    const char *p = strstr(b.data, line_start);
    double v = p ? strtod(p + strlen(line_start), NULL) : -1;
    omx_buf_free(&b);
    return v;
}

int main(void) {
    omx_registry *r = omx_registry_new();
    omx_family *f;
    omx_series *s;
    ASSERT_OK(omx_family_new(r, &(omx_family_opts){.type = OMX_GAUGE, .name = "up"}, &f));
    ASSERT_OK(omx_family_get(f, NULL, &s));
    omx_gauge_set(s, 1);

    char err[256], url[64];
    omx_pusher *p = NULL;
    ASSERT_EQ(omx_pusher_new(r, &(omx_push_opts){.url = "ftp://x"}, &p, err, sizeof err),
              OMX_EINVAL);
    ASSERT(strstr(err, "ftp://x"));
    ASSERT_EQ(
        omx_pusher_new(r,
                       &(omx_push_opts){.url = "http://x",
                                        .external_labels = (const char *const[]){"novalue", NULL}},
                       &p, err, sizeof err),
        OMX_EINVAL);
    ASSERT(strstr(err, "novalue"));
    ASSERT_EQ(
        omx_pusher_new(r,
                       &(omx_push_opts){.url = "http://x",
                                        .headers = (const char *const[]){"Authorization: x", NULL}},
                       &p, err, sizeof err),
        OMX_EINVAL);
    ASSERT(strstr(err, "Authorization"));
    ASSERT(omx_pusher_new(r,
                          &(omx_push_opts){.url = "http://x", .bearer_token_file = "/nonexistent"},
                          &p, err, sizeof err) < 0);
    ASSERT(strstr(err, "/nonexistent"));
    ASSERT(!p);

    snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/write", closed_port());
    omx_push_opts o = {.url = url,
                       .interval_s = 3600,
                       .flush_timeout_s = 0.3,
                       .external_labels = (const char *const[]){"job=t", NULL},
                       .self_metrics = r};
    ASSERT_OK(omx_pusher_new(r, &o, &p, err, sizeof err));
    ASSERT_EQ(omx_pusher_push_now(p), -ECONNREFUSED);
    ASSERT(value_of(r, "omx_push_samples_total{result=\"retried\"} ") >= 1);
    ASSERT(value_of(r, "\nomx_push_queue_samples ") >= 1);
    ASSERT(value_of(r, "omx_push_requests_total{code=\"error\"} ") == 1);
    ASSERT_OK(omx_pusher_start(p));
    ASSERT_EQ(omx_pusher_start(p), OMX_ESTATE);
    ASSERT_OK(omx_pusher_push_now(p)); /* wakes the thread */
    ASSERT_EQ(omx_pusher_stop(p), OMX_ETIMEOUT);
    ASSERT_EQ(omx_pusher_stop(p), OMX_ETIMEOUT); /* twice is fine */
    ASSERT(value_of(r, "omx_push_dropped_samples_total{reason=\"shutdown\"} ") >= 2);
    ASSERT(value_of(r, "\nomx_push_queue_samples ") == 0);
    ASSERT(value_of(r, "omx_push_samples_total{result=\"sent\"} ") == 0);
    p = omx_pusher_free(p);
    ASSERT(!p);
    ASSERT(!omx_pusher_free(NULL));
    omx_registry_free(r);
    TEST_DONE();
}
