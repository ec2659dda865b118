/* The --push.* flags and --web.disable of every omx_app: declared with the
 * shared flags, checked after parsing, a pusher of the app's registry
 * started beside the server and stopped (flushed) on shutdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-internal.h"
#include "app-push.h"
#include "push-load.h"
#include "exporter/error.h"
#include "exporter/log.h"
#include "exporter/push.h"

struct omx__app_push {
    const char *url, *protocol;
    double interval, timeout, max_age;
    const char *const *ext_labels, *const *headers;
    const char *user, *password_file, *token_file;
    const char *ca, *cert, *key;
    bool insecure;
    long max_samples;
    char agent[128];
    omx_pusher *pusher;
    const omx__push_fns *fn; /* set with pusher */
};

int omx__app_push_flags(omx_app *app) {
    struct omx__app_push *p = calloc(1, sizeof *p);
    if (!p)
        return OMX_ENOMEM;
    app->push = p;
    p->url = p->protocol = p->user = p->password_file = p->token_file = "";
    p->ca = p->cert = p->key = "";
    p->protocol = "1.0";
    p->interval = 15;
    p->timeout = 10;
    p->max_age = 3600;
    p->max_samples = 500000;
    static const char *const none[] = {NULL};
    p->ext_labels = p->headers = none;
    omx__flags *fs = &app->flags;
    int rc = omx__flags_add(fs, OMX__FLAG_BOOL, "web.disable", &app->web_disable,
                            "Serve no HTTP at all (push only, with --push.url).");
#define ADD(kind, name, var, help)                          \
    do {                                                    \
        if (!rc)                                            \
            rc = omx__flags_add(fs, kind, name, var, help); \
    } while (0)
    ADD(OMX__FLAG_STRING, "push.url", &p->url,
        "Remote-write URL to push every metric to (e.g. http://host:9090/api/v1/write). Empty: "
        "no push.");
    ADD(OMX__FLAG_STRING, "push.protocol", &p->protocol,
        "Remote-write protocol version. One of: [1.0, 2.0]");
    ADD(OMX__FLAG_DURATION, "push.interval", &p->interval, "How often to gather and push.");
    ADD(OMX__FLAG_DURATION, "push.timeout", &p->timeout, "Timeout of one push request.");
    ADD(OMX__FLAG_STRINGS, "push.external-label", &p->ext_labels,
        "Label name=value added to every pushed series that lacks it.");
    ADD(OMX__FLAG_STRINGS, "push.header", &p->headers,
        "Extra request header Name:Value (e.g. X-Scope-OrgID:tenant).");
    ADD(OMX__FLAG_STRING, "push.basic-auth.username", &p->user, "Basic auth username for pushes.");
    ADD(OMX__FLAG_STRING, "push.basic-auth.password-file", &p->password_file,
        "File holding the basic auth password (read on every push).");
    ADD(OMX__FLAG_STRING, "push.bearer-token-file", &p->token_file,
        "File holding a bearer token for pushes (read on every push).");
    ADD(OMX__FLAG_STRING, "push.tls.ca-file", &p->ca, "CA certificates to verify the receiver.");
    ADD(OMX__FLAG_STRING, "push.tls.cert-file", &p->cert, "Client certificate for pushes.");
    ADD(OMX__FLAG_STRING, "push.tls.key-file", &p->key, "Key of the client certificate.");
    ADD(OMX__FLAG_BOOL, "push.tls.insecure-skip-verify", &p->insecure,
        "Do not verify the receiver's certificate.");
    ADD(OMX__FLAG_DURATION, "push.max-sample-age", &p->max_age,
        "Queued samples older than this are dropped unsent.");
    ADD(OMX__FLAG_INT, "push.queue.max-samples", &p->max_samples,
        "Most samples held while the receiver is unreachable; the oldest are dropped first.");
#undef ADD
    return rc;
}

int omx__app_push_check(omx_app *app, char *err, size_t errlen) {
    struct omx__app_push *p = app->push;
    if (!p->url[0]) {
        /* a push option without a URL is a mistake, not a no-op */
        for (size_t i = 0; i < app->flags.n; i++)
            if (app->flags.v[i].seen && !strncmp(app->flags.v[i].name, "push.", 5) &&
                strcmp(app->flags.v[i].name, "push.url")) {
                snprintf(err, errlen, "--%s needs --push.url", app->flags.v[i].name);
                return OMX_EINVAL;
            }
        if (app->web_disable) {
            snprintf(err, errlen, "--web.disable needs --push.url: nothing would be exported");
            return OMX_EINVAL;
        }
        return 0;
    }
    omx_push_protocol proto;
    if (!strcmp(p->protocol, "1.0") || !strcmp(p->protocol, "1"))
        proto = OMX_PUSH_RW1;
    else if (!strcmp(p->protocol, "2.0") || !strcmp(p->protocol, "2"))
        proto = OMX_PUSH_RW2;
    else {
        snprintf(err, errlen, "invalid value '%s' for flag --push.protocol: want 1.0 or 2.0",
                 p->protocol);
        return OMX_EINVAL;
    }
    if (p->interval <= 0 || p->timeout <= 0 || p->max_age <= 0 || p->max_samples < 1) {
        snprintf(err, errlen, "invalid value for flag --push.%s: want above 0",
                 p->interval <= 0  ? "interval"
                 : p->timeout <= 0 ? "timeout"
                 : p->max_age <= 0 ? "max-sample-age"
                                   : "queue.max-samples");
        return OMX_EINVAL;
    }
    snprintf(p->agent, sizeof p->agent, "%s/%s", app->info.name, app->info.version);
    omx_push_opts o = {.url = p->url,
                       .protocol = proto,
                       .interval_s = p->interval,
                       .timeout_s = p->timeout,
                       .external_labels = p->ext_labels,
                       .headers = p->headers,
                       .basic_auth_username = p->user,
                       .basic_auth_password_file = p->password_file,
                       .bearer_token_file = p->token_file,
                       .tls_ca_file = p->ca,
                       .tls_cert_file = p->cert,
                       .tls_key_file = p->key,
                       .tls_insecure_skip_verify = p->insecure,
                       .max_sample_age_s = p->max_age,
                       .queue_max_samples = (size_t)p->max_samples,
                       .user_agent = p->agent,
                       .self_metrics = app->reg};
    char why[512];
    if (p->fn)
        p->pusher = p->fn->pusher_free(p->pusher);
    if (!(p->fn = omx__push_load(why, sizeof why))) {
        snprintf(err, errlen, "--push: %s", why);
        return OMX_ESTATE;
    }
    int rc = p->fn->pusher_new(app->reg, &o, &p->pusher, why, sizeof why);
    if (rc < 0)
        snprintf(err, errlen, "--push: %s", why);
    return rc;
}

int omx__app_push_start(omx_app *app) {
    struct omx__app_push *p = app->push;
    if (!p || !p->pusher)
        return 0;
    int rc = p->fn->pusher_start(p->pusher);
    if (rc < 0)
        omx_log(OMX_LOG_ERROR, "cannot start pushing", "err", omx_strerror(rc), NULL);
    else
        omx_log(OMX_LOG_INFO, "Pushing", "url", p->url, "protocol", p->protocol, NULL);
    return rc;
}

void omx__app_push_stop(omx_app *app) {
    struct omx__app_push *p = app->push;
    if (p && p->pusher)
        p->fn->pusher_stop(p->pusher);
}

void omx__app_push_free(omx_app *app) {
    struct omx__app_push *p = app->push;
    if (!p)
        return;
    if (p->pusher)
        p->fn->pusher_free(p->pusher);
    free(p);
    app->push = NULL;
}
