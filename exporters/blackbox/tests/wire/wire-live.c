/* Test driver: live captures through wire_start.
 *   wire-live CONFIG
 * CONFIG is a blackbox.yml with a passive: section. Each line "scrape" on
 * standard input writes the metrics to standard output followed by a line
 * "# END"; end of input stops the captures and exits. */
#include <stdio.h>
#include <string.h>

#include "wire/wire.h"

static int f_passive(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    return wire_config_parse(y, v, ctx);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: wire-live CONFIG\n");
        return 2;
    }
    omx_log_setup(OMX_LOG_INFO, OMX_LOG_LOGFMT);
    char err[1024] = "";
    wire_config *cfg = NULL;
    omx_yaml *y = NULL;
    static const omx_yaml_field fields[] = {{"passive", f_passive}};
    int rc = omx_yaml_load_file(argv[1], 0, &y, err, sizeof err);
    if (rc == 0)
        rc = omx_yaml_map(y, omx_yaml_root(y), NULL, fields, 1, &cfg);
    y = omx_yaml_free(y);
    if (rc < 0) {
        fprintf(stderr, "%s\n", err);
        wire_config_free(cfg);
        return 1;
    }
    omx_registry *reg = omx_registry_new();
    wire *w = NULL;
    rc = reg ? wire_start(cfg, reg, &w) : -ENOMEM;
    wire_config_free(cfg);
    if (rc < 0) {
        fprintf(stderr, "wire-live: %s\n", omx_strerror(rc));
        omx_registry_free(reg);
        return 1;
    }
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        if (strcmp(line, "scrape\n") != 0)
            continue;
        omx_buf b;
        omx_buf_init(&b, 64 << 20);
        rc = omx_registry_write(reg, NULL, omx_buf_write_fn, &b);
        if (rc == 0)
            fwrite(b.data, 1, b.len, stdout);
        fputs("# END\n", stdout);
        fflush(stdout);
        omx_buf_free(&b);
    }
    wire_stop(w);
    omx_registry_free(reg);
    return 0;
}
