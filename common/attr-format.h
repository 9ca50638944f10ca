/* attr-format.h - how getAttribute prints an attribute value (both tools).
 * The formats follow the attribute dumps of the reference pages. */
#ifndef HSM_ATTR_FORMAT_H
#define HSM_ATTR_FORMAT_H

#include <stdbool.h>

#include "hsmclient.h"

/* The value text (no newline at the end; may contain newlines for a long
 * modulus). single: one attribute asked for, where numbers print as 0x%08x.
 * Returns a malloc'd string or NULL. */
char *attr_format_value(const hsm_attribute *a, uint32_t key_type, bool single);

#endif
