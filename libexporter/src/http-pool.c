/* The worker pool (see http-pool.h): one mutex, one queue, two condition
 * variables (work arrived; the pool went idle). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "http-pool.h"

struct omx__pool {
    pthread_mutex_t mu;
    pthread_cond_t work, idle;
    omx__job *head, *tail;
    size_t busy; /* queued + running */
    bool stop;
    bool closed; /* no new jobs */
    size_t n;
    pthread_t *threads;
};

static void *worker(void *arg) {
    omx__pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stop)
            pthread_cond_wait(&p->work, &p->mu);
        if (!p->head)
            break;
        omx__job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->fn(j);
        pthread_mutex_lock(&p->mu);
        if (--p->busy == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int omx__pool_new(size_t n, omx__pool **out) {
    pthread_condattr_t ca;
    omx__pool *p;
    int rc = 0;

    *out = NULL;
    if (n == 0)
        return -EINVAL;
    p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(n, sizeof *p->threads))) {
        free(p);
        return -ENOMEM;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* deadlines are monotonic */
    pthread_cond_init(&p->idle, &ca);
    pthread_condattr_destroy(&ca);
    for (; p->n < n; p->n++) {
        rc = pthread_create(&p->threads[p->n], NULL, worker, p);
        if (rc != 0)
            break;
    }
    if (rc != 0) {
        omx__pool_free(p);
        return -rc;
    }
    *out = p;
    return 0;
}

bool omx__pool_submit(omx__pool *p, omx__job *job) {
    job->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->closed) {
        pthread_mutex_unlock(&p->mu);
        return false;
    }
    if (p->tail)
        p->tail->next = job;
    else
        p->head = job;
    p->tail = job;
    p->busy++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return true;
}

void omx__pool_close(omx__pool *p) {
    pthread_mutex_lock(&p->mu);
    p->closed = true;
    pthread_mutex_unlock(&p->mu);
}

bool omx__pool_wait_idle(omx__pool *p, int64_t deadline_ns) {
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000),
                          .tv_nsec = (long)(deadline_ns % 1000000000)};
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    while (p->busy && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&p->idle, &p->mu, &ts);
    bool idle = p->busy == 0;
    pthread_mutex_unlock(&p->mu);
    return idle;
}

size_t omx__pool_busy(omx__pool *p) {
    pthread_mutex_lock(&p->mu);
    size_t b = p->busy;
    pthread_mutex_unlock(&p->mu);
    return b;
}

omx__pool *omx__pool_free(omx__pool *p) {
    if (!p)
        return NULL;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    return NULL;
}
