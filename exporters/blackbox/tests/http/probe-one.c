/* Runs one probe of the http or grpc prober with the core's results, log and
 * resolution but without the server around it:
 *   probe-one PROBER SECTION.yml TARGET [TIMEOUT_S [HOSTNAME]]
 * SECTION.yml holds the prober's section as its root mapping (may be empty).
 * Prints the probe's series and probe_success to stdout, its log to stderr,
 * with PROBE_DUMP=1 the dumped section, and with PROBE_REPEAT=N runs N probes
 * on one thread, reporting the last. Exits 0 on success, 1 on a failed
 * probe, 2 on a bad section (the error on stderr). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/probers/http/curl-handle.h"
#include "module.h"
#include "plog.h"
#include "prober.h"
#include "result.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: probe-one PROBER SECTION.yml TARGET [TIMEOUT_S [HOSTNAME]]\n");
        return 2;
    }
    const bb_prober *pr = !strcmp(argv[1], "http")   ? &bb_prober_http
                          : !strcmp(argv[1], "grpc") ? &bb_prober_grpc
                                                     : NULL;
    if (!pr) {
        fprintf(stderr, "unknown prober %s\n", argv[1]);
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char err[512] = "";
    omx_yaml *y = NULL;
    if (omx_yaml_load_file(argv[2], 0, &y, err, sizeof(err)) < 0) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    void *cfg = NULL;
    if (pr->parse(y, omx_yaml_root(y), &cfg) < 0) {
        fprintf(stderr, "%s\n", err);
        omx_yaml_free(y);
        return 2;
    }
    if (getenv("PROBE_DUMP")) {
        omx_buf b;
        omx_buf_init(&b, 1 << 20);
        pr->dump(cfg, &b, 2);
        fprintf(stdout, "%s", b.data ? b.data : "");
        omx_buf_free(&b);
    }
    double timeout = argc > 4 ? atof(argv[4]) : 5;
    bb_module m = {.name = "test", .prober = pr, .cfg = cfg};
    /* PROBE_REPEAT=N: N-1 probes first on this thread (the prober's kept
     * handle reused, as on a server's worker), then the one reported. */
    const char *rep = getenv("PROBE_REPEAT");
    for (long i = rep ? strtol(rep, NULL, 10) : 1; i > 1; i--) {
        bb_probe q = {.module = &m, .target = argv[3], .hostname = argc > 5 ? argv[5] : NULL};
        q.res = bb_result_new();
        q.log = bb_plog_new("test", argv[3], OMX_LOG_ERROR + 1);
        if (!q.res || !q.log)
            return 2;
        q.start_ns = bb_now_ns();
        q.deadline_ns = q.start_ns + (int64_t)(timeout * 1e9);
        pr->run(&q, cfg);
        bb_result_free(q.res);
        bb_plog_free(q.log);
    }
    bb_probe p = {.module = &m, .target = argv[3], .hostname = argc > 5 ? argv[5] : NULL};
    p.res = bb_result_new();
    p.log = bb_plog_new("test", argv[3], OMX_LOG_ERROR + 1);
    if (!p.res || !p.log)
        return 2;
    p.start_ns = bb_now_ns();
    p.deadline_ns = p.start_ns + (int64_t)(timeout * 1e9);
    bool ok = pr->run(&p, cfg);
    int64_t took = bb_now_ns() - p.start_ns;
    omx_buf out;
    omx_buf_init(&out, 16 << 20);
    bb_result_write_text(p.res, &out);
    fputs(out.data ? out.data : "", stdout);
    omx_buf_free(&out);
    printf("probe_duration_seconds %.6f\n", (double)took / 1e9);
    printf("probe_success %d\n", ok ? 1 : 0);
    fputs(bb_plog_text(p.log, NULL), stderr);
    bb_result_free(p.res);
    bb_plog_free(p.log);
    pr->free(cfg);
    omx_yaml_free(y); /* after the section: it may borrow the document's strings */
    bb_curl_handle_thread_done();
    curl_global_cleanup();
    return ok ? 0 : 1;
}
