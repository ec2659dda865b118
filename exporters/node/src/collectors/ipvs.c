/* ipvs collector: IP Virtual Server totals (/proc/net/ip_vs_stats) and per-backend
 * connections and weights (/proc/net/ip_vs), summed over the labels chosen with
 * --collector.ipvs.backend-labels. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sysfs_attr.h"
#include <exporter/emit.h>
#include "util.h"

static const char *const all_labels[] = {
    "local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark",
};
#define N_ALL 6
static const char *labels_flag =
    "local_address,local_port,remote_address,remote_port,proto,local_mark";
static size_t sel[N_ALL], n_sel;
static const char *sel_names[N_ALL];

static int declare_flags(omx_app *app) {
    return omx_app_flag_string(app, "collector.ipvs.backend-labels", &labels_flag,
                               "Comma separated list for IPVS backend stats labels.");
}

static int setup(void) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", labels_flag ? labels_flag : "");
    n_sel = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < N_ALL && strcmp(all_labels[i], t); i++)
            ;
        if (i == N_ALL || n_sel == N_ALL) {
            omx_log(OMX_LOG_ERROR, "unknown IPVS backend label", "flag",
                    "--collector.ipvs.backend-labels", "label", t, NULL);
            return OMX_ECONFIG;
        }
        sel_names[n_sel] = all_labels[i];
        sel[n_sel++] = i;
    }
    return 0;
}

typedef struct backend {
    char l[N_ALL][64];
    double active, inactive, weight;
} backend;

static int bad(const char *path, size_t line, const char *what) {
    omx_bad_input("ipvs", path, (unsigned)line, what);
    return -EINVAL;
}

static int hex_u64(const char *s, uint64_t *ret) {
    char *end;
    if (!*s || strlen(s) > 16)
        return -EINVAL;
    *ret = strtoull(s, &end, 16);
    return *end ? -EINVAL : 0;
}

/* "C0A80016:0CEA" or "[2620:0000:...:0001]:0035" -> address and decimal port. */
static int addr_port(const char *s, char *addr, size_t asz, char *port, size_t psz) {
    const char *colon;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= 64)
            return -EINVAL;
        char tmp[64];
        memcpy(tmp, s + 1, (size_t)(close - s - 1));
        tmp[close - s - 1] = '\0';
        struct in6_addr a6;
        if (inet_pton(AF_INET6, tmp, &a6) != 1 || !inet_ntop(AF_INET6, &a6, addr, (socklen_t)asz))
            return -EINVAL;
        colon = close + 1;
    } else {
        colon = strchr(s, ':');
        if (!colon || colon - s != 8)
            return -EINVAL;
        char tmp[9];
        memcpy(tmp, s, 8);
        tmp[8] = '\0';
        uint64_t v;
        if (hex_u64(tmp, &v) < 0)
            return -EINVAL;
        snprintf(addr, asz, "%u.%u.%u.%u", (unsigned)(v >> 24) & 255, (unsigned)(v >> 16) & 255,
                 (unsigned)(v >> 8) & 255, (unsigned)v & 255);
    }
    uint64_t p;
    if (hex_u64(colon + 1, &p) < 0 || p > 65535)
        return -EINVAL;
    snprintf(port, psz, "%u", (unsigned)p);
    return 0;
}

/* Orders backends by the selected labels, so equal ones end up adjacent. */
static int cmp_backend(const void *a, const void *b) {
    const backend *x = a, *y = b;
    for (size_t k = 0; k < n_sel; k++) {
        int c = strcmp(x->l[sel[k]], y->l[sel[k]]);
        if (c)
            return c;
    }
    return 0;
}

static int parse_backends(char *data, const char *path, backend **ret, size_t *ret_n) {
    size_t n = 0, cap = 0, lineno = 0;
    backend *b = NULL, svc = {0};
    bool have_svc = false;
    int r = 0;
    for (char *line = data, *next; line && *line && r == 0; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (++lineno <= 3)
            continue; /* version and two header lines */
        char *f[8];
        size_t nf = omx_split_fields(line, f, 8);
        if (nf == 0)
            continue;
        if (!strcmp(f[0], "->")) {
            uint64_t w, act, inact;
            if (!have_svc || nf < 6) {
                r = bad(path, lineno, "backend line without service or too few fields");
                break;
            }
            backend x = svc;
            if (addr_port(f[1], x.l[2], sizeof x.l[2], x.l[3], sizeof x.l[3]) < 0 ||
                omx_parse_u64(f[3], &w) < 0 || omx_parse_u64(f[4], &act) < 0 ||
                omx_parse_u64(f[5], &inact) < 0) {
                r = bad(path, lineno, "cannot parse backend");
                break;
            }
            x.weight = (double)w, x.active = (double)act, x.inactive = (double)inact;
            if (n == cap) {
                backend *nb =
                    cap >= 65536 ? NULL : realloc(b, (cap = cap ? cap * 2 : 16) * sizeof *b);
                if (!nb) {
                    r = -ENOMEM;
                    break;
                }
                b = nb;
            }
            b[n++] = x;
            continue;
        }
        if (nf < 2) {
            r = bad(path, lineno, "too few fields");
            break;
        }
        memset(&svc, 0, sizeof svc);
        snprintf(svc.l[4], sizeof svc.l[4], "%s", f[0]);
        if (!strcmp(f[0], "FWM")) {
            snprintf(svc.l[5], sizeof svc.l[5], "%s", f[1]);
            snprintf(svc.l[1], sizeof svc.l[1], "0");
        } else if (addr_port(f[1], svc.l[0], sizeof svc.l[0], svc.l[1], sizeof svc.l[1]) < 0) {
            r = bad(path, lineno, "cannot parse service address");
            break;
        }
        have_svc = true;
    }
    if (r < 0) {
        free(b);
        return r;
    }
    /* Backends equal on the selected labels are summed, as node_exporter does. */
    if (n > 1)
        qsort(b, n, sizeof *b, cmp_backend);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && cmp_backend(&b[m - 1], &b[i]) == 0) {
            b[m - 1].weight += b[i].weight;
            b[m - 1].active += b[i].active;
            b[m - 1].inactive += b[i].inactive;
        } else {
            b[m++] = b[i];
        }
    }
    *ret = b;
    *ret_n = m;
    return 0;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data = NULL;
    int r = node_proc_path(path, sizeof path, "net/ip_vs_stats");
    if (r < 0)
        return r;
    if ((r = omx_read_file(path, 1 << 16, &data, NULL)) < 0)
        return hw_fail("ipvs", path, r); /* no IPVS module: node_exporter's ErrNoData */
    /* third line: conns, in packets, out packets, in bytes, out bytes (hex) */
    char *line = data;
    for (int i = 0; i < 2 && line; i++)
        if ((line = strchr(line, '\n')))
            line++;
    char *f[6];
    uint64_t v[5];
    size_t nf = line ? omx_split_fields(line, f, 6) : 0;
    for (size_t i = 0; i < 5 && r == 0; i++)
        r = nf >= 5 ? hex_u64(f[i], &v[i]) : -EINVAL;
    free(data);
    if (r < 0)
        return bad(path, 3, "expected 5 hexadecimal totals");
    static const char *const tot[][2] = {
        {"node_ipvs_connections_total", "The total number of connections made."},
        {"node_ipvs_incoming_packets_total", "The total number of incoming packets."},
        {"node_ipvs_outgoing_packets_total", "The total number of outgoing packets."},
        {"node_ipvs_incoming_bytes_total", "The total amount of incoming data."},
        {"node_ipvs_outgoing_bytes_total", "The total amount of outgoing data."},
    };
    for (size_t i = 0; i < 5 && r >= 0; i++) {
        r = omx_emit_family(e,
                            &(omx_desc){.name = tot[i][0], .help = tot[i][1], .type = OMX_COUNTER});
        if (r >= 0)
            r = omx_emit_sample(e, NULL, (double)v[i]);
    }
    if (r < 0)
        return r;
    if ((r = node_proc_path(path, sizeof path, "net/ip_vs")) < 0)
        return r;
    if ((r = omx_read_file(path, 16 << 20, &data, NULL)) < 0)
        return hw_fail("ipvs", path, r);
    backend *b = NULL;
    size_t n = 0;
    r = parse_backends(data, path, &b, &n);
    free(data);
    if (r < 0)
        return r;
    static const char *const fams[][2] = {
        {"node_ipvs_backend_connections_active",
         "The current active connections by local and remote address."},
        {"node_ipvs_backend_connections_inactive",
         "The current inactive connections by local and remote address."},
        {"node_ipvs_backend_weight", "The current backend weight by local and remote address."},
    };
    for (size_t k = 0; k < 3 && r >= 0; k++) {
        r = omx_emit_family(e, &(omx_desc){.name = fams[k][0],
                                           .help = fams[k][1],
                                           .type = OMX_GAUGE,
                                           .label_names = sel_names,
                                           .n_labels = n_sel});
        for (size_t i = 0; i < n && r >= 0; i++) {
            const char *lv[N_ALL];
            for (size_t j = 0; j < n_sel; j++)
                lv[j] = b[i].l[sel[j]];
            r = omx_emit_sample(e, lv, k == 0 ? b[i].active : k == 1 ? b[i].inactive : b[i].weight);
        }
    }
    free(b);
    return r < 0 ? r : 0;
}

const node_collector node_collector_ipvs = {
    .name = "ipvs",
    .enabled_by_default = true,
    .declare_flags = declare_flags,
    .setup = setup,
    .collect = collect,
};
