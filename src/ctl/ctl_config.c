/* Settings resolution with the aws CLI's precedence (see ctl_config.h). */
#include "ctl/ctl_config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "lib/xalloc.h"

/* One "key = value" line of an INI file and the section it sits in. */
struct ctl_ini_entry {
    char *section;
    char *key;
    char *value;
};

struct ctl_ini {
    struct ctl_ini_entry *entries;
    size_t n, cap;
    char **sections;
    size_t n_sections, sections_cap;
};

static void ctl_ini_destroy(struct ctl_ini *ini)
{
    for (size_t i = 0; i < ini->n; i++) {
        free(ini->entries[i].section);
        free(ini->entries[i].key);
        free(ini->entries[i].value);
    }
    free(ini->entries);
    for (size_t i = 0; i < ini->n_sections; i++)
        free(ini->sections[i]);
    free(ini->sections);
    memset(ini, 0, sizeof *ini);
}

static char *ctl_ini_trim(char *s)
{
    while (*s && isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "[profile   x]" names the profile "x"; other headers are kept as written. */
static char *ctl_ini_section_name(char *inner)
{
    inner = ctl_ini_trim(inner);
    if (strncmp(inner, "profile", 7) == 0 && isspace((unsigned char)inner[7])) {
        char *rest = ctl_ini_trim(inner + 7);
        struct strbuf sb;
        strbuf_init(&sb);
        strbuf_printf(&sb, "profile %s", rest);
        return strbuf_steal(&sb);
    }
    return xstrdup(inner);
}

/* Reads path into ini. A file that does not exist is an empty file, as for the aws CLI. */
static void ctl_ini_load(const char *path, struct ctl_ini *ini)
{
    memset(ini, 0, sizeof *ini);
    FILE *f = path ? fopen(path, "r") : NULL;
    if (f == NULL)
        return;
    char *line = NULL;
    size_t line_cap = 0;
    char *section = NULL;
    while (getline(&line, &line_cap, f) >= 0) {
        /* An indented line continues the previous key (nested settings such as s3 = ...). */
        bool indented = line[0] == ' ' || line[0] == '\t';
        char *s = ctl_ini_trim(line);
        if (*s == '\0' || *s == '#' || *s == ';')
            continue;
        if (*s == '[') {
            char *close = strrchr(s, ']');
            free(section);
            section = NULL;
            if (close == NULL)
                continue;
            *close = '\0';
            section = ctl_ini_section_name(s + 1);
            ini->sections =
                xgrow(ini->sections, &ini->sections_cap, ini->n_sections, sizeof *ini->sections);
            ini->sections[ini->n_sections++] = xstrdup(section);
            continue;
        }
        if (indented || section == NULL)
            continue;
        char *eq = strchr(s, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        char *key = ctl_ini_trim(s), *value = ctl_ini_trim(eq + 1);
        if (*key == '\0')
            continue;
        ini->entries = xgrow(ini->entries, &ini->cap, ini->n, sizeof *ini->entries);
        ini->entries[ini->n].section = xstrdup(section);
        ini->entries[ini->n].key = xstrdup(key);
        ini->entries[ini->n].value = xstrdup(value);
        ini->n++;
    }
    free(section);
    free(line);
    fclose(f);
}

static bool ctl_ini_has_section(const struct ctl_ini *ini, const char *section)
{
    for (size_t i = 0; i < ini->n_sections; i++)
        if (strcmp(ini->sections[i], section) == 0)
            return true;
    return false;
}

/* The last value of key in section, or NULL (empty values count as unset). */
static const char *ctl_ini_get(const struct ctl_ini *ini, const char *section, const char *key)
{
    if (section == NULL)
        return NULL;
    for (size_t i = ini->n; i-- > 0;) {
        const struct ctl_ini_entry *e = &ini->entries[i];
        if (strcmp(e->section, section) == 0 && strcmp(e->key, key) == 0)
            return *e->value ? e->value : NULL;
    }
    return NULL;
}

const char *ctl_config_getenv(const char *const *env, const char *name)
{
    if (env == NULL)
        return NULL;
    size_t n = strlen(name);
    for (; *env; env++)
        if (strncmp(*env, name, n) == 0 && (*env)[n] == '=')
            return (*env)[n + 1] ? *env + n + 1 : NULL;
    return NULL;
}

/* A file setting: the variable if set, else default_rel under $HOME; "~/" expands to $HOME. */
static char *ctl_config_path(const char *const *env, const char *var, const char *default_rel)
{
    const char *home = ctl_config_getenv(env, "HOME");
    const char *v = ctl_config_getenv(env, var);
    struct strbuf sb;
    strbuf_init(&sb);
    if (v != NULL) {
        if (strncmp(v, "~/", 2) == 0 && home != NULL)
            strbuf_printf(&sb, "%s/%s", home, v + 2);
        else
            strbuf_puts(&sb, v);
    } else if (home != NULL) {
        strbuf_printf(&sb, "%s/%s", home, default_rel);
    } else {
        return NULL;
    }
    return strbuf_steal(&sb);
}

__attribute__((format(printf, 3, 4))) static int ctl_config_fail(char *err, size_t err_size,
                                                                 const char *fmt, ...)
{
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static char *ctl_config_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* The config file's section for profile: [profile NAME], or for the default profile also
 * [default] (botocore lets [profile default] win when both exist). */
static const char *ctl_config_section(const struct ctl_ini *cfg, const char *profile, char *buf,
                                      size_t buf_size)
{
    snprintf(buf, buf_size, "profile %s", profile);
    if (ctl_ini_has_section(cfg, buf))
        return buf;
    if (strcmp(profile, "default") == 0 && ctl_ini_has_section(cfg, "default"))
        return "default";
    return NULL;
}

int ctl_config_resolve(const struct ctl_flags *flags, const char *const *env,
                       struct ctl_config *out, char *err, size_t err_size)
{
    static const struct ctl_flags no_flags;
    memset(out, 0, sizeof *out);
    if (flags == NULL)
        flags = &no_flags;

    const char *profile = flags->profile && *flags->profile ? flags->profile : NULL;
    bool profile_explicit = profile != NULL;
    if (profile == NULL)
        profile = ctl_config_getenv(env, "AWS_PROFILE");
    if (profile == NULL)
        profile = ctl_config_getenv(env, "AWS_DEFAULT_PROFILE");
    if (profile == NULL)
        profile = "default";

    char *cred_path = ctl_config_path(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
    char *cfg_path = ctl_config_path(env, "AWS_CONFIG_FILE", ".aws/config");
    struct ctl_ini creds, cfg;
    ctl_ini_load(cred_path, &creds);
    ctl_ini_load(cfg_path, &cfg);
    free(cred_path);
    free(cfg_path);

    char section_buf[320];
    const char *cfg_section = ctl_config_section(&cfg, profile, section_buf, sizeof section_buf);
    const char *cred_section = ctl_ini_has_section(&creds, profile) ? profile : NULL;
    int rc = -1;
    if (strcmp(profile, "default") != 0 && cfg_section == NULL && cred_section == NULL) {
        ctl_config_fail(err, err_size, "The config profile (%s) could not be found", profile);
        goto done;
    }

    /* An explicit --profile outranks the environment's keys; AWS_PROFILE does not. */
    const char *key = NULL, *secret = NULL, *token = NULL, *source = NULL;
    if (!profile_explicit) {
        key = ctl_config_getenv(env, "AWS_ACCESS_KEY_ID");
        secret = ctl_config_getenv(env, "AWS_SECRET_ACCESS_KEY");
        token = ctl_config_getenv(env, "AWS_SESSION_TOKEN");
        if (token == NULL)
            token = ctl_config_getenv(env, "AWS_SECURITY_TOKEN");
        source = "env";
    }
    if (key == NULL || secret == NULL) {
        key = ctl_ini_get(&creds, cred_section, "aws_access_key_id");
        secret = ctl_ini_get(&creds, cred_section, "aws_secret_access_key");
        token = ctl_ini_get(&creds, cred_section, "aws_session_token");
        source = "shared-credentials-file";
    }
    if (key == NULL || secret == NULL) {
        key = ctl_ini_get(&cfg, cfg_section, "aws_access_key_id");
        secret = ctl_ini_get(&cfg, cfg_section, "aws_secret_access_key");
        token = ctl_ini_get(&cfg, cfg_section, "aws_session_token");
        source = "config-file";
    }
    if (key == NULL || secret == NULL) {
        ctl_config_fail(err, err_size,
                        "Unable to locate credentials. Set AWS_ACCESS_KEY_ID and "
                        "AWS_SECRET_ACCESS_KEY, or configure profile '%s'",
                        profile);
        goto done;
    }

    const char *region = flags->region && *flags->region ? flags->region : NULL;
    if (region == NULL)
        region = ctl_config_getenv(env, "AWS_REGION");
    if (region == NULL)
        region = ctl_config_getenv(env, "AWS_DEFAULT_REGION");
    if (region == NULL)
        region = ctl_ini_get(&cfg, cfg_section, "region");
    if (region == NULL)
        region = CTL_DEFAULT_REGION;

    const char *endpoint = flags->endpoint_url && *flags->endpoint_url ? flags->endpoint_url : NULL;
    if (endpoint == NULL)
        endpoint = ctl_config_getenv(env, "AWS_ENDPOINT_URL_EC2");
    if (endpoint == NULL)
        endpoint = ctl_config_getenv(env, "AWS_ENDPOINT_URL");
    if (endpoint == NULL)
        endpoint = ctl_ini_get(&cfg, cfg_section, "endpoint_url");
    if (endpoint == NULL)
        endpoint = CTL_DEFAULT_ENDPOINT;

    out->profile = xstrdup(profile);
    out->access_key = xstrdup(key);
    out->secret_key = xstrdup(secret);
    out->session_token = ctl_config_dup(token);
    out->region = xstrdup(region);
    out->endpoint = xstrdup(endpoint);
    out->credential_source = source;
    rc = 0;
done:
    ctl_ini_destroy(&creds);
    ctl_ini_destroy(&cfg);
    return rc;
}

void ctl_config_destroy(struct ctl_config *c)
{
    if (c == NULL)
        return;
    free(c->profile);
    free(c->access_key);
    free(c->secret_key);
    free(c->session_token);
    free(c->region);
    free(c->endpoint);
    memset(c, 0, sizeof *c);
}
