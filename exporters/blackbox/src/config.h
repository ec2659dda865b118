/* Loading blackbox.yml: every module with its prober sections, the passive:
 * section, and the YAML shown on /config and in debug output. A loaded
 * config is shared by the probes running with it (reference counted) and
 * swapped whole on reload. */
#ifndef BB_CONFIG_H
#define BB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "module.h"
#include "plugin.h"
#include "wire/wire.h"

/* A prober a module may name; with_defaults: every module carries its section
 * (parsed from nothing when absent), as upstream's DefaultModule does;
 * plugin: where its run lives, loaded with a config that has a module of
 * this prober (BB_PLUGIN_NONE: in the binary). */
typedef struct bb_prober_entry {
    const bb_prober *prober;
    bool with_defaults;
    bb_plugin_id plugin;
} bb_prober_entry;
#define BB_MAX_PROBERS 12
extern const bb_prober_entry bb_probers[]; /* probers.c */
extern const size_t bb_n_probers;          /* at most BB_MAX_PROBERS */

/* Loads path (at most 1 MiB), and the plugins its modules' probers and its
 * passive: section need (a plugin that cannot load is an error naming the
 * module's prober key and the file). Returns 0 with *ret (one reference, the
 * caller's), or OMX_ECONFIG / -ENOMEM / a negative errno with one line
 * naming file:line:col and key in err. */
int bb_config_load(const char *path, bb_config **ret, char *err, size_t errlen);
/* Same from text; name stands for the file in messages. */
int bb_config_load_string(const char *name, const char *text, size_t len, bb_config **ret,
                          char *err, size_t errlen);
/* Takes another reference (thread-safe); returns c. */
bb_config *bb_config_ref(bb_config *c);
/* Drops a reference, freeing at the last. Accepts NULL; returns NULL. */
bb_config *bb_config_unref(bb_config *c);

size_t bb_config_n_modules(const bb_config *c);
/* Module i in name order; NULL past the end. Borrowed from c. */
const bb_module *bb_config_module_at(const bb_config *c, size_t i);
/* The passive: section, NULL when absent. Borrowed from c. */
const wire_config *bb_config_passive(const bb_config *c);

/* The whole config as YAML (secrets as <secret>) for /config: appended to out. */
int bb_config_dump(const bb_config *c, omx_buf *out);
/* One module's resolved config (prober, timeout, its sections) as YAML at
 * indent 0, computed at load; borrowed from the config holding m. */
const char *bb_module_yaml(const bb_module *m, size_t *ret_len);

/* Go's time.Duration.String() of ns ("5s", "1m30s", "500ms", "0s") into buf. */
void bb_format_go_duration(char *buf, size_t size, int64_t ns);

#endif
