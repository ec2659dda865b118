/* The fixed-size table: lookups, removal, insertion order, eviction of the
 * oldest when full, and reuse of freed entries. */
#include <errno.h>

#include "omx-test.h"
#include "table.h"

static wire_key key(uint64_t i) {
    wire_key k = {{i, i * 7, 0, 0, 42}};
    return k;
}

int main(void) {
    wire_table t;
    ASSERT_EQ(wire_table_init(&t, 0), -EINVAL);
    ASSERT_OK(wire_table_init(&t, 4));
    ASSERT(wire_table_oldest(&t) == NULL);
    int ev;
    for (uint64_t i = 0; i < 4; i++) {
        wire_key k = key(i);
        wire_entry *e = wire_table_insert(&t, &k, wire_key_hash(&k), (int64_t)i, &ev);
        ASSERT_EQ(ev, 0);
        e->label = (uint16_t)i;
    }
    ASSERT_EQ(t.used, 4);
    wire_key k = key(2);
    wire_entry *e = wire_table_find(&t, &k, wire_key_hash(&k));
    ASSERT(e != NULL);
    ASSERT_EQ(e->label, 2);
    /* full: the oldest (0) goes */
    k = key(10);
    e = wire_table_insert(&t, &k, wire_key_hash(&k), 10, &ev);
    ASSERT_EQ(ev, 1);
    ASSERT_EQ(e->label, 0);
    k = key(0);
    ASSERT(wire_table_find(&t, &k, wire_key_hash(&k)) == NULL);
    ASSERT_EQ(wire_table_oldest(&t)->ts, 1);
    /* removal in the middle keeps the order */
    k = key(2);
    wire_table_remove(&t, wire_table_find(&t, &k, wire_key_hash(&k)));
    ASSERT_EQ(t.used, 3);
    int64_t order[3];
    for (int i = 0; i < 3; i++) {
        e = wire_table_oldest(&t);
        order[i] = e->ts;
        wire_table_remove(&t, e);
    }
    ASSERT_EQ(order[0], 1);
    ASSERT_EQ(order[1], 3);
    ASSERT_EQ(order[2], 10);
    ASSERT_EQ(t.used, 0);
    /* many rounds through a small table: no leak of entries, lookups right */
    for (uint64_t i = 0; i < 10000; i++) {
        k = key(i + 100);
        uint32_t h = wire_key_hash(&k);
        ASSERT(wire_table_find(&t, &k, h) == NULL);
        wire_table_insert(&t, &k, h, (int64_t)i, &ev);
        ASSERT(wire_table_find(&t, &k, h) != NULL);
    }
    ASSERT_EQ(t.used, 4);
    ASSERT(wire_table_bytes(&t) > 0);
    wire_table_free(&t);
    wire_table_free(&t);
    TEST_DONE();
}
