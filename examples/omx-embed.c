/* omx-embed: a program that needs only the registry and a writer.
 *
 * It links the core library alone (`pkg-config --libs libexporter`): no HTTP
 * server, no TLS, no compression. It counts its arguments into a labelled
 * counter and prints the exposition once to stdout, in OpenMetrics when the
 * first argument is "--openmetrics", else in the Prometheus text format.
 *
 *   omx-embed --openmetrics a b c
 */
#include <stdio.h>
#include <string.h>

#include <exporter/exporter.h>

static int to_stdout(void *ctx, const char *data, size_t len) {
    return fwrite(data, 1, len, ctx) == len ? 0 : 1;
}

int main(int argc, char **argv) {
    omx_format fmt = OMX_FORMAT_PROMETHEUS;
    omx_registry *reg = omx_registry_new();
    omx_family *args;
    static const char *const label_names[] = {"kind"};
    int rc = 1;

    if (!reg)
        return 1;
    if (omx_family_new(reg,
                       &(omx_family_opts){.type = OMX_COUNTER,
                                          .name = "omx_embed_arguments_total",
                                          .help = "Command-line arguments seen, by kind.",
                                          .label_names = label_names,
                                          .n_labels = 1},
                       &args) < 0)
        goto out;
    for (int i = 1; i < argc; i++) {
        const char *kind[1] = {strncmp(argv[i], "--", 2) == 0 ? "flag" : "word"};
        omx_series *s;
        if (!strcmp(argv[i], "--openmetrics"))
            fmt = OMX_FORMAT_OPENMETRICS;
        if (omx_family_get(args, kind, &s) < 0)
            goto out;
        omx_counter_inc(s);
    }
    if (omx_registry_write(reg, &(omx_write_opts){.format = fmt}, to_stdout, stdout) < 0)
        goto out;
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    omx_registry_free(reg);
    return rc;
}
