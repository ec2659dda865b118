/* A fixed-size connection table for the passive capture: entries preallocated
 * at init (memory fixed whatever the traffic), found by a 40-byte key through
 * chained hashing, kept in insertion order so that the oldest entry is the
 * first to time out and the one evicted when the table is full. One thread
 * owns a table: no locks. */
#ifndef BB_WIRE_TABLE_H
#define BB_WIRE_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct wire_key {
    uint64_t w[5];
} wire_key;

typedef struct wire_entry {
    wire_key key;
    int64_t ts;  /* insertion time (packet clock, ns): ages the entry */
    int64_t ts2; /* a second event's time (the last SYN, then the SYN/ACK) */
    uint32_t seq, seq2;
    uint16_t label; /* label index cached for the entry (port, server) */
    uint8_t state;
    uint8_t flags;
    uint32_t next;         /* hash chain */
    uint32_t older, newer; /* insertion order */
} wire_entry;

typedef struct wire_table {
    wire_entry *e;
    uint32_t *bucket;
    uint32_t mask; /* buckets - 1 */
    uint32_t cap, used;
    uint32_t free;           /* free list through next */
    uint32_t oldest, newest; /* insertion order ends */
} wire_table;

/* Allocates a table of cap entries (1 .. 2^24). Returns 0 or -ENOMEM/-EINVAL. */
int wire_table_init(wire_table *t, size_t cap);
/* Frees the arrays; accepts a zeroed or freed table. */
void wire_table_free(wire_table *t);
/* Bytes the table holds. */
size_t wire_table_bytes(const wire_table *t);

uint32_t wire_key_hash(const wire_key *k);
/* The entry with key k (hash h = wire_key_hash(k)), or NULL. */
wire_entry *wire_table_find(wire_table *t, const wire_key *k, uint32_t h);
/* Inserts a new entry for k at time ts (the caller made sure k is absent);
 * when the table is full the oldest entry goes first and *evicted is set to
 * 1 (else 0). Returns the entry, its payload fields zeroed. */
wire_entry *wire_table_insert(wire_table *t, const wire_key *k, uint32_t h, int64_t ts,
                              int *evicted);
void wire_table_remove(wire_table *t, wire_entry *e);
/* The oldest entry or NULL when empty. */
wire_entry *wire_table_oldest(wire_table *t);

#endif
