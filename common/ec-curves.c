/* ec-curves.c - the ECC curve ids of genECCKeyPair -i and listECCCurveIds.
 * Binary curves and P-192 exist in the id space but FIPS mode refuses them. */
#include <stddef.h>
#include <string.h>

#include "ec-curves.h"
#include "util.h"

static const struct ec_curve ec_curves[] = {
	{ 1, "NID_X9_62_prime192v1", "prime192v1", false },
	{ 2, "NID_X9_62_prime256v1", "prime256v1", true },
	{ 3, "NID_sect163k1", "sect163k1", false },
	{ 4, "NID_sect163r2", "sect163r2", false },
	{ 5, "NID_sect233k1", "sect233k1", false },
	{ 6, "NID_sect233r1", "sect233r1", false },
	{ 7, "NID_sect283k1", "sect283k1", false },
	{ 8, "NID_sect283r1", "sect283r1", false },
	{ 9, "NID_sect409k1", "sect409k1", false },
	{ 10, "NID_sect409r1", "sect409r1", false },
	{ 11, "NID_sect571k1", "sect571k1", false },
	{ 12, "NID_sect571r1", "sect571r1", false },
	{ 13, "NID_secp224r1", "secp224r1", true },
	{ 14, "NID_secp384r1", "secp384r1", true },
	{ 15, "NID_secp521r1", "secp521r1", true },
	{ 16, "NID_secp256k1", "secp256k1", true },
};

const struct ec_curve *
ec_curve_by_id(uint32_t id)
{
	for (size_t i = 0; i < ARRAY_SIZE(ec_curves); i++)
		if (ec_curves[i].id == id)
			return &ec_curves[i];
	return NULL;
}

const struct ec_curve *
ec_curve_by_group(const char *group)
{
	for (size_t i = 0; i < ARRAY_SIZE(ec_curves); i++)
		if (strcmp(ec_curves[i].group, group) == 0)
			return &ec_curves[i];
	return NULL;
}

const struct ec_curve *
ec_curve_at(size_t i)
{
	return i < ARRAY_SIZE(ec_curves) ? &ec_curves[i] : NULL;
}
