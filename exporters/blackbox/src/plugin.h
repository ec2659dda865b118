/* Probers with heavy libraries live in plugins that omx-blackbox maps only
 * when the loaded config needs them: libcurl for http and grpc, ldns for dns,
 * libpcap for the passive: section. A plugin's config code (parse, free,
 * dump) stays in the binary, so every module can carry every section; the
 * plugin holds what talks to the network. A program that links a plugin's
 * code itself (tests, fuzz targets) uses that copy and opens nothing. */
#ifndef BB_PLUGIN_H
#define BB_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "module.h"
#include "wire/wire.h"

typedef enum bb_plugin_id {
    BB_PLUGIN_NONE = 0, /* built into the binary */
    BB_PLUGIN_HTTP,     /* omx-blackbox-http.so: the http and grpc probers */
    BB_PLUGIN_DNS,      /* omx-blackbox-dns.so */
    BB_PLUGIN_WIRE,     /* omx-blackbox-wire.so: captures and --passive.read-file */
    BB_N_PLUGINS
} bb_plugin_id;

/* Bumped whenever bb_plugin or a function a plugin calls changes. */
#define BB_PLUGIN_ABI 1

/* What a plugin exports as `bb_plugin_<name>` (bb_plugin_http, ...). The
 * binary and its plugins come from one build: abi and version must match. */
typedef struct bb_plugin {
    unsigned abi;        /* BB_PLUGIN_ABI */
    const char *version; /* OMX_VERSION */
    int (*init)(void);   /* once, when loaded (NULL: nothing); 0 or a negative errno */
    /* The plugin's probers' run functions by prober name; the unused stay NULL. */
    bool (*run_http)(bb_probe *p, const void *cfg);
    bool (*run_grpc)(bb_probe *p, const void *cfg);
    bool (*run_dns)(bb_probe *p, const void *cfg);
    /* The wire plugin: wire.h's functions. */
    int (*wire_start)(const wire_config *cfg, omx_registry *reg, wire **ret);
    wire *(*wire_stop)(wire *w);
    int (*wire_read_file)(const wire_config *cfg, const char *path, bool openmetrics, int fd,
                          char *err, size_t errlen);
} bb_plugin;

/* Makes plugin id usable: its statically linked copy, or its shared object
 * opened from the install directory ($libdir/omx-blackbox, found relative to
 * the executable) or from beside the executable (the build tree). Loads once
 * per process and never unloads; thread-safe. Returns 0, or OMX_ECONFIG with
 * a message naming the file in err (missing, unloadable, from another build). */
int bb_plugin_load(bb_plugin_id id, char *err, size_t errlen);
/* The loaded plugin, loading it first when needed (errors logged); NULL when
 * it cannot load or loading is not allowed. Borrowed for the process' life. */
const bb_plugin *bb_plugin_get(bb_plugin_id id);
/* Restricts which plugins bb_plugin_load opens from now on: bit 1 << id set
 * for each allowed one (all by default). Others succeed without loading,
 * for a mode that never runs them (--passive.read-file loads the config but
 * runs no probe). Call before loading any config. */
void bb_plugin_allow(unsigned mask);
/* The file name of plugin id ("omx-blackbox-http.so"); "" for NONE. */
const char *bb_plugin_file(bb_plugin_id id);

/* wire.h's functions through the wire plugin. Without it they fail with
 * OMX_ECONFIG (and a message in err for read_file); bb_wire_stop accepts NULL. */
int bb_wire_start(const wire_config *cfg, omx_registry *reg, wire **ret);
wire *bb_wire_stop(wire *w);
int bb_wire_read_file(const wire_config *cfg, const char *path, bool openmetrics, int fd, char *err,
                      size_t errlen);

#endif
