/* The worker pool: every job runs once, jobs run in parallel up to the pool
 * size, wait_idle times out while a job blocks and succeeds once it ends, a
 * closed pool takes no job, and one job at a time keeps running on the
 * worker that went idle last (a light load touches few threads). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "http-pool.h"
#include "omx-test.h"

typedef struct tjob {
    omx__job job; /* first: the pool hands back this pointer */
    atomic_int *ran;
    atomic_int *running, *peak;
    atomic_bool *release;
} tjob;

static void run(omx__job *j) {
    tjob *t = (tjob *)j;
    int now = atomic_fetch_add(t->running, 1) + 1;
    int p = atomic_load(t->peak);
    while (now > p && !atomic_compare_exchange_weak(t->peak, &p, now))
        ;
    while (!atomic_load(t->release))
        usleep(1000);
    atomic_fetch_sub(t->running, 1);
    atomic_fetch_add(t->ran, 1);
}

typedef struct idjob {
    omx__job job;
    pthread_t who;
} idjob;

static void record(omx__job *j) { ((idjob *)j)->who = pthread_self(); }

static int64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(void) {
    omx__pool *p = NULL;
    atomic_int ran = 0, running = 0, peak = 0;
    atomic_bool release = false;
    tjob jobs[20];

    ASSERT(omx__pool_new(0, &p) < 0);
    ASSERT(p == NULL);
    ASSERT(omx__pool_new(4, &p) == 0);
    ASSERT(p != NULL);
    ASSERT(omx__pool_wait_idle(p, mono_ns()));
    for (int i = 0; i < 20; i++) {
        jobs[i] = (tjob){
            .job.fn = run, .ran = &ran, .running = &running, .peak = &peak, .release = &release};
        ASSERT(omx__pool_submit(p, &jobs[i].job));
    }
    ASSERT(omx__pool_busy(p) == 20);
    /* Blocked jobs: the wait gives up at its deadline. */
    int64_t t0 = mono_ns();
    ASSERT(!omx__pool_wait_idle(p, t0 + 50000000));
    ASSERT(mono_ns() - t0 >= 50000000);
    ASSERT(atomic_load(&ran) == 0);
    atomic_store(&release, true);
    ASSERT(omx__pool_wait_idle(p, mono_ns() + 10000000000LL));
    ASSERT(atomic_load(&ran) == 20);
    ASSERT(atomic_load(&peak) >= 2 && atomic_load(&peak) <= 4);
    ASSERT(omx__pool_busy(p) == 0);
    /* One at a time: the last idle worker takes each, so it is always the same. */
    idjob ids[10];
    for (int i = 0; i < 10; i++) {
        ids[i] = (idjob){.job.fn = record};
        ASSERT(omx__pool_submit(p, &ids[i].job));
        ASSERT(omx__pool_wait_idle(p, mono_ns() + 10000000000LL));
        usleep(2000); /* the worker is back on the idle stack */
    }
    /* A worker started late in the first phase may reach the idle stack only
     * now and take over once each (two were started on demand): at most two
     * changes, where FIFO wake-ups change thread at every job. */
    int changes = 0;
    for (int i = 1; i < 10; i++)
        changes += !pthread_equal(ids[i].who, ids[i - 1].who);
    ASSERT_MSG(changes <= 2, "%d changes of thread over 10 jobs", changes);
    /* Closed: refuses new jobs. */
    omx__pool_close(p);
    ASSERT(!omx__pool_submit(p, &jobs[0].job));
    ASSERT(omx__pool_busy(p) == 0);
    ASSERT(atomic_load(&ran) == 20);
    p = omx__pool_free(p);
    ASSERT(p == NULL);
    ASSERT(omx__pool_free(NULL) == NULL);
    TEST_DONE();
}
