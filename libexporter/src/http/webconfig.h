/* --web.config.file: the exporter-toolkit web configuration (TLS and basic
 * auth), parsed with libyaml. Unknown keys are errors, as in exporter-toolkit. */
#ifndef OMX_WEBCONFIG_H
#define OMX_WEBCONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "authcache.h"
#include "authgate.h"

typedef enum omx__client_auth {
    OMX__NO_CLIENT_CERT = 0,
    OMX__REQUEST_CLIENT_CERT,
    OMX__REQUIRE_ANY_CLIENT_CERT,
    OMX__VERIFY_CLIENT_CERT_IF_GIVEN,
    OMX__REQUIRE_AND_VERIFY_CLIENT_CERT,
} omx__client_auth;

typedef struct omx__webuser {
    char *name;
    char *hash; /* bcrypt */
} omx__webuser;

/* bcrypt checks run at once per config, and how many more may wait (each at
 * most OMX__AUTH_BCRYPT_WAIT_MS) before further ones are refused outright.
 * One leaves the other CPU of a small host to scrapes; the queue holds a
 * legitimate first login behind a few attackers' checks. */
#define OMX__AUTH_BCRYPT_SLOTS 1
#define OMX__AUTH_BCRYPT_QUEUE 8
#define OMX__AUTH_BCRYPT_WAIT_MS 1000

typedef struct omx__webconfig {
    char *path; /* the file, for messages */
    bool tls;
    char *cert_pem, *key_pem, *ca_pem; /* file contents, NUL-terminated */
    omx__client_auth client_auth;
    char *priorities; /* GnuTLS priority string */
    char **headers;   /* http_server_config.headers: name, value, ..., NULL */
    omx__webuser *users;
    size_t n_users;
    char *dummy_hash; /* bcrypt run for unknown users (constant time) */
    /* Outcomes of earlier checks, good and failed; a new config starts empty,
     * so a reload forgets them all. */
    omx__authcache *auth_cache;
    omx__authgate bcrypt_gate;
    atomic_ulong bcrypt_runs; /* crypt_r calls made, for tests */
} omx__webconfig;

/* Loads path. Returns 0 and a new config in *ret (caller owns it), or
 * OMX_ECONFIG with one line naming the file, line and field in err. */
int omx__webconfig_load(const char *path, omx__webconfig **ret, char *err, size_t errlen);
/* Frees; accepts NULL; returns NULL. */
omx__webconfig *omx__webconfig_free(omx__webconfig *c);
/* True when basic auth is configured. */
bool omx__webconfig_has_auth(const omx__webconfig *c);
/* Checks user/pass against the configured users. Returns 0 when they match,
 * -EACCES when they do not (unknown user included), OMX_ELIMIT when the check
 * needed bcrypt and OMX__AUTH_BCRYPT_QUEUE checks were already waiting or
 * OMX__AUTH_BCRYPT_WAIT_MS passed (try again later), OMX_EINVAL for NULL
 * arguments, OMX_EIO when the digest cannot be made. Each (user, pass) costs
 * one bcrypt, at the first user's cost for an unknown user; its outcome is
 * then remembered, so repeats of either outcome cost a digest and a lookup.
 * Nothing of pass is kept. Thread-safe. */
int omx__webconfig_verify(omx__webconfig *c, const char *user, const char *pass);
/* omx__webconfig_verify(c, user, pass) == 0. */
bool omx__webconfig_check(omx__webconfig *c, const char *user, const char *pass);

#endif
