/* user-types.c - names of the HSM user types as the tools print and parse them.
 * Parsing is case-sensitive, as the reference says user types are. */
#include <stdlib.h>
#include <string.h>

#include "hsmclient.h"
#include "util.h"

static const struct {
	hsm_user_type type;
	const char *name;
} user_type_names[] = {
	{ HSM_USER_CU, "CU" },
	{ HSM_USER_CO, "CO" },
	{ HSM_USER_PCO, "PCO" },
	{ HSM_USER_AU, "AU" },
	{ HSM_USER_PRECO, "PRECO" },
};

const char *
hsm_user_type_name(hsm_user_type t)
{
	for (size_t i = 0; i < ARRAY_SIZE(user_type_names); i++)
		if (user_type_names[i].type == t)
			return user_type_names[i].name;
	return NULL;
}

hsm_user_type
hsm_user_type_parse(const char *s)
{
	if (s == NULL)
		return HSM_USER_INVALID;
	/* createUser documents "preCO" as another spelling of PRECO. */
	if (strcmp(s, "preCO") == 0)
		return HSM_USER_PRECO;
	for (size_t i = 0; i < ARRAY_SIZE(user_type_names); i++)
		if (strcmp(user_type_names[i].name, s) == 0)
			return user_type_names[i].type;
	return HSM_USER_INVALID;
}

void
hsm_user_list_free(hsm_user_list *list)
{
	if (list == NULL)
		return;
	free(list->users);
	list->users = NULL;
	list->count = 0;
}
