/* Reclamation of removed series and replaced tables: memory follows the live
 * series under churn, a read section keeps what it may see allocated (ASan
 * reports it otherwise), and threads that exit leave the reader list. */
#include <pthread.h>

#include "internal.h"
#include "omx-test.h"

static omx_registry *reg;

static omx_family *family(const char *name, size_t max_series) {
    const char *ln[] = {"k"};
    omx_family *f;
    ASSERT_OK(omx_family_new(reg,
                             &(omx_family_opts){.type = OMX_COUNTER,
                                                .name = name,
                                                .label_names = ln,
                                                .n_labels = 1,
                                                .max_series = max_series},
                             &f));
    return f;
}

static void get_remove(omx_family *f, int from, int to) {
    char v[32];
    for (int i = from; i < to; i++) {
        snprintf(v, sizeof v, "fresh-%d", i);
        omx_series *s;
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
        omx_counter_inc(s);
        ASSERT_OK(omx_family_remove(f, (const char *[]){v}));
    }
}

/* Limbo after churn: a few reclaim batches at most, whatever the churn. */
#define LIMBO_MAX 128

static void test_churn_bounded(void) {
    omx_family *f = family("churn", 10);
    get_remove(f, 0, 100000);
    ASSERT_EQ(omx_family_size(f), 0);
    ASSERT(f->limbo_n <= LIMBO_MAX);
    /* clears retire whole batches */
    char v[32];
    for (int round = 0; round < 1000; round++) {
        for (int i = 0; i < 10; i++) {
            snprintf(v, sizeof v, "c%d-%d", round, i);
            omx_series *s;
            ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
        }
        omx_family_clear(f);
    }
    ASSERT(f->limbo_n <= LIMBO_MAX);
}

/* A read section sees removed series stay allocated until it ends. */
static void test_section_delays_free(void) {
    omx_family *f = family("held", 10);
    omx_series *s;
    ASSERT_OK(omx_family_get(f, (const char *[]){"kept"}, &s));
    omx_counter_inc(s);
    bool outer = omx__read_lock();
    ASSERT(outer);
    ASSERT(!omx__read_lock()); /* nested: only the outer one counts */
    omx__read_unlock(false);
    ASSERT_OK(omx_family_remove(f, (const char *[]){"kept"}));
    get_remove(f, 0, 5000);
    /* everything removed since the section began is still there */
    ASSERT(f->limbo_n >= 5001);
    ASSERT_STR_EQ((const char *)(omx__series_vlen(s) + 1), "kept");
    ASSERT(omx_series_value(s) == 1);
    omx__read_unlock(outer);
    get_remove(f, 5000, 5200);
    ASSERT(f->limbo_n <= LIMBO_MAX);
}

/* Replaced tables are freed too; `grown` still counts them. */
static void test_tables_freed(void) {
    omx_family *f = family("grow", 100000);
    char v[32];
    omx_series *s;
    for (int i = 0; i < 5000; i++) {
        snprintf(v, sizeof v, "g%d", i);
        ASSERT_OK(omx_family_get(f, (const char *[]){v}, &s));
    }
    ASSERT(f->grown >= 4); /* 16 -> 64 -> 256 -> 1024 -> 4096 -> 16384 slots */
    omx_family_clear(f);
    get_remove(f, 0, 200);
    size_t pending = 0;
    for (omx__table *t = f->retired; t; t = t->retired_next)
        pending++;
    ASSERT_EQ(pending, 0);
    ASSERT(f->grown >= 4);
}

static omx_family *thread_family;
static void *lookups(void *arg) {
    (void)arg;
    omx_series *s;
    for (int i = 0; i < 100; i++)
        ASSERT_OK(omx_family_get(thread_family, (const char *[]){"t"}, &s));
    omx_counter_inc(s);
    return NULL;
}

/* Threads register on their first lookup and unregister when they exit:
 * later epoch advances must not wait for (or read) their records. */
static void test_thread_exit(void) {
    thread_family = family("threads", 10);
    for (int i = 0; i < 8; i++) {
        pthread_t t;
        ASSERT_OK(pthread_create(&t, NULL, lookups, NULL));
        ASSERT_OK(pthread_join(t, NULL));
    }
    uint64_t e0 = atomic_load(&omx__epoch);
    ASSERT(omx__epoch_advance());
    ASSERT(omx__epoch_advance());
    ASSERT_EQ(atomic_load(&omx__epoch), e0 + 4);
    uint64_t tag = omx__epoch_tag();
    ASSERT(!omx__epoch_safe(tag));
    ASSERT(omx__epoch_advance());
    ASSERT(!omx__epoch_safe(tag));
    ASSERT(omx__epoch_advance());
    ASSERT(omx__epoch_safe(tag));
    get_remove(thread_family, 0, 1000);
    ASSERT(thread_family->limbo_n <= LIMBO_MAX);
}

int main(void) {
#ifdef RECLAIM_FENCES
    omx__reclaim_use_fences(); /* the path taken without membarrier(2) */
#endif
    reg = omx_registry_new();
    ASSERT(reg);
    test_churn_bounded();
    test_section_delays_free();
    test_tables_freed();
    test_thread_exit();
#ifdef RECLAIM_FENCES
    ASSERT(atomic_load(&omx__epoch) & 1); /* readers were told to fence */
#endif
    ASSERT(omx_registry_free(reg) == NULL);
    TEST_DONE();
}
