/* AWS filter-value matching: '*' matches any run, '?' one character, and a backslash
 * escapes the next character. Nothing else is special (unlike fnmatch's brackets). */
#ifndef VPCD_LIB_GLOB_H
#define VPCD_LIB_GLOB_H

#include <stdbool.h>

bool glob_match(const char *pattern, const char *text);

#endif
