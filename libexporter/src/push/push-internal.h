/* The push client's internals shared by its files (omx__push_ prefix). */
#ifndef OMX_PUSH_INTERNAL_H
#define OMX_PUSH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exporter/push.h"
#include "exporter/writer.h"

/* ---- arena (arena.c): bump allocation freed all at once ---- */
typedef struct omx__push_arena {
    struct omx__push_chunk *head;
    size_t used; /* bytes handed out, all chunks */
} omx__push_arena;

/* Uninitialised, 16-byte aligned memory living until omx__push_arena_free; NULL when
 * out of memory. */
void *omx__push_alloc(omx__push_arena *a, size_t n);
char *omx__push_strdup(omx__push_arena *a, const char *s);
void omx__push_arena_free(omx__push_arena *a);

/* ---- remote-write 1.0 labels (labels.c): each distinct pair packed once ---- */
/* The pair a series had at one position: the next series of a family mostly
 * has the same (the metric name, the external labels). */
typedef struct omx__push_label_last {
    const char *pair; /* name, NUL, value, NUL, in the arena; NULL: none */
    size_t name_len;
    const uint8_t *packed;
    size_t packed_len;
} omx__push_label_last;

#define OMX__PUSH_LABEL_LAST 16

typedef struct omx__push_labels {
    struct omx__push_label_ent *tab;
    size_t mask, n;
    omx__push_label_last last[OMX__PUSH_LABEL_LAST]; /* by position in the series */
    omx__push_arena arena;                           /* the pairs and their packings */
    uint8_t key[5];                                  /* TimeSeries.labels' key, a varint */
    size_t key_len;
} omx__push_labels;

void omx__push_labels_init(omx__push_labels *c);
/* The bytes of name=value as an element of TimeSeries.labels (key, length,
 * the Label packed by protobuf-c), owned by c until omx__push_labels_free.
 * pos is the pair's position in its series: the pair the previous series had
 * there is compared first. Returns 0, OMX_ELIMIT (c is full: pack the series
 * without it) or OMX_ENOMEM. */
int omx__push_label(omx__push_labels *c, size_t pos, const char *name, const char *value,
                    const uint8_t **ret_bytes, size_t *ret_len);
void omx__push_labels_free(omx__push_labels *c);

/* ---- encoding (encode.c) ---- */
/* Gathers r (collectors included) and encodes it, snappy-compressed, as one
 * remote-write request of the given protocol: every sample stamped now_ms
 * (unless the collector gave a timestamp), ext_names/ext_values (n_ext, sorted
 * by name, borrowed) added to every series that lacks the label, label names
 * sorted, empty label values left out. with_metadata adds each family's type,
 * help and unit (1.0: the metadata field; 2.0: always, per series).
 * *io_size_hint (may be NULL) gives the last request's compressed size, to
 * size the buffer, and receives this one's.
 * On success *ret_data (malloc'ed, caller frees), *ret_len and *ret_samples
 * are set. Returns 0 or an omx_err. */
int omx__push_encode(omx_registry *r, omx_push_protocol proto, int64_t now_ms,
                     const char *const *ext_names, const char *const *ext_values, size_t n_ext,
                     bool with_metadata, size_t *io_size_hint, uint8_t **ret_data, size_t *ret_len,
                     size_t *ret_samples);

/* ---- queue (queue.c): gathered requests waiting to be sent, oldest first ---- */
typedef struct omx__push_entry {
    struct omx__push_entry *next;
    uint8_t *data; /* snappy-compressed request */
    size_t len;
    size_t samples;
    int64_t ts_ms; /* when it was gathered */
    unsigned attempts;
} omx__push_entry;

typedef struct omx__push_queue {
    omx__push_entry *head, *tail;
    size_t n, samples, bytes;
    size_t max_samples, max_bytes;
} omx__push_queue;

/* Appends a request (the queue takes data). Oldest entries are dropped first
 * while the caps are exceeded (the new one stays even alone over a cap); the
 * samples dropped are added to *ret_dropped. Returns 0 or OMX_ENOMEM (data
 * freed, its samples counted as dropped). */
int omx__push_queue_add(omx__push_queue *q, uint8_t *data, size_t len, size_t samples,
                        int64_t ts_ms, size_t *ret_dropped);
/* Drops entries gathered before min_ts_ms; returns the samples dropped. */
size_t omx__push_queue_expire(omx__push_queue *q, int64_t min_ts_ms);
/* Removes and frees the head; returns its samples (0 when empty). */
size_t omx__push_queue_pop(omx__push_queue *q);
/* Frees every entry; returns the samples they held. */
size_t omx__push_queue_clear(omx__push_queue *q);

/* ---- back-off (backoff.c) ---- */
/* Delay before retry number attempt (1 = the first retry): min_s doubled per
 * attempt, capped at max_s, then spread by jitter01 in [0, 1) over
 * [0.75, 1.25) of that (never above max_s). A Retry-After of retry_after_s > 0
 * wins when longer (capped at 600 s). */
double omx__push_backoff(unsigned attempt, double min_s, double max_s, double jitter01,
                         double retry_after_s);
/* Seconds a Retry-After header value asks for (delta seconds or an HTTP date,
 * relative to now_s); 0 when absent or unreadable. */
double omx__push_parse_retry_after(const char *value, double now_s);

/* ---- HTTP (send.c) ---- */
typedef struct omx__push_http omx__push_http;

typedef struct omx__push_result {
    long status;        /* HTTP status, 0 when no answer */
    int err;            /* 0 or an omx_err when no answer (connection, timeout) */
    double retry_after; /* seconds, 0 = none */
    char body[256];     /* start of the answer's body (for the log) */
    char errtext[256];
} omx__push_result;

/* What a connection needs from omx_push_opts or omx_gateway_opts (borrowed). */
typedef struct omx__push_http_opts {
    const char *url;
    double timeout_s;
    const char *const *headers;
    const char *basic_auth_username, *basic_auth_password_file, *bearer_token_file;
    const char *tls_ca_file, *tls_cert_file, *tls_key_file;
    bool tls_insecure_skip_verify;
    const char *user_agent;
    const char *content_type;
    const char *rw_version; /* remote-write: the version header, and snappy; NULL: neither */
} omx__push_http_opts;

/* A connection set-up (copies what it needs). Checks the files can be read
 * and the headers are allowed. Returns 0 or an omx_err with a message in err. */
int omx__push_http_new(const omx__push_http_opts *o, omx__push_http **ret, char *err,
                       size_t errlen);
omx__push_http *omx__push_http_free(omx__push_http *h);
/* Sends one request with method ("POST", "PUT", "DELETE") and body (may be
 * empty) to url (NULL = the url of the set-up), within timeout_s (0 = the
 * set-up's). Fills *res. Returns 0 when an answer came (any status), else
 * res->err. */
int omx__push_http_send(omx__push_http *h, const char *method, const char *url, const void *body,
                        size_t len, double timeout_s, omx__push_result *res);

/* ---- Pushgateway (gateway.c) ---- */
/* The group's URL, <url>/metrics/job/<job>{/<name>/<value>}, appended to url.
 * Returns 0, OMX_EINVAL (bad label name) or an omx_buf error. */
int omx__push_gateway_path(omx_buf *url, const omx_gateway_opts *o);

/* Whether a request answered res should be retried (5xx, 429, no answer). */
static inline bool omx__push_retryable(const omx__push_result *res) {
    return res->status == 0 || res->status == 429 || res->status >= 500;
}

#endif
