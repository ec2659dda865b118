/* Epoch-based reclamation for the registry's lock-free readers.
 *
 * A reader (a lookup in omx_family_get, a scrape walking a family's series)
 * runs in a read section, which nobody ever waits for (a long one, e.g. a
 * scrape whose sink is slow, only delays freeing): entering stores the global epoch in the thread's record, leaving stores 0.
 * A writer that unlinks memory tags it with the epoch of that moment
 * (omx__epoch_tag) and frees it once the epoch has advanced twice past the tag.
 * The epoch advances only when every reader inside a section entered at the
 * current epoch; so two advances after the unlink, every section that could
 * have seen the memory has ended.
 *
 * Why not liburcu: its reader state is a TLS variable of another shared
 * library, so each read section from libexporter.so costs __tls_get_addr calls
 * (figures in docs/libexporter.md), and its atomics are inline assembly that
 * ThreadSanitizer cannot see. Here the record is initial-exec TLS of
 * libexporter itself: a section costs a load and two stores relative to %fs
 * and one load of a read-mostly word.
 *
 * Readers need no fence: the writer orders their stores with membarrier(2)
 * (MEMBARRIER_CMD_PRIVATE_EXPEDITED) before it reads their records. Where that
 * is unavailable (old kernel, seccomp) bit 0 of the epoch tells readers to
 * issue a full fence instead, and epochs count in steps of 2.
 *
 * A thread registers on its first section (no allocation: the record is its
 * TLS) and a pthread key destructor unlinks it when the thread exits.
 */
#include <stdlib.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

_Thread_local omx__reader omx__me
    __attribute__((tls_model("initial-exec"))) = {.state = OMX__READER_NEW};
_Atomic uint64_t omx__epoch = 2;

static pthread_mutex_t readers_lock = PTHREAD_MUTEX_INITIALIZER;
static omx__reader *readers; /* readers_lock */
static pthread_key_t leave_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool use_membarrier;
static bool fences_forced;

void omx__reclaim_use_fences(void) { fences_forced = true; }

static int membarrier(int cmd) { return (int)syscall(__NR_membarrier, cmd, 0u, 0); }

static void reader_leave(void *arg) {
    omx__reader *r = arg;
    pthread_mutex_lock(&readers_lock);
    if (r->prev)
        r->prev->next = r->next;
    else
        readers = r->next;
    if (r->next)
        r->next->prev = r->prev;
    r->next = r->prev = NULL;
    /* a later key destructor's lookup registers again */
    atomic_store_explicit(&r->state, OMX__READER_NEW, memory_order_relaxed);
    pthread_mutex_unlock(&readers_lock);
}

/* fork: the child keeps only the forking thread, whose record stays linked. */
static void fork_prepare(void) { pthread_mutex_lock(&readers_lock); }
static void fork_parent(void) { pthread_mutex_unlock(&readers_lock); }
static void fork_child(void) {
    omx__reader *me = &omx__me;
    readers = atomic_load_explicit(&me->state, memory_order_relaxed) != OMX__READER_NEW ? me : NULL;
    me->next = me->prev = NULL;
    pthread_mutex_init(&readers_lock, NULL);
}

static void init(void) {
    int q = fences_forced ? -1 : membarrier(MEMBARRIER_CMD_QUERY);
    use_membarrier = q >= 0 && (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) &&
                     membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
    if (!use_membarrier)
        atomic_fetch_or_explicit(&omx__epoch, 1, memory_order_relaxed);
    if (pthread_key_create(&leave_key, reader_leave) != 0)
        abort(); /* only at the process's key limit: nothing sane to fall back to */
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void omx__reader_join(void) {
    pthread_once(&once, init);
    omx__reader *r = &omx__me;
    /* First, so a thread is never linked without its unlink at exit (a linked
     * record of an exited thread would be read after its TLS is gone). */
    if (pthread_setspecific(leave_key, r) != 0)
        abort(); /* ENOMEM for a key's second-level block: nothing safe to do */
    pthread_mutex_lock(&readers_lock);
    r->prev = NULL;
    r->next = readers;
    if (readers)
        readers->prev = r;
    readers = r;
    atomic_store_explicit(&r->state, 0, memory_order_relaxed);
    pthread_mutex_unlock(&readers_lock);
}

uint64_t omx__epoch_tag(void) {
    /* the unlink stores before the epoch load: a stale, older tag would free early */
    atomic_thread_fence(memory_order_seq_cst);
    return atomic_load_explicit(&omx__epoch, memory_order_relaxed) & ~(uint64_t)1;
}

bool omx__epoch_safe(uint64_t tag) {
    uint64_t e = atomic_load_explicit(&omx__epoch, memory_order_acquire) & ~(uint64_t)1;
    return e >= tag + 4;
}

bool omx__epoch_advance(void) {
    pthread_once(&once, init);
    pthread_mutex_lock(&readers_lock);
    uint64_t e = atomic_load_explicit(&omx__epoch, memory_order_relaxed);
    /* Every reader's section entry is now visible, or comes after our unlinks. */
    bool ok = true;
    if (!use_membarrier)
        atomic_thread_fence(memory_order_seq_cst);
    else if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0)
        ok = false; /* readers without fences cannot be ordered: keep the memory */
    for (omx__reader *r = readers; r && ok; r = r->next) {
        uint64_t st = atomic_load_explicit(&r->state, memory_order_acquire);
        ok = st == 0 || (st & ~(uint64_t)1) == (e & ~(uint64_t)1);
    }
    if (ok)
        atomic_store_explicit(&omx__epoch, e + 2, memory_order_release);
    pthread_mutex_unlock(&readers_lock);
    return ok;
}
