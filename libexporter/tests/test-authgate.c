/* The bcrypt gate: never more than its slots inside, waiters served in
 * arrival order, a full queue refused at once, a long wait refused at its
 * deadline. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "authgate.h"
#include "exporter/error.h"
#include "omx-test.h"

static unsigned waiting(omx__authgate *g) {
    pthread_mutex_lock(&g->lock);
    unsigned n = g->waiting;
    pthread_mutex_unlock(&g->lock);
    return n;
}

static void wait_for_queue(omx__authgate *g, unsigned n) {
    for (int i = 0; i < 5000 && waiting(g) < n; i++)
        usleep(1000);
    ASSERT_EQ(waiting(g), n);
}

typedef struct fifo_arg {
    omx__authgate *g;
    int id;
    atomic_int *order; /* next position */
    int *pos;          /* pos[id] = position it entered at */
    int rc;
} fifo_arg;

static void *fifo_worker(void *v) {
    fifo_arg *a = v;
    a->rc = omx__authgate_enter(a->g);
    if (a->rc == 0) {
        a->pos[a->id] = atomic_fetch_add(a->order, 1);
        omx__authgate_leave(a->g);
    }
    return NULL;
}

static void test_fifo_and_full_queue(void) {
    omx__authgate g;
    pthread_t t[3];
    fifo_arg a[3];
    atomic_int order = 0;
    int pos[3] = {-1, -1, -1};

    ASSERT_OK(omx__authgate_init(&g, 1, 3, 10000));
    ASSERT_OK(omx__authgate_enter(&g)); /* holds the only slot */
    for (int i = 0; i < 3; i++) {
        a[i] = (fifo_arg){.g = &g, .id = i, .order = &order, .pos = pos};
        ASSERT_OK(pthread_create(&t[i], NULL, fifo_worker, &a[i]));
        wait_for_queue(&g, (unsigned)i + 1); /* each queues before the next starts */
    }
    /* Queue full: refused at once, not queued. */
    ASSERT_EQ(omx__authgate_enter(&g), OMX_ELIMIT);
    ASSERT_EQ(waiting(&g), 3);
    omx__authgate_leave(&g);
    for (int i = 0; i < 3; i++)
        ASSERT_OK(pthread_join(t[i], NULL));
    for (int i = 0; i < 3; i++) {
        ASSERT_OK(a[i].rc);
        ASSERT_EQ(pos[i], i);
    }
    ASSERT_EQ(g.busy, 0);
    ASSERT_EQ(waiting(&g), 0);
    omx__authgate_destroy(&g);
}

static void test_timeout(void) {
    omx__authgate g;
    ASSERT_OK(omx__authgate_init(&g, 1, 4, 50));
    ASSERT_OK(omx__authgate_enter(&g));
    ASSERT_EQ(omx__authgate_enter(&g), OMX_ETIMEOUT);
    ASSERT_EQ(waiting(&g), 0); /* the timed-out waiter left the queue */
    omx__authgate_leave(&g);
    /* The slot is free again: no slot was lost to the timed-out waiter. */
    ASSERT_OK(omx__authgate_enter(&g));
    omx__authgate_leave(&g);
    ASSERT_EQ(g.busy, 0);
    omx__authgate_destroy(&g);
}

typedef struct bound_arg {
    omx__authgate *g;
    atomic_int *inside, *max_inside, *entered;
} bound_arg;

static void *bound_worker(void *v) {
    bound_arg *a = v;
    for (int i = 0; i < 300; i++) {
        if (omx__authgate_enter(a->g) != 0)
            continue;
        int now = atomic_fetch_add(a->inside, 1) + 1;
        int m = atomic_load(a->max_inside);
        while (now > m && !atomic_compare_exchange_weak(a->max_inside, &m, now))
            ;
        atomic_fetch_add(a->entered, 1);
        usleep(50);
        atomic_fetch_sub(a->inside, 1);
        omx__authgate_leave(a->g);
    }
    return NULL;
}

static void test_bound(void) {
    omx__authgate g;
    pthread_t t[8];
    atomic_int inside = 0, max_inside = 0, entered = 0;
    bound_arg a = {&g, &inside, &max_inside, &entered};

    ASSERT_OK(omx__authgate_init(&g, 2, 8, 10000));
    for (int i = 0; i < 8; i++)
        ASSERT_OK(pthread_create(&t[i], NULL, bound_worker, &a));
    for (int i = 0; i < 8; i++)
        ASSERT_OK(pthread_join(t[i], NULL));
    printf("8 threads x 300 entries, 2 slots: %d entered, at most %d inside\n",
           atomic_load(&entered), atomic_load(&max_inside));
    ASSERT(atomic_load(&max_inside) <= 2);
    ASSERT(atomic_load(&max_inside) >= 1);
    ASSERT_EQ(atomic_load(&entered), 8 * 300); /* queue of 8 holds all 8 threads */
    ASSERT_EQ(g.busy, 0);
    omx__authgate_destroy(&g);
}

int main(void) {
    omx__authgate g;
    ASSERT_EQ(omx__authgate_init(&g, 0, 1, 1), OMX_EINVAL);
    ASSERT_EQ(omx__authgate_init(NULL, 1, 1, 1), OMX_EINVAL);
    omx__authgate_destroy(NULL);
    test_fifo_and_full_queue();
    test_timeout();
    test_bound();
    TEST_DONE();
}
