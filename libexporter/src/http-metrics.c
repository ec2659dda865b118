/* The promhttp_* families every exporter serves, registered when the app is
 * made (before any server is loaded) so that omx_app_drop_exporter_metrics
 * can drop them; the server (libexporter-http) counts into the series kept in
 * the app. */
#include "app-internal.h"
#include "exporter/error.h"

int omx__http_register_metrics(omx_app *app) {
    omx_family *f;
    static const char *const code_l[] = {"code"};
    static const char *const cause_l[] = {"cause"};
    static const char *const codes[] = {"200", "500", "503", "401"};
    int rc;

    rc = omx_family_new(app->reg,
                        &(omx_family_opts){.type = OMX_GAUGE,
                                           .name = "promhttp_metric_handler_requests_in_flight",
                                           .help = "Current number of scrapes being served."},
                        &f);
    if (rc == 0)
        rc = omx_family_get(f, NULL, &app->m_in_flight);
    if (rc == 0)
        rc = omx_family_new(
            app->reg,
            &(omx_family_opts){.type = OMX_COUNTER,
                               .name = "promhttp_metric_handler_requests_total",
                               .help = "Total number of scrapes by HTTP status code.",
                               .label_names = code_l,
                               .n_labels = 1},
            &f);
    for (int i = 0; rc == 0 && i < 4; i++)
        rc = omx_family_get(f, &codes[i], &app->m_code[i]);
    if (rc == 0)
        rc = omx_family_new(
            app->reg,
            &(omx_family_opts){
                .type = OMX_COUNTER,
                .name = "promhttp_metric_handler_errors_total",
                .help =
                    "Total number of internal errors encountered by the promhttp metric handler.",
                .label_names = cause_l,
                .n_labels = 1},
            &f);
    if (rc == 0)
        rc = omx_family_get(f, (const char *const[]){"encoding"}, &app->m_err_encoding);
    if (rc == 0)
        rc = omx_family_get(f, (const char *const[]){"gathering"}, &app->m_err_gathering);
    if (rc == 0)
        rc = omx_family_new(
            app->reg,
            &(omx_family_opts){
                .type = OMX_COUNTER,
                .name = "omx_http_auth_failures_total",
                .help = "Requests refused for missing or wrong credentials or client certificate.",
                .label_names = cause_l,
                .n_labels = 1},
            &f);
    if (rc == 0)
        rc = omx_family_get(f, (const char *const[]){"credentials"}, &app->m_auth_fail[0]);
    if (rc == 0)
        rc = omx_family_get(f, (const char *const[]){"client_cert"}, &app->m_auth_fail[1]);
    return rc;
}
