/* dlopen()ed libsystemd for the sd-bus collectors (see sdbus.h). */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <exporter/exporter.h>

#include "sdbus.h"

node_sdbus node_sd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_rc = -ENOSYS;

static void load(void) {
    const omx_dlsym syms[] = {
        {(void **)&node_sd.open_system, "sd_bus_open_system"},
        {(void **)&node_sd.new_bus, "sd_bus_new"},
        {(void **)&node_sd.set_address, "sd_bus_set_address"},
        {(void **)&node_sd.start, "sd_bus_start"},
        {(void **)&node_sd.unref, "sd_bus_unref"},
        {(void **)&node_sd.flush_close_unref, "sd_bus_flush_close_unref"},
        {(void **)&node_sd.set_method_call_timeout, "sd_bus_set_method_call_timeout"},
        {(void **)&node_sd.call_method, "sd_bus_call_method"},
        {(void **)&node_sd.get_property_string, "sd_bus_get_property_string"},
        {(void **)&node_sd.get_property_trivial, "sd_bus_get_property_trivial"},
        {(void **)&node_sd.message_enter_container, "sd_bus_message_enter_container"},
        {(void **)&node_sd.message_read, "sd_bus_message_read"},
        {(void **)&node_sd.message_unref, "sd_bus_message_unref"},
        {(void **)&node_sd.error_free, "sd_bus_error_free"},
    };
    /* too old a libsystemd: the collectors fail cleanly */
    load_rc = omx_dlsyms("libsystemd.so.0", syms, sizeof syms / sizeof syms[0]);
}

static int connect_private(sd_bus **ret) {
    sd_bus *b = NULL;
    int r = node_sd.new_bus(&b);
    if (r >= 0)
        r = node_sd.set_address(b, "unix:path=/run/systemd/private");
    if (r >= 0)
        r = node_sd.start(b);
    if (r < 0) {
        node_sd.unref(b);
        return r;
    }
    *ret = b;
    return 0;
}

static bool is_socket(const char *path) {
    struct stat st;
    return !stat(path, &st) && S_ISSOCK(st.st_mode);
}

/* Whether the bus sd-bus would connect to may exist: the socket of a
 * unix:path= address (the default's, or DBUS_SYSTEM_BUS_ADDRESS's first one)
 * is there. Another kind of address is tried as it is. */
static bool bus_may_exist(bool private_socket) {
    if (private_socket)
        return is_socket("/run/systemd/private");
    const char *a = secure_getenv("DBUS_SYSTEM_BUS_ADDRESS");
    if (!a || !*a)
        return is_socket("/run/dbus/system_bus_socket");
    static const char pre[] = "unix:path=";
    if (strncmp(a, pre, sizeof pre - 1))
        return true;
    a += sizeof pre - 1;
    size_t n = strcspn(a, ",;");
    char path[4096];
    if (n >= sizeof path || memchr(a, '%', n)) /* escaped: sd-bus reads it */
        return true;
    memcpy(path, a, n);
    path[n] = '\0';
    return is_socket(path);
}

int node_sdbus_open(omx_emitter *e, bool private_socket, sd_bus **ret_bus) {
    /* without a bus (containers, hosts without systemd) libsystemd and the
     * libraries it needs stay unmapped; a bus appearing later is found at
     * the next scrape */
    if (!bus_may_exist(private_socket))
        return -ENOENT;
    pthread_once(&once, load);
    if (load_rc < 0)
        return load_rc;
    sd_bus *bus = NULL;
    int r = private_socket ? connect_private(&bus) : node_sd.open_system(&bus);
    if (r < 0)
        return r;
    uint64_t timeout_us = 10 * 1000000ull;
    int64_t deadline = omx_emitter_deadline_ns(e);
    if (deadline > 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        int64_t left = deadline - ((int64_t)now.tv_sec * 1000000000 + now.tv_nsec);
        timeout_us = left > 1000000 ? (uint64_t)left / 1000 : 1000;
    }
    node_sd.set_method_call_timeout(bus, timeout_us);
    *ret_bus = bus;
    return 0;
}
