/* ec-curves.h - the ECC curve ids of genECCKeyPair -i and listECCCurveIds.
 * group is the OpenSSL name; fips says whether FIPS mode allows the curve. */
#ifndef HSM_EC_CURVES_H
#define HSM_EC_CURVES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ec_curve {
	uint32_t id;
	const char *nid_name;    /* as listECCCurveIds prints it */
	const char *group;       /* OpenSSL group name */
	bool fips;
};

const struct ec_curve *ec_curve_by_id(uint32_t id);
const struct ec_curve *ec_curve_by_group(const char *group);
/* For listing: the i-th curve, NULL past the end. */
const struct ec_curve *ec_curve_at(size_t i);

#endif
