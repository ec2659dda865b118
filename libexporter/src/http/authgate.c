/* A first-come, first-served bound on concurrent bcrypt checks (see authgate.h). */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "authgate.h"
#include "exporter/error.h"

/* One waiting check, on its caller's stack. leave() hands a slot over by
 * setting granted, so a check that arrives later cannot jump the queue. */
struct omx__authwaiter {
    omx__authwaiter *next;
    bool granted;
};

int omx__authgate_init(omx__authgate *g, unsigned slots, unsigned queue, unsigned wait_ms) {
    pthread_condattr_t ca;

    if (!g || slots == 0)
        return OMX_EINVAL;
    memset(g, 0, sizeof *g);
    g->slots = slots;
    g->queue = queue;
    g->wait_ms = wait_ms;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->cond, &ca);
    pthread_condattr_destroy(&ca);
    return 0;
}

void omx__authgate_destroy(omx__authgate *g) {
    if (!g || g->slots == 0)
        return;
    pthread_cond_destroy(&g->cond);
    pthread_mutex_destroy(&g->lock);
    g->slots = 0;
}

static void unlink_waiter(omx__authgate *g, omx__authwaiter *w) {
    omx__authwaiter **pp = &g->head, *prev = NULL;
    while (*pp && *pp != w) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = w->next;
    if (g->tail == w)
        g->tail = prev;
    g->waiting--;
}

int omx__authgate_enter(omx__authgate *g) {
    omx__authwaiter me = {0};
    struct timespec until;
    int rc = 0;

    if (!g || g->slots == 0)
        return OMX_EINVAL;
    pthread_mutex_lock(&g->lock);
    if (g->busy < g->slots && !g->head) {
        g->busy++;
        pthread_mutex_unlock(&g->lock);
        return 0;
    }
    if (g->waiting >= g->queue) {
        pthread_mutex_unlock(&g->lock);
        return OMX_ELIMIT;
    }
    if (g->tail)
        g->tail->next = &me;
    else
        g->head = &me;
    g->tail = &me;
    g->waiting++;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += g->wait_ms / 1000;
    until.tv_nsec += (long)(g->wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    while (!me.granted && rc == 0)
        rc = pthread_cond_timedwait(&g->cond, &g->lock, &until);
    if (!me.granted)
        unlink_waiter(g, &me); /* leave() never saw it: the slot count is untouched */
    pthread_mutex_unlock(&g->lock);
    return me.granted ? 0 : OMX_ETIMEOUT;
}

void omx__authgate_leave(omx__authgate *g) {
    if (!g || g->slots == 0)
        return;
    pthread_mutex_lock(&g->lock);
    omx__authwaiter *w = g->head;
    if (w) {
        /* The slot passes to the oldest waiter; busy stays as it is. */
        g->head = w->next;
        if (!g->head)
            g->tail = NULL;
        g->waiting--;
        w->granted = true;
        pthread_cond_broadcast(&g->cond);
    } else if (g->busy > 0) {
        g->busy--;
    }
    pthread_mutex_unlock(&g->lock);
}
