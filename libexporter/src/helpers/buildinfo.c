/* *_build_info gauges: one series of value 1 labelled with build facts. */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "exporter/error.h"
#include "exporter/process.h"

int omx_build_info_register(omx_registry *r, const char *name, const char *help,
                            const char *const *label_names, const char *const *label_values,
                            size_t n) {
    if (!r || !name || (n && (!label_names || !label_values)))
        return OMX_EINVAL;
    omx_family *f;
    omx_family_opts o = {
        .type = OMX_GAUGE, .name = name, .help = help, .label_names = label_names, .n_labels = n};
    int rc = omx_family_new(r, &o, &f);
    if (rc < 0)
        return rc;
    omx_series *s;
    if ((rc = omx_family_get(f, label_values, &s)) < 0)
        return rc;
    omx_gauge_set(s, 1);
    return 0;
}

const char *omx_goarch(char *buf, size_t size) {
    struct utsname u;
    const char *arch = "unknown";
    if (uname(&u) == 0) {
        /* Go's GOARCH spelling, so dashboards grouping by goarch keep working */
        if (!strcmp(u.machine, "x86_64"))
            arch = "amd64";
        else if (!strcmp(u.machine, "aarch64"))
            arch = "arm64";
        else if (!strncmp(u.machine, "armv", 4))
            arch = "arm";
        else if (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86"))
            arch = "386";
        else
            arch = u.machine;
    }
    if (size)
        snprintf(buf, size, "%s", arch);
    return buf;
}

int omx_build_info_register_program(omx_registry *r, const char *program, const char *version) {
    return omx_build_info_register_facts(r, program, version, NULL);
}

static const char *or_default(const char *s, const char *def) { return s && *s ? s : def; }

int omx_build_info_register_facts(omx_registry *r, const char *program, const char *version,
                                  const omx_build_facts *b) {
    if (!r || !program || !*program || !version)
        return OMX_EINVAL;
    char name[256], help[512], arch[65];
    if ((size_t)snprintf(name, sizeof name, "%s_build_info", program) >= sizeof name)
        return OMX_ENAME;
    snprintf(help, sizeof help,
             "A metric with a constant '1' value labeled by version, revision, branch, goversion "
             "from which %s was built, and the goos and goarch for the build.",
             program);
    /* Go exporters' label set (without the newer "tags") */
    static const char *const names[] = {"branch",    "goarch",   "goos",
                                        "goversion", "revision", "version"};
    const omx_build_facts none = {0};
    if (!b)
        b = &none;
    const char *values[] = {
        or_default(b->branch, "omx"),    omx_goarch(arch, sizeof arch), "linux",
        or_default(b->compiler, "none"), or_default(b->revision, ""),   version};
    return omx_build_info_register(r, name, help, names, values, 6);
}
