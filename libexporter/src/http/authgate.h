/* A bound on how many bcrypt checks run at once.
 *
 * A check enters the gate, runs, leaves. At most `slots` are inside; the next
 * ones wait in arrival order (first come, first served), at most `queue` of
 * them and each for at most `wait_ms`. A check that finds the queue full, or
 * is still waiting at its deadline, is refused at once, so a flood of fresh
 * wrong passwords holds at most `slots` CPUs and the server's threads do not
 * pile up behind bcrypt. Thread-safe. */
#ifndef OMX_AUTHGATE_H
#define OMX_AUTHGATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct omx__authwaiter omx__authwaiter;

typedef struct omx__authgate {
    pthread_mutex_t lock;
    pthread_cond_t cond; /* CLOCK_MONOTONIC */
    unsigned slots, queue, wait_ms;
    unsigned busy;    /* checks inside */
    unsigned waiting; /* length of the queue below */
    omx__authwaiter *head, *tail;
} omx__authgate;

/* Sets g up (g is the caller's; slots >= 1). Returns 0 or OMX_EINVAL. */
int omx__authgate_init(omx__authgate *g, unsigned slots, unsigned queue, unsigned wait_ms);
/* Releases what init set up; g must have nobody inside or waiting. Accepts NULL. */
void omx__authgate_destroy(omx__authgate *g);
/* Enters: returns 0 once inside (call omx__authgate_leave after), OMX_ELIMIT
 * when the queue is full, OMX_ETIMEOUT when wait_ms passed first. */
int omx__authgate_enter(omx__authgate *g);
/* Leaves, handing the slot to the oldest waiter. */
void omx__authgate_leave(omx__authgate *g);

#endif
