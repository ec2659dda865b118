/* tcpstat: TCP connection states and queued bytes from <procfs>/net/tcp and tcp6. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

/* Kernel TCP states 1..11 (include/net/tcp_states.h). */
static const char *const state_names[12] = {NULL,         "established", "syn_sent",  "syn_recv",
                                            "fin_wait1",  "fin_wait2",   "time_wait", "close",
                                            "close_wait", "last_ack",    "listen",    "closing"};

static int read_table(const char *rel, double count[12], double *txq, double *rxq) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if ((r = omx_read_file(path, 256u << 20, &data, NULL)) < 0)
        return r == -ENOENT && !strcmp(rel, "net/tcp6") ? 0 : r;
    char *save = NULL;
    unsigned lineno = 0;
    r = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (++lineno == 1)
            continue;
        char *f[6], *colon, *e1, *e2, *e3;
        if (omx_split_fields(line, f, 6) < 5 || !(colon = strchr(f[4], ':'))) {
            r = omx_bad_input("tcpstat", path, lineno, "expected sl local remote st tx:rx");
            break;
        }
        *colon = '\0';
        errno = 0;
        unsigned long st = strtoul(f[3], &e1, 16);
        unsigned long long tx = strtoull(f[4], &e2, 16), rx = strtoull(colon + 1, &e3, 16);
        if (*e1 || *e2 || *e3 || errno || st == 0 || st > 11) {
            r = omx_bad_input("tcpstat", path, lineno, "bad state or queue");
            break;
        }
        count[st]++;
        *txq += (double)tx;
        *rxq += (double)rx;
    }
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    double count[12] = {0}, txq = 0, rxq = 0;
    int r;
    if ((r = read_table("net/tcp", count, &txq, &rxq)) < 0 ||
        (r = read_table("net/tcp6", count, &txq, &rxq)) < 0)
        return r;
    static const char *const labels[] = {"state"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_tcp_connection_states",
                                            .help = "Number of connection states.",
                                            .type = OMX_GAUGE,
                                            .label_names = labels,
                                            .n_labels = 1})) < 0)
        return r;
    for (int s = 1; s < 12; s++)
        if (count[s] > 0 && (r = omx_emit_sample(e, &state_names[s], count[s])) < 0)
            return r;
    if ((r = omx_emit_sample(e, (const char *[]){"rx_queued_bytes"}, rxq)) < 0 ||
        (r = omx_emit_sample(e, (const char *[]){"tx_queued_bytes"}, txq)) < 0)
        return r;
    return 0;
}

const node_collector node_collector_tcpstat = {
    .name = "tcpstat",
    .enabled_by_default = false,
    .collect = collect,
};
