/* sockstat: <procfs>/net/sockstat and sockstat6 socket counts per protocol. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <exporter/emit.h>
#include "util.h"

static int one_file(omx_emitter *e, const char *rel, bool required) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if ((r = omx_read_file(path, 1u << 20, &data, NULL)) < 0)
        return required ? r : 0;
    long page = sysconf(_SC_PAGESIZE);
    for (int pass = 0; pass < 2; pass++) {
        char *copy = pass ? data : strdup(data);
        if (!copy) {
            r = OMX_ENOMEM;
            goto out;
        }
        char *save = NULL;
        unsigned lineno = 0;
        r = 0;
        for (char *line = strtok_r(copy, "\n", &save); line && r == 0;
             line = strtok_r(NULL, "\n", &save)) {
            lineno++;
            char *f[32];
            size_t nf = omx_split_fields(line, f, 32);
            size_t pl = nf ? strlen(f[0]) : 0;
            if (nf < 3 || nf % 2 == 0 || pl < 2 || f[0][pl - 1] != ':') {
                r = omx_bad_input("sockstat", path, lineno, "expected 'PROTO: key value ...'");
                break;
            }
            f[0][pl - 1] = '\0';
            for (size_t i = 1; i + 1 < nf && r == 0; i += 2) {
                uint64_t v;
                if (omx_parse_u64(f[i + 1], &v) < 0) {
                    r = omx_bad_input("sockstat", path, lineno, "bad value");
                    break;
                }
                if (pass == 0)
                    continue;
                char name[160], help[200];
                if (!strcmp(f[0], "sockets")) {
                    omx_join(name, sizeof name, (const char *[]){"node_sockstat_sockets_", f[i]},
                             2);
                    r = omx_emit1(e, name, "Number of IPv4 sockets in use.", OMX_GAUGE, (double)v);
                    continue;
                }
                omx_join(name, sizeof name, (const char *[]){"node_sockstat_", f[0], "_", f[i]}, 4);
                omx_join(help, sizeof help,
                         (const char *[]){"Number of ", f[0], " sockets in state ", f[i], "."}, 5);
                r = omx_emit1(e, name, help, OMX_GAUGE, (double)v);
                if (r == 0 && !strcmp(f[i], "mem")) {
                    /* mem is in pages */
                    omx_join(name, sizeof name,
                             (const char *[]){"node_sockstat_", f[0], "_mem_bytes"}, 3);
                    omx_join(help, sizeof help,
                             (const char *[]){"Number of ", f[0], " sockets in state mem_bytes."},
                             3);
                    r = omx_emit1(e, name, help, OMX_GAUGE, (double)v * (double)page);
                }
            }
        }
        if (!pass)
            free(copy);
        if (r < 0)
            goto out;
    }
out:
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    int r = one_file(e, "net/sockstat", true);
    return r < 0 ? r : one_file(e, "net/sockstat6", false);
}

const node_collector node_collector_sockstat = {
    .name = "sockstat",
    .enabled_by_default = true,
    .collect = collect,
};
