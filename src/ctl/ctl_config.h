/* vpcctl's settings: credentials, region and endpoint, resolved the way the aws CLI resolves
 * them, so a shell set up for `aws --endpoint-url ... ec2` works for vpcctl unchanged.
 *
 * Precedence, highest first:
 *   profile     --profile, AWS_PROFILE, "default"
 *   credentials AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) unless
 *               --profile was given, then the profile's aws_access_key_id / _secret_ / _session_
 *               keys in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE,
 *               ~/.aws/credentials, section [NAME]), then in the config file (AWS_CONFIG_FILE,
 *               ~/.aws/config, section [default] or [profile NAME])
 *   region      --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, us-east-1
 *   endpoint    --endpoint-url, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, the profile's
 *               `endpoint_url`, http://127.0.0.1:4566
 * Empty environment variables count as unset, as in botocore.
 *
 * Ownership: struct ctl_flags and env are borrowed for the call. struct ctl_config owns its
 * strings; ctl_config_destroy() frees them (and accepts a zeroed or already destroyed one). */
#ifndef VPCD_CTL_CONFIG_H
#define VPCD_CTL_CONFIG_H

#include <stddef.h>

#define CTL_DEFAULT_ENDPOINT "http://127.0.0.1:4566"
#define CTL_DEFAULT_REGION "us-east-1"

/* Command-line settings; NULL when not given. */
struct ctl_flags {
    const char *endpoint_url;
    const char *region;
    const char *profile;
};

struct ctl_config {
    char *profile;
    char *access_key;
    char *secret_key;
    char *session_token; /* NULL when there is none */
    char *region;
    char *endpoint;
    const char *credential_source; /* "env", "shared-credentials-file" or "config-file" */
};

/* env: NULL-terminated "NAME=value" strings (environ). Returns 0, or -1 with a message in err
 * (no credentials found, a named profile that neither file has). */
int ctl_config_resolve(const struct ctl_flags *flags, const char *const *env,
                       struct ctl_config *out, char *err, size_t err_size);
void ctl_config_destroy(struct ctl_config *c);

/* The value of NAME in env, or NULL when unset or empty. */
const char *ctl_config_getenv(const char *const *env, const char *name);

#endif
