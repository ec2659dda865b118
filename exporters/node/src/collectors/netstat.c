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

/* "Proto: k1 k2 ..." followed by "Proto: v1 v2 ...". */
static int pairs_file(omx_emitter *e, const char *rel, bool required) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "%s", rel)) < 0)
        return r;
    if ((r = omx_read_file(path, 4u << 20, &data, NULL)) < 0)
        return required ? r : 0;
    /* validate first, emit second */
    for (int pass = 0; pass < 2; pass++) {
        char *p = data;
        unsigned lineno = 0;
        while (*p) {
            char *hdr = p, *nl = strchr(p, '\n');
            if (!nl) {
                r = omx_bad_input("netstat", path, lineno + 1, "header without value line");
                goto out;
            }
            char *val = nl + 1, *nl2 = strchr(val, '\n');
            size_t hlen = (size_t)(nl - hdr), vlen = nl2 ? (size_t)(nl2 - val) : strlen(val);
            lineno += 2;
            char h[8192], v[8192];
            if (hlen >= sizeof h || vlen >= sizeof v) {
                r = omx_bad_input("netstat", path, lineno, "line too long");
                goto out;
            }
            memcpy(h, hdr, hlen);
            h[hlen] = '\0';
            memcpy(v, val, vlen);
            v[vlen] = '\0';
            char *hf[512], *vf[512];
            size_t nh = omx_split_fields(h, hf, 512), nv = omx_split_fields(v, vf, 512);
            size_t pl = nh ? strlen(hf[0]) : 0;
            if (nh < 1 || nh != nv || pl < 2 || hf[0][pl - 1] != ':' || strcmp(hf[0], vf[0])) {
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
                if (pass == 1 && (r = emit_stat(e, hf[0], hf[i], x)) < 0)
                    goto out;
            }
            p = nl2 ? nl2 + 1 : val + vlen;
        }
    }
    r = 0;
out:
    free(data);
    return r;
}

static int snmp6_file(omx_emitter *e) {
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_proc_path(path, sizeof path, "net/snmp6")) < 0)
        return r;
    if (omx_read_file(path, 4u << 20, &data, NULL) < 0)
        return 0; /* IPv6 disabled */
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
            char *f[3];
            double x;
            char *six = NULL;
            if (omx_split_fields(line, f, 3) != 2 || omx_parse_double(f[1], &x) < 0 ||
                !(six = strchr(f[0], '6'))) {
                r = omx_bad_input("netstat", path, lineno, "expected 'Proto6Name value'");
                break;
            }
            if (pass == 1) {
                char proto[64];
                size_t pl = (size_t)(six - f[0]) + 1;
                if (pl >= sizeof proto)
                    continue;
                memcpy(proto, f[0], pl);
                proto[pl] = '\0';
                r = emit_stat(e, proto, six + 1, x);
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
