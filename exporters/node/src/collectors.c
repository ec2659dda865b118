/* omx-node: the table of every collector (any order; users see them sorted by
 * name), from the one list in src/collectors/meson.build. */
#include "collectors-list.h"
#include "node.h"

#define NODE_DECLARE(name) extern const node_collector node_collector_##name;
NODE_COLLECTORS(NODE_DECLARE)

#define NODE_ENTRY(name) &node_collector_##name,
const node_collector *const node_collectors[] = {
    NODE_COLLECTORS(NODE_ENTRY) NULL,
};
