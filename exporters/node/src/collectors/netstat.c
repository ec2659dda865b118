/* netstat: <procfs>/net/netstat, net/snmp (header/value line pairs) and
 * net/snmp6 ("Ip6InReceives 12" lines), filtered by --collector.netstat.fields. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "pattern.h"
#include "util.h"

static const char *opt_fields =
    "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|"
    "TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|"
    "Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|"
    "Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";
static node_regex re_fields;

static int declare(omx_app *app) {
    return omx_app_flag_string(app, "collector.netstat.fields", &opt_fields,
                               "Regexp of fields to return for netstat collector.");
}

static int setup(void) {
    return node_regex_compile(&re_fields, "--collector.netstat.fields", opt_fields);
}

static int emit_stat(omx_emitter *e, const char *proto, const char *key, double v) {
    char name[256], help[256], field[200];
    /* most fields are filtered out: build the key without printf */
    size_t pl = strlen(proto), kl = strlen(key);
    if (pl + kl + 2 > sizeof field)
        return 0;
    memcpy(field, proto, pl);
    field[pl] = '_';
    memcpy(field + pl + 1, key, kl + 1);
    if (!node_regex_match(&re_fields, field))
        return 0;
    omx_join(name, sizeof name, (const char *[]){"node_netstat_", field}, 2);
    omx_join(help, sizeof help, (const char *[]){"Statistic ", proto, key, "."}, 4);
    return omx_emit1(e, name, help, OMX_UNKNOWN, v);
}

/* One parsed counter: proto and key point into the file's buffer. */
typedef struct stat_entry {
    const char *proto, *key;
    double v;
} stat_entry;

typedef struct entries {
    stat_entry *v;
    size_t n, cap;
} entries;

static int add_entry(entries *es, const char *proto, const char *key, double v) {
    if (es->n == es->cap) {
        size_t nc = es->cap ? es->cap * 2 : 256;
        stat_entry *nv = nc <= (1u << 20) ? realloc(es->v, nc * sizeof *nv) : NULL;
        if (!nv)
            return nc > (1u << 20) ? OMX_ELIMIT : OMX_ENOMEM;
        es->v = nv;
        es->cap = nc;
    }
    es->v[es->n++] = (stat_entry){proto, key, v};
    return 0;
}

/* The file, every line NUL-terminated in place, parsed whole before anything
 * is emitted (a malformed file emits nothing). */
static int emit_entries(omx_emitter *e, const entries *es) {
    int r = 0;
    for (size_t i = 0; i < es->n && r >= 0; i++)
        r = emit_stat(e, es->v[i].proto, es->v[i].key, es->v[i].v);
    return r;
}

/* "Proto: k1 k2 ..." followed by "Proto: v1 v2 ...". */
static int pairs_file(omx_emitter *e, const char *rel, bool required) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if ((r = omx_read_file(path, 4u << 20, &data, NULL)) < 0)
        return required ? r : 0;
    entries es = {0};
    char *p = data;
    unsigned lineno = 0;
    while (*p) {
        char *hdr = p, *nl = strchr(p, '\n');
        if (!nl) {
            r = omx_bad_input("netstat", path, lineno + 1, "header without value line");
            goto out;
        }
        *nl = '\0';
        char *val = nl + 1, *nl2 = strchr(val, '\n');
        if (nl2)
            *nl2 = '\0';
        p = nl2 ? nl2 + 1 : val + strlen(val);
        lineno += 2;
        char *hf[512], *vf[512];
        size_t nh = omx_split_fields(hdr, hf, 512), nv = omx_split_fields(val, vf, 512);
        size_t pl = nh ? strlen(hf[0]) : 0;
        if (nh < 1 || nh != nv || nh == 512 || pl < 2 || hf[0][pl - 1] != ':' ||
            strcmp(hf[0], vf[0])) {
            r = omx_bad_input("netstat", path, lineno, "header and value lines do not match");
            goto out;
        }
        hf[0][pl - 1] = '\0';
        for (size_t i = 1; i < nh; i++) {
            double x;
            if (omx_parse_double(vf[i], &x) < 0) {
                r = omx_bad_input("netstat", path, lineno, "bad value");
                goto out;
            }
            if ((r = add_entry(&es, hf[0], hf[i], x)) < 0)
                goto out;
        }
    }
    r = emit_entries(e, &es);
out:
    free(es.v);
    free(data);
    return r;
}

/* "Ip6InReceives 12" lines: proto up to and with the '6'. */
static int snmp6_file(omx_emitter *e) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "net/snmp6")) < 0)
        return r;
    if (omx_read_file(path, 4u << 20, &data, NULL) < 0)
        return 0; /* IPv6 disabled */
    entries es = {0};
    /* protos are copied next to each other: at most one per line */
    size_t cap = 1;
    for (const char *q = data; *q; q++)
        cap += *q == '\n';
    char *protos = malloc(cap * 16);
    if (!protos) {
        free(data);
        return OMX_ENOMEM;
    }
    char *save = NULL;
    unsigned lineno = 0;
    size_t used = 0;
    r = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *f[3];
        double x;
        char *six = NULL;
        if (omx_split_fields(line, f, 3) != 2 || omx_parse_double(f[1], &x) < 0 ||
            !(six = strchr(f[0], '6'))) {
            r = omx_bad_input("netstat", path, lineno, "expected 'Proto6Name value'");
            goto out;
        }
        size_t pl = (size_t)(six - f[0]) + 1;
        if (pl >= 16 || used + 16 > cap * 16)
            continue;
        char *proto = protos + used;
        memcpy(proto, f[0], pl);
        proto[pl] = '\0';
        used += 16;
        if ((r = add_entry(&es, proto, six + 1, x)) < 0)
            goto out;
    }
    r = emit_entries(e, &es);
out:
    free(es.v);
    free(protos);
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    int r;
    if ((r = pairs_file(e, "net/netstat", true)) < 0 || (r = pairs_file(e, "net/snmp", true)) < 0)
        return r;
    return snmp6_file(e);
}

const node_collector node_collector_netstat = {
    .name = "netstat",
    .enabled_by_default = true,
    .declare_flags = declare,
    .setup = setup,
    .collect = collect,
};
