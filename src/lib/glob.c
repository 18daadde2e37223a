#include "lib/glob.h"

#include <stddef.h>

bool glob_match(const char *p, const char *t)
{
    const char *star_p = NULL, *star_t = NULL;
    while (*t) {
        if (*p == '\\' && p[1] && p[1] == *t) {
            p += 2;
            t++;
        } else if (*p == '?' || (*p && *p != '*' && *p != '\\' && *p == *t)) {
            p++;
            t++;
        } else if (*p == '*') {
            star_p = ++p;
            star_t = t;
        } else if (star_p) {
            p = star_p;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}
