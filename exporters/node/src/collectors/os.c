/* os: node_os_info and node_os_version from <rootfs>/etc/os-release
 * (falling back to <rootfs>/usr/lib/os-release). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <exporter/emit.h>
#include "util.h"

enum {
    BUILD_ID,
    ID,
    ID_LIKE,
    IMAGE_ID,
    IMAGE_VERSION,
    NAME,
    PRETTY_NAME,
    VARIANT,
    VARIANT_ID,
    VERSION,
    VERSION_CODENAME,
    VERSION_ID,
    NKEYS
};
static const char *const keys[NKEYS] = {
    "BUILD_ID",    "ID",      "ID_LIKE",    "IMAGE_ID", "IMAGE_VERSION",    "NAME",
    "PRETTY_NAME", "VARIANT", "VARIANT_ID", "VERSION",  "VERSION_CODENAME", "VERSION_ID"};
static const char *const labels[NKEYS] = {
    "build_id",    "id",      "id_like",    "image_id", "image_version",    "name",
    "pretty_name", "variant", "variant_id", "version",  "version_codename", "version_id"};

/* Unquotes an os-release value in place ("..." with \ escapes, or '...'). */
static char *unquote(char *v) {
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
        char q = v[0];
        v[n - 1] = '\0';
        v++;
        if (q == '"') {
            char *o = v;
            for (char *p = v; *p; p++) {
                if (*p == '\\' && p[1])
                    p++;
                *o++ = *p;
            }
            *o = '\0';
        }
    }
    return v;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    char path[NODE_PATH_MAX], *data;
    int r;
    if ((r = node_root_path(path, sizeof path, "etc/os-release")) < 0)
        return r;
    if (omx_read_file(path, 1u << 20, &data, NULL) < 0) {
        if ((r = node_root_path(path, sizeof path, "usr/lib/os-release")) < 0 ||
            (r = omx_read_file(path, 1u << 20, &data, NULL)) < 0)
            return r;
    }
    const char *v[NKEYS];
    for (int k = 0; k < NKEYS; k++)
        v[k] = "";
    char *save = NULL;
    unsigned lineno = 0;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            r = omx_bad_input("os", path, lineno, "expected KEY=value");
            goto out;
        }
        *eq = '\0';
        for (int k = 0; k < NKEYS; k++)
            if (!strcmp(line, keys[k]))
                v[k] = unquote(eq + 1);
    }
    if ((r = omx_emit_family(
             e,
             &(omx_desc){
                 .name = "node_os_info",
                 .help =
                     "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
                 .type = OMX_GAUGE,
                 .label_names = labels,
                 .n_labels = NKEYS})) < 0 ||
        (r = omx_emit_sample(e, v, 1)) < 0)
        goto out;
    /* the major.minor part of VERSION_ID as a number */
    const char *vid = v[VERSION_ID];
    char num[32];
    size_t o = 0;
    int dots = 0;
    for (const char *p = vid; *p && o + 1 < sizeof num; p++) {
        if (*p == '.' && ++dots > 1)
            break;
        if ((*p < '0' || *p > '9') && *p != '.')
            break;
        num[o++] = *p;
    }
    num[o] = '\0';
    double ver;
    if (o > 0 && num[0] != '.' && omx_parse_double(num, &ver) == 0) {
        static const char *const vl[] = {"id", "id_like", "name"};
        if ((r = omx_emit_family(
                 e, &(omx_desc){.name = "node_os_version",
                                .help = "Metric containing the major.minor part of the OS version.",
                                .type = OMX_GAUGE,
                                .label_names = vl,
                                .n_labels = 3})) < 0 ||
            (r = omx_emit_sample(e, (const char *[]){v[ID], v[ID_LIKE], v[NAME]}, ver)) < 0)
            goto out;
    }
    r = 0;
out:
    free(data);
    return r;
}

const node_collector node_collector_os = {
    .name = "os",
    .enabled_by_default = true,
    .collect = collect,
};
