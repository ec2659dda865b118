/* The per-thread libcurl easy handle (see curl-handle.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "curl-handle.h"

typedef struct slot {
    CURL *h;
    bool busy;               /* handed out and not yet put back */
    bool discard;            /* holds a pin that cannot be removed: clean up at put */
    struct curl_slist *gone; /* the removal list CURLOPT_RESOLVE got at get */
    char last[300];          /* "-host:port" removing this probe's pin at the next get */
} slot;

static pthread_key_t key;
static bool key_ok;

static void slot_free(void *v) {
    slot *s = v;
    if (!s)
        return;
    if (s->h)
        curl_easy_cleanup(s->h);
    curl_slist_free_all(s->gone);
    free(s);
}

static void key_init(void) { key_ok = pthread_key_create(&key, slot_free) == 0; }

static slot *thread_slot(bool create) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, key_init);
    if (!key_ok)
        return NULL;
    slot *s = pthread_getspecific(key);
    if (!s && create) {
        s = calloc(1, sizeof(*s));
        if (s && pthread_setspecific(key, s) != 0) {
            free(s);
            s = NULL;
        }
    }
    return s;
}

/* The slot h came from, when it is this thread's handed-out handle. */
static slot *slot_of(CURL *h) {
    slot *s = h ? thread_slot(false) : NULL;
    return s && s->busy && s->h == h ? s : NULL;
}

/* Makes a new or reset handle forget the previous probe; the removal entry
 * is processed at the next transfer. */
static int forget(slot *s) {
    struct curl_slist *l = NULL;
    if (s->last[0] && !(l = curl_slist_append(NULL, s->last)))
        return -ENOMEM;
    curl_easy_setopt(s->h, CURLOPT_RESOLVE, l); /* also replaces a list a reset left pending */
    curl_slist_free_all(s->gone);
    s->gone = l;
    curl_easy_setopt(s->h, CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    s->last[0] = '\0';
    return 0;
}

CURL *bb_curl_handle_get(void) {
    slot *s = thread_slot(true);
    if (!s || s->busy)
        return curl_easy_init();
    if (!s->h) {
        if (!(s->h = curl_easy_init()))
            return NULL;
        if (forget(s) < 0) {
            curl_easy_cleanup(s->h);
            s->h = NULL;
            return NULL;
        }
    }
    s->busy = true;
    return s->h;
}

int bb_curl_handle_pin(CURL *h, const char *host, long port, const char *addr,
                       struct curl_slist **list) {
    slot *s = slot_of(h);
    char entry[400];
    bool v6 = strchr(addr, ':') != NULL;
    *list = NULL;
    if (s && s->gone && !(*list = curl_slist_append(NULL, s->gone->data)))
        return -ENOMEM;
    snprintf(entry, sizeof(entry), "%s:%ld:%s%s%s", host, port, v6 ? "[" : "", addr, v6 ? "]" : "");
    struct curl_slist *l = curl_slist_append(*list, entry);
    if (!l) {
        curl_slist_free_all(*list);
        *list = NULL;
        return -ENOMEM;
    }
    *list = l;
    curl_easy_setopt(h, CURLOPT_RESOLVE, l);
    if (s) {
        /* libcurl's removal entry reads the name up to the first ':'. */
        int n = snprintf(s->last, sizeof(s->last), "-%s:%ld", host, port);
        if (strchr(host, ':') || n < 0 || (size_t)n >= sizeof(s->last)) {
            s->discard = true;
            s->last[0] = '\0';
        }
    }
    return 0;
}

CURL *bb_curl_handle_put(CURL *h) {
    slot *s = slot_of(h);
    if (!s) {
        if (h)
            curl_easy_cleanup(h);
        return NULL;
    }
    s->busy = false;
    /* Reset now: the options point into the finished probe (its error
     * buffer, callback data, lists). A reset keeps the cookie jar and leaks
     * the list of cookie files (libcurl 7.88): both go first. */
    curl_easy_setopt(s->h, CURLOPT_COOKIEFILE, (char *)NULL);
    curl_easy_reset(s->h);
    if (s->discard || forget(s) < 0) {
        curl_easy_cleanup(s->h);
        s->h = NULL;
        s->discard = false;
        s->last[0] = '\0';
    }
    return NULL;
}

void bb_curl_handle_thread_done(void) {
    slot *s = thread_slot(false);
    if (!s || s->busy)
        return;
    pthread_setspecific(key, NULL);
    slot_free(s);
}
