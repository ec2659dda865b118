/* libexporter internals shared between its source files (omx__ prefix). */
#ifndef OMX_INTERNAL_H
#define OMX_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/collector.h"
#include "exporter/registry.h"
#include "exporter/writer.h"
#include "exporter/process.h"

#define OMX__CACHELINE 64
#define OMX__NSHARDS 16 /* slots of an OMX_FAMILY_SHARDED series */
#define OMX__DEFAULT_MAX_SERIES 10000
#define OMX__DEFAULT_MAX_VALUE_LEN 4096 /* bytes of one label value */
#define OMX__MAX_BUCKETS 1024
#define OMX__MAX_LABELS 64
#define OMX__EXEMPLAR_CHARS 128       /* OpenMetrics limit on exemplar label names+values */
#define OMX__EXEMPLAR_BUF 1100        /* rendered (escaped) exemplar labels */
#define OMX__WBUF (32 * 1024)         /* writer buffer flushed to the sink */
#define OMX__STUCK_WAIT_NS 2000000000 /* omx_registry_free waits for abandoned calls */
#define OMX__TOMB ((omx_series *)(uintptr_t)1)

/* ---- allocation: one wrapper so allocations can be counted in tests ---- */
void *omx__malloc(size_t n);
void *omx__calloc(size_t n, size_t size);
void *omx__realloc(void *p, size_t n);
void *omx__aligned(size_t n); /* zeroed, cache-line aligned */
char *omx__strdup(const char *s);
void omx__free(void *p);

/* ---- names, escaping, UTF-8 (names.c) ---- */
bool omx__utf8_valid(const char *s, size_t len);
size_t omx__utf8_chars(const char *s);
bool omx__unit_valid(const char *unit);
bool omx__ends_with(const char *s, size_t len, const char *suffix);
/* Appends s escaped for a label value (\\ \" \n). Returns 0 or an omx_err. */
int omx__escape_label(omx_buf *b, const char *s);
/* Validates a family description shared by omx_family_new and omx_emit_family.
 * base receives the name without the type suffix ("_total" for counters,
 * "_info" for info); *base_len its length. */
int omx__check_desc(omx_type t, const char *name, const char *unit, const char *const *label_names,
                    size_t n_labels, size_t *base_len);

/* ---- time ---- */
double omx__now_realtime(void); /* seconds since the epoch */
int64_t omx__now_mono_ns(void);
extern double omx__test_realtime; /* tests: nonzero replaces the clock */

/* ---- exemplars ---- */
typedef struct omx__exemplar {
    atomic_flag lock;
    bool set;
    double value;
    double ts; /* NAN = none */
    uint16_t len;
    char labels[OMX__EXEMPLAR_BUF]; /* rendered: a="x",b="y" */
} omx__exemplar;

/* Copies an exemplar under its lock; returns false when none is set. */
bool omx__exemplar_read(omx__exemplar *ex, omx__exemplar *ret_copy);

/* ---- reclamation for lock-free readers (reclaim.c) ---- */
typedef struct omx__reader {
    /* 0 outside a read section, else the epoch at entry; OMX__READER_NEW
     * while the thread is not in the reader list (the TLS initial value). */
    _Atomic uint64_t state;
    struct omx__reader *next, *prev; /* reader list, under its lock */
} omx__reader;

#define OMX__READER_NEW UINT64_MAX

extern _Thread_local omx__reader omx__me __attribute__((tls_model("initial-exec")));
/* Even and >= 2; bit 0 set: readers need a full fence (no membarrier). */
extern _Atomic uint64_t omx__epoch;

/* Links this thread's record into the reader list (its first read section). */
void omx__reader_join(void);

/* Enters a read section: memory reachable from the registry's tables and live
 * lists stays allocated until the matching omx__read_unlock. Sections nest
 * (only the outer one counts); nobody ever waits for one, a long section only
 * delays freeing. Returns whether this was the outer section; pass it to
 * omx__read_unlock. One load, one branch and a store on the common path. */
static inline __attribute__((always_inline)) bool omx__read_lock(void) {
    uint64_t st = atomic_load_explicit(&omx__me.state, memory_order_relaxed);
    if (__builtin_expect(st != 0, 0)) {
        if (st != OMX__READER_NEW)
            return false; /* nested */
        omx__reader_join();
    }
    uint64_t e = atomic_load_explicit(&omx__epoch, memory_order_relaxed);
    atomic_store_explicit(&omx__me.state, e, memory_order_release);
    if (__builtin_expect(e & 1, 0))
        atomic_thread_fence(memory_order_seq_cst);
    else
        atomic_signal_fence(memory_order_seq_cst); /* membarrier orders it */
    return true;
}

static inline __attribute__((always_inline)) void omx__read_unlock(bool outer) {
    if (outer)
        atomic_store_explicit(&omx__me.state, 0, memory_order_release);
}

/* Tests: readers fence instead of relying on membarrier(2), as where it is
 * unavailable. Only before the first read section or removal of the process. */
void omx__reclaim_use_fences(void);

/* The tag of memory unlinked by the caller just before (no reader entering
 * from now on can reach it). */
uint64_t omx__epoch_tag(void);
/* Whether memory of that tag can be freed: no read section can still see it. */
bool omx__epoch_safe(uint64_t tag);
/* Advances the epoch if every reader in a section entered at the current one.
 * Never waits for readers. Returns whether it advanced. */
bool omx__epoch_advance(void);

/* ---- registry model ---- */
typedef struct omx__table {
    size_t mask;
    struct omx__table *retired_next; /* FIFO of tables waiting to be freed */
    uint64_t retired_tag;
    _Atomic(omx_series *) slots[];
} omx__table;

/* Low byte of omx_series.owner: the series type, plus one of these flags
 * while no thread owns the owner cell (bits 8.. hold the owner's token). */
#define OMX__OWNER_FREE 0x80u /* claimable: the first updating thread takes it */
#define OMX__OWNER_NONE 0x40u /* no owner cell (sharded or single-cell series) */

struct omx_series {
    /* First cache line: everything an update reads; nobody writes it but the
     * owner claim (once). */
    /* nshards == 2: (token << 8) | type of the one thread allowed to update
     * the owner cell with plain loads and stores (tokens are never reused), or
     * type | OMX__OWNER_FREE until claimed; else type | OMX__OWNER_NONE. One
     * compare with the thread's key checks the owner and the type at once. */
    _Atomic uint64_t owner;
    _Atomic uint64_t *own; /* the owner cell (cells + stride), nshards == 2 */
    _Atomic uint64_t *cells;
    const double *bounds;
    uint8_t type;
    uint8_t nshards; /* 1 (one cell), 2 (shared + owner cell) or OMX__NSHARDS */
    uint16_t nb;     /* histogram buckets including +Inf */
    uint32_t stride; /* 64-bit words per cell (a multiple of 8 when sharded) */
    omx_family *fam;
    uint64_t hash;
    _Atomic(omx_series *) next; /* live list in creation order */
    /* the rest: lookups, scrapes and the family lock */
    omx_series *prev;       /* family lock */
    omx_series *limbo_next; /* removed, waiting to be freed (family lock) */
    uint64_t limbo_tag;     /* omx__epoch_tag() at removal */
    atomic_bool removed;
    double created;
    char *lbl; /* rendered label pairs: a="x",b="y" */
    size_t lbl_len;
    _Atomic(omx__exemplar *) ex; /* counter: one; histogram: nb of them */
    /* Right behind the header, at a fixed offset so a lookup reaches them without
     * another pointer: uint32_t vlen[n_labels], then each value and its NUL. */
};

static inline const uint32_t *omx__series_vlen(const omx_series *s) {
    return (const uint32_t *)(const void *)(s + 1);
}

struct omx_family {
    omx_registry *reg;
    omx_type type;
    unsigned flags;
    char *name; /* without "_total"/"_info" */
    size_t name_len;
    char *help;
    char *unit;
    char **label_names;
    size_t n_labels;
    double *bounds;
    size_t n_bounds;
    char (*le_prom)[32]; /* n_bounds + 1 rendered le values per format */
    char (*le_om)[32];
    char **states; /* escaped state names */
    size_t n_states;
    size_t max_series;
    size_t max_value_len;
    pthread_mutex_t lock;
    _Atomic(omx__table *) table;
    omx__table *retired, *retired_tail; /* replaced tables not freed yet, oldest first */
    size_t grown;                       /* tables replaced by a larger one, ever */
    size_t used;                        /* table slots taken, tombstones included */
    atomic_size_t live;
    atomic_uint_fast64_t rejected;     /* new series past max_series */
    atomic_uint_fast64_t rejected_len; /* new series with a value past max_value_len */
    _Atomic(omx_series *) head;
    omx_series *tail;
    omx_series *limbo, *limbo_tail; /* removed series not freed yet, oldest first */
    size_t limbo_n;
    size_t retire_count; /* retirements since the last reclaim attempt */
    _Atomic(omx_family *) next;
};

typedef struct omx__collector {
    char *name;
    omx_collect_fn fn;
    void *userdata;
    void (*free_userdata)(void *);
    unsigned flags;    /* OMX__COLLECTOR_* */
    atomic_bool stuck; /* a call abandoned at a deadline has not returned yet */
    _Atomic(struct omx__collector *) next;
} omx__collector;

/* Not listed in <prefix>_scrape_collector_* (node_exporter does not list the
 * process collector there either). */
#define OMX__COLLECTOR_NO_STATS 1u

/* omx_registry_add_collector with OMX__COLLECTOR_* flags. */
int omx__registry_add_collector(omx_registry *r, const char *name, omx_collect_fn fn,
                                void *userdata, void (*free_userdata)(void *), unsigned flags);

struct omx_registry {
    pthread_mutex_t lock;
    _Atomic(omx_family *) fam_head;
    omx_family *fam_tail;
    _Atomic(omx__collector *) col_head;
    omx__collector *col_tail;
    char *stats_prefix;                /* lock */
    atomic_uint_fast64_t dup_families; /* omx_scrape_duplicate_families_total */
    atomic_size_t names_hint; /* families the last scrape wrote: presizes the next one's set */
    atomic_size_t stuck;      /* abandoned collector calls still running (collect-runner.c) */
};

/* Index of this thread's shard slot. */
unsigned omx__shard_index(void);

/* Room for len more bytes and the NUL after them in b (buf.c); b->data is
 * then non-NULL. Returns 0, OMX_ELIMIT past b's cap, or OMX_ENOMEM. */
int omx__buf_reserve(omx_buf *b, size_t len);
/* omx__buf_reserve with its common case (room already there) inline. */
static inline int omx__buf_room(omx_buf *b, size_t len) {
    return b->data && len < b->cap - b->len ? 0 : omx__buf_reserve(b, len);
}

/* ---- family names written in one scrape (nameset.c) ---- */
typedef struct omx__name_slot {
    uint64_t hash;
    uint32_t off, len; /* len 0: empty slot */
} omx__name_slot;

typedef struct omx__nameset {
    omx__name_slot *slots;
    size_t mask, n;
    omx_buf arena;
} omx__nameset;

/* An empty set with room for about n names before it grows. */
void omx__nameset_init(omx__nameset *s, size_t n);
void omx__nameset_free(omx__nameset *s);
/* Keys are name (len bytes) followed by suffix (a C string, may be ""). */
bool omx__nameset_has(const omx__nameset *s, const char *name, size_t len, const char *suffix);
/* Returns 1 when added, 0 when already there, or an omx_err. */
int omx__nameset_add(omx__nameset *s, const char *name, size_t len, const char *suffix);
/* The hash of a key, so one computed once can serve a lookup and an add;
 * the _h forms take it (it must be omx__nameset_hash of the same key). */
uint64_t omx__nameset_hash(const char *name, size_t len, const char *suffix);
bool omx__nameset_has_h(const omx__nameset *s, uint64_t h, const char *name, size_t len,
                        const char *suffix);
int omx__nameset_add_h(omx__nameset *s, uint64_t h, const char *name, size_t len,
                       const char *suffix);

/* A family's keys in a nameset: its base name and, for the types 0.0.4
 * names by a suffixed sample (counter, info), base + that suffix; hashed
 * once per family. base may be re-pointed at a copy of the same bytes. */
typedef struct omx__name_keys {
    const char *base;
    size_t len;
    const char *suffix; /* "_total", "_info" or "" */
    uint64_t h, hs;     /* hashes of base and of base + suffix */
} omx__name_keys;
void omx__names_keys(omx__name_keys *k, const char *base, size_t len, omx_type t);

/* ---- writer (writer.c) ---- */
struct omx__run;

typedef struct omx__writer {
    omx_format fmt;
    omx_write_fn fn;
    void *ctx;
    int err;
    size_t len;
    char *buf;
    omx__nameset names;     /* families written so far (base names) */
    struct omx__run *run;   /* on a collector thread: the scrape's names, under the run's lock */
    struct omx__visit *vis; /* omx_registry_visit: headers and samples go there, not to text */
    bool has_created;       /* vis: the series being written has a creation time */
    double created;
} omx__writer;

/* ---- sample visitor (visit.c) ---- */
/* A family header / a sample line handed to the visitor instead of written;
 * arguments as omx__w_header_named / omx__w_sample (suffix as 0.0.4 adds it). */
void omx__visit_header(omx__writer *w, const char *name, size_t len, const char *suffix, omx_type t,
                       const char *help, const char *unit);
void omx__visit_sample(omx__writer *w, const char *base, size_t base_len, const char *suffix,
                       const char *lbl, size_t lbl_len, const char *xname, const char *xval,
                       const char *val, size_t val_len, const char *ts);
/* The walk shared by omx_registry_write and omx_registry_visit on a writer
 * set up by the caller (fmt, fn, ctx, vis). Returns 0 or an omx_err. */
int omx__registry_walk(omx_registry *r, const omx_write_opts *opts, omx__writer *w);

/* The name checks of omx__w_taken/omx__w_claim on a given set. */
bool omx__names_taken(const omx__nameset *s, const omx__name_keys *k);
int omx__names_claim(omx__nameset *s, const omx__name_keys *k);

void omx__w_put(omx__writer *w, const char *s, size_t n);
int omx__w_flush(omx__writer *w);
/* Whether a family of that base name and type was already written in this
 * scrape (as its base name or as its 0.0.4 name, e.g. "x" or "x_total"). */
bool omx__w_taken(const omx__writer *w, const omx__name_keys *k);
/* Records the family as written. Returns 0 or OMX_ENOMEM/OMX_ELIMIT. */
int omx__w_claim(omx__writer *w, const omx__name_keys *k);
/* "# HELP/# TYPE/# UNIT" lines of a family; base is the name without suffix.
 * help_plain: help's length when the caller knows it needs no escaping in
 * w's format, else SIZE_MAX (the writer looks). */
void omx__w_header(omx__writer *w, const char *base, size_t base_len, omx_type t, const char *help,
                   size_t help_plain, const char *unit);
/* Same with the family name given whole (no suffix added in either format)
 * and t's type word of the writer's format; no UNIT. */
void omx__w_header_named(omx__writer *w, const char *name, size_t len, omx_type t, const char *help,
                         size_t help_plain);
/* One sample line: <base><suffix>{<lbl>[,<xname>="<xval>"]} <val>[ <ts>][ # {<ex>} ...] */
void omx__w_sample(omx__writer *w, const char *base, size_t base_len, const char *suffix,
                   const char *lbl, size_t lbl_len, const char *xname, const char *xval,
                   const char *val, size_t val_len, const char *ts, const omx__exemplar *ex);
/* ---- number rendering (format.c) ---- */
/* Formats an unsigned integer; returns the length (out >= 21 bytes). */
size_t omx__format_u64(char *out, uint64_t v);
/* Go's strconv 'g' -1 rendering (client_golang's le/quantile in 0.0.4). */
size_t omx__format_go(char *out, double v);

/* ---- registry output (writer.c) ---- */
/* Writes the registry's own families. */
void omx__registry_write_families(omx_registry *r, omx__writer *w);
/* Emits omx_series_rejected_total when any family rejected series. */
void omx__registry_write_rejected(omx_registry *r, omx_emitter *e);

/* One collector's line in <prefix>_scrape_collector_*. */
typedef struct omx__stat_entry {
    const char *name;
    double seconds;
    bool ok;
} omx__stat_entry;

/* ---- collectors under a deadline (collect-runner.c) ---- */
/* Runs r's collectors on the collector threads, appending their output to w
 * in registration order, waiting no later than deadline_ns (then the running
 * collector is abandoned and reported failed). Appends an omx__stat_entry per
 * listed collector to stats when it is non-NULL; adds to e's dup_families and
 * oom. Only the collectors pick accepts run (NULL: all). Borrows everything. */
void omx__run_collectors(omx_registry *r, omx__writer *w, omx_emitter *e, omx_buf *stats,
                         int64_t deadline_ns, omx_collector_pick_fn pick, void *pick_ctx);
/* omx__w_taken/omx__w_claim of a writer on a collector thread. */
bool omx__run_taken(struct omx__run *run, const omx__name_keys *k);
int omx__run_claim(struct omx__run *run, const omx__name_keys *k);
/* Waits up to timeout_ns for r's abandoned collector calls to return; returns
 * whether none is left (else r must not be freed). */
bool omx__run_wait_stuck(omx_registry *r, int64_t timeout_ns);

/* ---- emitter (emitter.c) ---- */
struct omx_emitter {
    omx__writer *w;
    int64_t deadline_ns;
    bool active; /* a family is open */
    bool header_done;
    omx_type type;
    size_t n_labels;
    omx_buf desc;              /* copies: name \0 help \0 unit \0 label names \0 ... */
    size_t off_help, off_unit; /* (size_t)-1 = none */
    size_t help_plain;         /* as omx__w_header's */
    size_t base_len;           /* the name without the suffix its type adds */
    bool as_written;           /* OMX_DESC_AS_WRITTEN: see collector.h */
    size_t name_len;           /* sample lines' name (base_len unless as_written) */
    omx__name_keys keys;       /* of base_len bytes of the name, as claim_type */
    omx_type claim_type;       /* type the name is recorded and, in OpenMetrics, typed as */
    size_t *off_labels;
    size_t cap_labels;
    omx_buf lbl;           /* rendered labels of the current sample */
    omx_buf plbl;          /* ... and of the previous one of this family */
    bool has_prev;         /* plbl holds the previous sample's labels */
    bool prev_ts;          /* the previous sample had a timestamp */
    bool dup;              /* the running collector hit a duplicate (reported failed) */
    uint64_t dup_families; /* families dropped in this scrape */
    omx_buf xv;            /* an escaped extra label value (stateset) */
    bool oom;              /* an allocation failed during the write */
};

void omx__emitter_init(omx_emitter *e, omx__writer *w, int64_t deadline_ns);
void omx__emitter_end_family(omx_emitter *e);
void omx__emitter_free(omx_emitter *e);

#endif
