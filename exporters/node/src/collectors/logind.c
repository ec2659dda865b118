/* logind: session counts by seat, remote, type and class from systemd-logind
 * over sd-bus (bounded by the scrape deadline; no system bus: success 0). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdbus.h"

#include <exporter/emit.h>
#include "util.h"

#define DEST "org.freedesktop.login1"
#define MANAGER_PATH "/org/freedesktop/login1"
#define MANAGER_IFACE "org.freedesktop.login1.Manager"
#define SESSION_IFACE "org.freedesktop.login1.Session"
#define MAX_SEATS 256

/* node_exporter's value sets; anything else counts as "other". */
static const char *const types[] = {"other", "unspecified", "tty", "x11", "wayland", "mir", "web"};
static const char *const classes[] = {"other", "user", "greeter", "lock-screen", "background"};
#define NT (sizeof types / sizeof types[0])
#define NC (sizeof classes / sizeof classes[0])

static size_t index_of(const char *const *set, size_t n, const char *v) {
    for (size_t i = 1; i < n; i++)
        if (v && !strcmp(set[i], v))
            return i;
    return 0;
}

typedef struct seat {
    char name[64];
    double count[2][NT][NC]; /* remote false/true */
} seat;

static seat *seat_get(seat *seats, size_t *n, const char *name) {
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(seats[i].name, name))
            return &seats[i];
    if (*n == MAX_SEATS || strlen(name) >= sizeof seats[0].name)
        return NULL;
    seat *s = &seats[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    return s;
}

static int collect(omx_emitter *e, void *userdata) {
    (void)userdata;
    sd_bus *bus = NULL;
    sd_bus_message *reply = NULL;
    sd_bus_error err = SD_BUS_ERROR_NULL;
    seat *seats = calloc(MAX_SEATS, sizeof *seats);
    size_t nseats = 0;
    int r;
    if (!seats)
        return OMX_ENOMEM;
    if ((r = node_sdbus_open(e, false, &bus)) < 0) {
        omx_log(OMX_LOG_DEBUG, "unable to connect to dbus", "collector", "logind", "err",
                omx_strerror(r), NULL);
        free(seats); /* libsystemd may not be loaded: none of its functions to call */
        return r;
    }
    /* every seat appears, even without sessions */
    if ((r = node_sd.call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "ListSeats", &err, &reply,
                                 "")) < 0 ||
        (r = node_sd.message_enter_container(reply, 'a', "(so)")) < 0)
        goto fail;
    const char *id, *path;
    while ((r = node_sd.message_read(reply, "(so)", &id, &path)) > 0)
        seat_get(seats, &nseats, id);
    if (r < 0)
        goto fail;
    reply = node_sd.message_unref(reply);
    if ((r = node_sd.call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "ListSessions", &err,
                                 &reply, "")) < 0 ||
        (r = node_sd.message_enter_container(reply, 'a', "(susso)")) < 0)
        goto fail;
    for (;;) {
        const char *sid, *user, *seat_name, *spath;
        uint32_t uid;
        r = node_sd.message_read(reply, "(susso)", &sid, &uid, &user, &seat_name, &spath);
        if (r <= 0)
            break;
        if (omx_emitter_expired(e)) {
            r = OMX_ETIMEOUT;
            goto out;
        }
        int remote = 0;
        char *type = NULL, *cls = NULL;
        node_sd.get_property_trivial(bus, DEST, spath, SESSION_IFACE, "Remote", &err, 'b', &remote);
        node_sd.error_free(&err);
        node_sd.get_property_string(bus, DEST, spath, SESSION_IFACE, "Type", &err, &type);
        node_sd.error_free(&err);
        node_sd.get_property_string(bus, DEST, spath, SESSION_IFACE, "Class", &err, &cls);
        node_sd.error_free(&err);
        seat *s = seat_get(seats, &nseats, seat_name);
        if (s)
            s->count[remote ? 1 : 0][index_of(types, NT, type)][index_of(classes, NC, cls)]++;
        free(type);
        free(cls);
    }
    if (r < 0)
        goto fail;
    static const char *const labels[] = {"class", "remote", "seat", "type"};
    if ((r = omx_emit_family(e, &(omx_desc){.name = "node_logind_sessions",
                                            .help = "Number of sessions registered in logind.",
                                            .type = OMX_GAUGE,
                                            .label_names = labels,
                                            .n_labels = 4})) < 0)
        goto out;
    for (size_t i = 0; i < nseats; i++)
        for (int rm = 0; rm < 2; rm++)
            for (size_t t = 0; t < NT; t++)
                for (size_t c = 0; c < NC; c++)
                    if ((r = omx_emit_sample(e,
                                             (const char *[]){classes[c], rm ? "true" : "false",
                                                              seats[i].name, types[t]},
                                             seats[i].count[rm][t][c])) < 0)
                        goto out;
    r = 0;
    goto out;
fail:
    omx_log(OMX_LOG_DEBUG, "logind call failed", "collector", "logind", "err",
            err.message ? err.message : omx_strerror(r), NULL);
out:
    node_sd.error_free(&err);
    node_sd.message_unref(reply);
    node_sd.flush_close_unref(bus);
    free(seats);
    return r;
}

const node_collector node_collector_logind = {
    .name = "logind",
    .enabled_by_default = false,
    .collect = collect,
};
