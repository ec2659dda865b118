/* A batch job embedding libexporter: sends its registry to a Pushgateway with
 * omx_push_gateway (the push-gateway test drives it).
 * usage: gateway-job URL JOB put|post|delete VALUE [NAME VALUE] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exporter/exporter.h"
#include "exporter/push.h"

int main(int argc, char **argv) {
    if (argc != 5 && argc != 7) {
        fprintf(stderr, "usage: gateway-job URL JOB put|post|delete VALUE [NAME VALUE]\n");
        return 2;
    }
    omx_registry *r = omx_registry_new();
    omx_family *f;
    omx_series *s;
    if (!r ||
        omx_family_new(r,
                       &(omx_family_opts){.type = OMX_GAUGE,
                                          .name = "batch_last_success_seconds",
                                          .help = "When the batch job last succeeded."},
                       &f) < 0 ||
        omx_family_get(f, NULL, &s) < 0)
        return 1;
    omx_gauge_set(s, strtod(argv[4], NULL));
    const char *names[1], *values[1];
    omx_gateway_opts o = {.url = argv[1],
                          .job = argv[2],
                          .method = !strcmp(argv[3], "post")     ? OMX_GATEWAY_POST
                                    : !strcmp(argv[3], "delete") ? OMX_GATEWAY_DELETE
                                                                 : OMX_GATEWAY_PUT};
    if (argc == 7) {
        names[0] = argv[5];
        values[0] = argv[6];
        o.label_names = names;
        o.label_values = values;
        o.n_labels = 1;
    }
    char err[512];
    int rc = omx_push_gateway(r, &o, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "gateway-job: %s (%s)\n", omx_strerror(rc), err);
    omx_registry_free(r);
    return rc < 0 ? 1 : 0;
}
