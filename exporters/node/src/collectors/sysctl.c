/* sysctl: chosen files under <procfs>/sys as numbers (--collector.sysctl.include)
 * or as node_sysctl_info labels (--collector.sysctl.include-info). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

#define MAX_VALUES 64

static const char *const *opt_include;
static const char *const *opt_include_info;

static int declare(omx_app *app) {
    int r;
    if ((r = omx_app_flag_strings(app, "collector.sysctl.include", &opt_include,
                                  "Select sysctl metrics to include")) < 0 ||
        (r = omx_app_flag_strings(app, "collector.sysctl.include-info", &opt_include_info,
                                  "Select sysctl metrics to include as info metrics")) < 0)
        return r;
    return 0;
}

/* One --collector.sysctl.include[-info] value: "name" or "name:key1,key2,...". */
typedef struct sysctl_spec {
    char name[256];
    char *keys[MAX_VALUES];
    size_t n_keys;
    char keybuf[1024];
} sysctl_spec;

static int parse_spec(const char *arg, sysctl_spec *s) {
    const char *colon = strchr(arg, ':');
    size_t len = colon ? (size_t)(colon - arg) : strlen(arg);
    if (len >= sizeof s->name || (colon && strlen(colon + 1) >= sizeof s->keybuf))
        return -ENAMETOOLONG;
    memcpy(s->name, arg, len);
    s->name[len] = '\0';
    s->n_keys = 0;
    if (!colon)
        return 0;
    strcpy(s->keybuf, colon + 1);
    /* "a,,b" keeps the empty key as node_exporter's split does */
    for (char *k = s->keybuf;;) {
        if (s->n_keys == MAX_VALUES)
            return -E2BIG;
        s->keys[s->n_keys++] = k;
        char *comma = strchr(k, ',');
        if (!comma)
            break;
        *comma = '\0';
        k = comma + 1;
    }
    return 0;
}

/* node_exporter's SanitizeMetricName: every run of other characters, with the
 * underscores around it, becomes one '_'. */
static void sanitize(const char *in, char *out, size_t size) {
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < size;) {
        size_t j = i;
        while (in[j] == '_')
            j++;
        size_t k = j;
        while (in[k] && !(in[k] == '_' || (in[k] >= '0' && in[k] <= '9') ||
                          (in[k] >= 'a' && in[k] <= 'z') || (in[k] >= 'A' && in[k] <= 'Z')))
            k++;
        if (k > j) {
            while (in[k] == '_')
                k++;
            out[o++] = '_';
            i = k;
        } else if (j > i) {
            /* underscores not next to a bad run stay */
            while (i < j && o + 1 < size)
                out[o++] = in[i++];
        } else {
            out[o++] = in[i++];
        }
    }
    out[o] = '\0';
}

/* Reads <procfs>/sys/<name with '.' as '/'> and splits it into fields. */
static int read_sysctl(const char *name, char **ret_data, char **fields, size_t *ret_n, char *path,
                       size_t size) {
    char rel[256];
    size_t len = strlen(name);
    if (len >= sizeof rel)
        return -ENAMETOOLONG;
    for (size_t i = 0; i <= len; i++)
        rel[i] = name[i] == '.' ? '/' : name[i];
    int r;
    if ((r = node_proc_path(path, size, "sys/%s", rel)) < 0 ||
        (r = omx_read_file(path, 64 * 1024, ret_data, NULL)) < 0) {
        omx_log(OMX_LOG_DEBUG, "cannot read sysctl", "collector", "sysctl", "sysctl", name, NULL);
        return r;
    }
    /* fields across lines as strings.Fields would take them */
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(*ret_data, " \t\n\r\v\f", &save); t;
         t = strtok_r(NULL, " \t\n\r\v\f", &save)) {
        if (n == MAX_VALUES) {
            free(*ret_data);
            *ret_data = NULL;
            return omx_bad_input("sysctl", path, 0, "too many values");
        }
        fields[n++] = t;
    }
    *ret_n = n;
    return 0;
}

/* Go's strconv.ParseInt with base 0: decimal, 0x.., 0o../0.., 0b.. */
static int parse_int(const char *s, double *ret) {
    const char *p = s + (*s == '-' || *s == '+');
    int base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        base = 16, p += 2;
    else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
        base = 2, p += 2;
    else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
        base = 8, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    if (!*p || *p == '-' || *p == '+')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(p, &end, base);
    if (*end || errno)
        return -EINVAL;
    bool neg = *s == '-';
    if (v > (neg ? 9223372036854775808ull : 9223372036854775807ull))
        return -ERANGE;
    *ret = neg ? -(double)v : (double)v;
    return 0;
}

static int emit_numeric(omx_emitter *e, const char *arg) {
    sysctl_spec s;
    char path[NODE_PATH_MAX], *data = NULL, *f[MAX_VALUES], base[300];
    double v[MAX_VALUES];
    size_t n = 0;
    int r;
    if ((r = parse_spec(arg, &s)) < 0)
        return omx_bad_input("sysctl", arg, 0, "flag value too long");
    if ((r = read_sysctl(s.name, &data, f, &n, path, sizeof path)) < 0)
        return r;
    for (size_t i = 0; i < n; i++)
        if (parse_int(f[i], &v[i]) < 0) {
            r = omx_bad_input("sysctl", path, 0, "value is not an integer");
            goto out;
        }
    if (n == 0) {
        r = omx_bad_input("sysctl", path, 0, "no values");
        goto out;
    }
    if (n == 1 && s.n_keys) {
        r = omx_bad_input("sysctl", path, 0, "one value but keys given in the flag");
        goto out;
    }
    if (s.n_keys && s.n_keys != n) {
        r = omx_bad_input("sysctl", path, 0, "number of values differs from the keys in the flag");
        goto out;
    }
    char sname[256];
    sanitize(s.name, sname, sizeof sname);
    omx_join(base, sizeof base, (const char *[]){"node_sysctl_", sname}, 2);
    char help[320];
    omx_join(help, sizeof help, (const char *[]){"sysctl ", s.name}, 2);
    if (n == 1 || !s.n_keys) {
        static const char *const labels[] = {"index"};
        const omx_desc d = {.name = base,
                            .help = help,
                            .type = OMX_UNKNOWN,
                            .label_names = labels,
                            .n_labels = n == 1 ? 0 : 1};
        if ((r = omx_emit_family(e, &d)) < 0)
            goto out;
        for (size_t i = 0; i < n; i++) {
            char idx[8];
            snprintf(idx, sizeof idx, "%zu", i);
            const char *lv[] = {idx};
            if ((r = omx_emit_sample(e, lv, v[i])) < 0)
                goto out;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            char name[600], fhelp[340];
            snprintf(name, sizeof name, "%s_%s", base, s.keys[i]);
            snprintf(fhelp, sizeof fhelp, "sysctl %s, field %zu", s.name, i);
            if ((r = omx_emit1(e, name, fhelp, OMX_UNKNOWN, v[i])) < 0)
                goto out;
        }
    }
    r = 0;
out:
    free(data);
    return r;
}

static int emit_info(omx_emitter *e, const char *arg) {
    sysctl_spec s;
    char path[NODE_PATH_MAX], *data = NULL, *f[MAX_VALUES];
    size_t n = 0;
    int r;
    if ((r = parse_spec(arg, &s)) < 0)
        return omx_bad_input("sysctl", arg, 0, "flag value too long");
    if ((r = read_sysctl(s.name, &data, f, &n, path, sizeof path)) < 0)
        return r;
    if (n == 0)
        r = omx_bad_input("sysctl", path, 0, "no values");
    else if (s.n_keys)
        r = omx_bad_input("sysctl", path, 0, "keys are not supported for info sysctls");
    for (size_t i = 0; r == 0 && i < n; i++) {
        char idx[8];
        snprintf(idx, sizeof idx, "%zu", i);
        const char *lv[] = {s.name, f[i], idx};
        r = omx_emit_sample(e, lv, 1);
    }
    free(data);
    return r;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    int r;
    for (size_t i = 0; opt_include && opt_include[i]; i++)
        if ((r = emit_numeric(e, opt_include[i])) < 0)
            return r;
    static const char *const labels[] = {"name", "value", "index"};
    const omx_desc d = {.name = "node_sysctl_info",
                        .help = "sysctl info",
                        .type = OMX_GAUGE,
                        .label_names = labels,
                        .n_labels = 3};
    if (opt_include_info && opt_include_info[0] && (r = omx_emit_family(e, &d)) < 0)
        return r;
    for (size_t i = 0; opt_include_info && opt_include_info[i]; i++)
        if ((r = emit_info(e, opt_include_info[i])) < 0)
            return r;
    return 0;
}

const node_collector node_collector_sysctl = {
    .name = "sysctl",
    .enabled_by_default = false,
    .declare_flags = declare,
    .collect = collect,
};
