/* logtail-lines: the input loop alone, for tests. Prints every line as
 * "<source>\t<length>\t<bytes>\n" to stdout (flushed per line in tail mode).
 *   logtail-lines [--one-shot] [--max-line N] [--state FILE] [--poll-only]
 *                 [--journal MATCH]... [--journal-dir DIR] [--message-only] SPEC...
 * Tail mode ends on SIGTERM/SIGINT (the state file is saved then). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter/app.h"
#include "inputs/inputs.h"

static lt_inputs *g_in;
static bool g_tail;

static int print_line(void *ctx, const lt_line *l) {
    (void)ctx;
    printf("%s\t%zu\t", l->filename, l->len);
    fwrite(l->text, 1, l->len, stdout);
    putchar('\n');
    if (g_tail)
        fflush(stdout);
    return 0;
}

static void on_signal(int sig) {
    (void)sig;
    lt_inputs_stop(g_in);
}

int main(int argc, char **argv) {
    lt_inputs_opts o = {.line_fn = print_line, .poll_interval_ns = 100000000};
    bool one_shot = false;
    const char *journal[32];
    size_t n_journal = 0;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (strcmp(a, "--one-shot") == 0)
            one_shot = true;
        else if (strcmp(a, "--poll-only") == 0)
            o.poll_only = true;
        else if (strcmp(a, "--message-only") == 0)
            o.journal_message_only = true;
        else if (strcmp(a, "--max-line") == 0 && more)
            o.max_line = strtoul(argv[++i], NULL, 10);
        else if (strcmp(a, "--state") == 0 && more)
            o.state_path = argv[++i];
        else if (strcmp(a, "--journal-dir") == 0 && more)
            o.journal_dir = argv[++i];
        else if (strcmp(a, "--journal") == 0 && more && n_journal < 32)
            journal[n_journal++] = argv[++i];
        else
            break;
    }
    omx_log_setup(OMX_LOG_INFO, OMX_LOG_LOGFMT);
    g_tail = !one_shot;
    g_in = lt_inputs_new(&o);
    if (!g_in)
        return 1;
    for (; i < argc; i++) {
        int rc = lt_inputs_add_log(g_in, argv[i]);
        if (rc < 0) {
            fprintf(stderr, "logtail-lines: %s: %s\n", argv[i], omx_strerror(rc));
            return 1;
        }
    }
    for (size_t j = 0; j < n_journal; j++) {
        int rc = lt_inputs_add_journal(g_in, journal[j]);
        if (rc < 0) {
            fprintf(stderr, "logtail-lines: --journal %s: %s\n", journal[j], omx_strerror(rc));
            return 1;
        }
    }
    int rc;
    if (one_shot) {
        rc = lt_inputs_read_all(g_in);
    } else {
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        rc = lt_inputs_run(g_in);
    }
    fflush(stdout);
    lt_inputs_free(g_in);
    return rc < 0 ? 1 : 0;
}
