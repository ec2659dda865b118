/* sd-bus for the systemd and logind collectors, from a libsystemd loaded with
 * dlopen() on first use: omx-node maps libsystemd (and the compression and
 * crypto libraries it pulls in, about 1.2 MB) only when one of them is on and
 * the bus socket exists. */
#ifndef NODE_SDBUS_H
#define NODE_SDBUS_H

#include <stdbool.h>

#include <systemd/sd-bus.h> /* types and prototypes only */

#include <exporter/emit.h>

#include "node.h"

typedef struct node_sdbus {
    __typeof__(sd_bus_open_system) *open_system;
    __typeof__(sd_bus_new) *new_bus;
    __typeof__(sd_bus_set_address) *set_address;
    __typeof__(sd_bus_start) *start;
    __typeof__(sd_bus_unref) *unref;
    __typeof__(sd_bus_flush_close_unref) *flush_close_unref;
    __typeof__(sd_bus_set_method_call_timeout) *set_method_call_timeout;
    __typeof__(sd_bus_call_method) *call_method;
    __typeof__(sd_bus_get_property_string) *get_property_string;
    __typeof__(sd_bus_get_property_trivial) *get_property_trivial;
    __typeof__(sd_bus_message_enter_container) *message_enter_container;
    __typeof__(sd_bus_message_read) *message_read;
    __typeof__(sd_bus_message_unref) *message_unref;
    __typeof__(sd_bus_error_free) *error_free;
} node_sdbus;

/* Filled by node_sdbus_open(); valid once it has returned 0. */
extern node_sdbus node_sd;

/* Loads libsystemd if needed and connects to the system bus (or, with
 * private_socket, to systemd's /run/systemd/private), with a method-call
 * timeout that ends before the scrape's deadline. Returns 0 and a bus the
 * caller closes with node_sd.flush_close_unref(), or a negative errno
 * (-ENOENT: no bus socket, libsystemd not loaded; -ENOSYS: libsystemd cannot
 * be loaded). */
int node_sdbus_open(omx_emitter *e, bool private_socket, sd_bus **ret_bus);

#endif
