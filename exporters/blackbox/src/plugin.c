/* Finding and opening the prober plugins (plugin.h). Installed, they live in
 * BB_PLUGIN_DIR: a path relative to the executable's directory (so a
 * --destdir copy or a moved prefix works) or an absolute one; in the build
 * tree they sit beside the executable. */
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exporter/log.h"
#include "plugin.h"

#ifndef BB_PLUGIN_DIR
#define BB_PLUGIN_DIR "../lib/omx-blackbox"
#endif

/* Weak: defined only in a program that links a plugin's code itself. */
extern const bb_plugin bb_plugin_http __attribute__((weak));
extern const bb_plugin bb_plugin_dns __attribute__((weak));
extern const bb_plugin bb_plugin_wire __attribute__((weak));

static const struct {
    const char *file, *symbol, *what;
} plugins[BB_N_PLUGINS] = {
    [BB_PLUGIN_HTTP] = {"omx-blackbox-http.so", "bb_plugin_http", "the http and grpc probers"},
    [BB_PLUGIN_DNS] = {"omx-blackbox-dns.so", "bb_plugin_dns", "the dns prober"},
    [BB_PLUGIN_WIRE] = {"omx-blackbox-wire.so", "bb_plugin_wire", "passive captures"},
};

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(const bb_plugin *) loaded[BB_N_PLUGINS];
static atomic_uint allowed = ~0u;

const char *bb_plugin_file(bb_plugin_id id) {
    return id > BB_PLUGIN_NONE && id < BB_N_PLUGINS ? plugins[id].file : "";
}

void bb_plugin_allow(unsigned mask) { atomic_store(&allowed, mask); }

static const bb_plugin *linked_copy(bb_plugin_id id) {
    switch (id) {
    case BB_PLUGIN_HTTP: return &bb_plugin_http;
    case BB_PLUGIN_DNS: return &bb_plugin_dns;
    case BB_PLUGIN_WIRE: return &bb_plugin_wire;
    default: return NULL;
    }
}

/* The executable's directory into dir; false when /proc is not there. */
static bool exe_dir(char *dir, size_t len) {
    ssize_t n = readlink("/proc/self/exe", dir, len - 1);
    if (n <= 0 || (size_t)n >= len - 1)
        return false;
    dir[n] = 0;
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    *slash = 0;
    return true;
}

/* dlopen()s the first of the candidate paths that exists. */
static void *open_file(bb_plugin_id id, char *err, size_t errlen) {
    char dir[PATH_MAX], installed[PATH_MAX + 256], beside[PATH_MAX + 256];
    const char *file = plugins[id].file;
    if (!exe_dir(dir, sizeof dir))
        snprintf(dir, sizeof dir, ".");
    if (BB_PLUGIN_DIR[0] == '/')
        snprintf(installed, sizeof installed, "%s/%s", BB_PLUGIN_DIR, file);
    else
        snprintf(installed, sizeof installed, "%s/%s/%s", dir, BB_PLUGIN_DIR, file);
    snprintf(beside, sizeof beside, "%s/%s", dir, file);
    const char *path = access(installed, F_OK) == 0 ? installed
                       : access(beside, F_OK) == 0  ? beside
                                                    : NULL;
    if (!path) {
        snprintf(err, errlen, "%s (%s) is not installed: no %s", file, plugins[id].what, installed);
        return NULL;
    }
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load %s: %s", path, why ? why : "dlopen failed");
        return NULL;
    }
    const bb_plugin *pl = dlsym(h, plugins[id].symbol);
    if (!pl || pl->abi != BB_PLUGIN_ABI || !pl->version || strcmp(pl->version, OMX_VERSION)) {
        snprintf(err, errlen, "%s is not a plugin of this omx-blackbox (%s)", path,
                 pl ? "another build" : "no plugin table");
        dlclose(h);
        return NULL;
    }
    return h;
}

int bb_plugin_load(bb_plugin_id id, char *err, size_t errlen) {
    if (id <= BB_PLUGIN_NONE || id >= BB_N_PLUGINS)
        return 0;
    if (atomic_load(&loaded[id]))
        return 0;
    if (!(atomic_load(&allowed) & (1u << id)))
        return 0;
    pthread_mutex_lock(&load_lock);
    int rc = 0;
    if (!atomic_load(&loaded[id])) {
        const bb_plugin *pl = linked_copy(id);
        void *h = NULL;
        if (!pl) {
            if ((h = open_file(id, err, errlen)))
                pl = dlsym(h, plugins[id].symbol);
            else
                rc = OMX_ECONFIG;
        }
        if (pl && pl->init && (rc = pl->init()) < 0) {
            snprintf(err, errlen, "%s could not start: %s", plugins[id].file, omx_strerror(rc));
            rc = OMX_ECONFIG;
        }
        if (rc == 0)
            atomic_store(&loaded[id], pl);
        else if (h)
            dlclose(h);
    }
    pthread_mutex_unlock(&load_lock);
    return rc;
}

const bb_plugin *bb_plugin_get(bb_plugin_id id) {
    if (id <= BB_PLUGIN_NONE || id >= BB_N_PLUGINS)
        return NULL;
    const bb_plugin *pl = atomic_load(&loaded[id]);
    if (pl)
        return pl;
    char err[PATH_MAX + 512] = "";
    if (bb_plugin_load(id, err, sizeof err) < 0)
        omx_log(OMX_LOG_ERROR, "Cannot load a plugin", "err", err, NULL);
    return atomic_load(&loaded[id]);
}
