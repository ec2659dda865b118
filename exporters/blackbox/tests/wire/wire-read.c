/* Test driver: reads a capture through wire_read_file and prints the metrics.
 *   wire-read [--config FILE] [--openmetrics] CAPTURE
 * FILE is a blackbox.yml whose passive: section configures the capture. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wire/wire.h"

static int f_passive(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)key;
    return wire_config_parse(y, v, ctx);
}

static int f_ignore(omx_yaml *y, const omx_yaml_node *v, const char *key, void *ctx) {
    (void)y, (void)v, (void)key, (void)ctx;
    return 0;
}

int main(int argc, char **argv) {
    const char *config = NULL, *capture = NULL;
    bool om = false, dump = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
            config = argv[++i];
        else if (strcmp(argv[i], "--openmetrics") == 0)
            om = true;
        else if (strcmp(argv[i], "--dump") == 0)
            dump = true;
        else if (!capture && argv[i][0] != '-')
            capture = argv[i];
        else
            capture = NULL, i = argc;
    }
    if (!capture && !dump) {
        fprintf(stderr, "usage: wire-read [--config FILE] [--openmetrics] [--dump] CAPTURE\n");
        return 2;
    }
    char err[1024] = "";
    wire_config *cfg = NULL;
    omx_yaml *y = NULL;
    if (config) {
        static const omx_yaml_field fields[] = {{"passive", f_passive}, {"modules", f_ignore}};
        int rc = omx_yaml_load_file(config, 0, &y, err, sizeof err);
        if (rc == 0)
            rc = omx_yaml_map(y, omx_yaml_root(y), NULL, fields, 2, &cfg);
        y = omx_yaml_free(y);
        if (rc < 0) {
            fprintf(stderr, "%s\n", err);
            wire_config_free(cfg);
            return 1;
        }
    }
    int rc = 0;
    if (dump) {
        omx_buf b;
        omx_buf_init(&b, 1 << 20);
        rc = wire_config_dump(cfg, &b, 0);
        if (rc == 0)
            fwrite(b.data, 1, b.len, stdout);
        omx_buf_free(&b);
    } else {
        rc = wire_read_file(cfg, capture, om, STDOUT_FILENO, err, sizeof err);
        if (rc < 0 || err[0])
            fprintf(stderr, "wire-read: %s\n", err);
    }
    wire_config_free(cfg);
    return rc < 0 ? 1 : 0;
}
