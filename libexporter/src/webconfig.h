/* --web.config.file: the exporter-toolkit web configuration (TLS and basic
 * auth), parsed with libyaml. Unknown keys are errors, as in exporter-toolkit. */
#ifndef OMX_WEBCONFIG_H
#define OMX_WEBCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>

typedef enum omx__client_auth {
    OMX__NO_CLIENT_CERT = 0,
    OMX__REQUEST_CLIENT_CERT,
    OMX__REQUIRE_ANY_CLIENT_CERT,
    OMX__VERIFY_CLIENT_CERT_IF_GIVEN,
    OMX__REQUIRE_AND_VERIFY_CLIENT_CERT,
} omx__client_auth;

typedef struct omx__webuser {
    char *name;
    char *hash;   /* bcrypt */
} omx__webuser;

#define OMX__AUTH_CACHE 64

typedef struct omx__webconfig {
    char *path;               /* the file, for messages */
    bool tls;
    char *cert_pem, *key_pem, *ca_pem; /* file contents, NUL-terminated */
    omx__client_auth client_auth;
    char *priorities;         /* GnuTLS priority string */
    char **headers;           /* http_server_config.headers: name, value, ..., NULL */
    omx__webuser *users;
    size_t n_users;
    char *dummy_hash;         /* bcrypt run for unknown users (constant time) */
    /* Cache of verified credentials: keyed SHA-256 digests, never passwords. */
    pthread_mutex_t lock;
    unsigned char secret[32];
    unsigned char cache[OMX__AUTH_CACHE][32];
    size_t cache_n, cache_next;
} omx__webconfig;

/* Loads path. Returns 0 and a new config in *ret (caller owns it), or
 * OMX_ECONFIG with one line naming the file, line and field in err. */
int omx__webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen);
/* Frees; accepts NULL; returns NULL. */
omx__webconfig *omx__webconfig_free(omx__webconfig *c);
/* True when basic auth is configured. */
bool omx__webconfig_has_auth(const omx__webconfig *c);
/* True when user/pass match a configured user. Unknown users cost one bcrypt too. */
bool omx__webconfig_check(omx__webconfig *c, const char *user, const char *pass);

#endif
