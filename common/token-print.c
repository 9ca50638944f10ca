/* token-print.c - the quorum token lines of getToken and listTokens, as
 * quorum-authentication-crypto-officers.md shows them (token-print.h). */
#include <stdio.h>

#include "token-print.h"

void
token_print(const hsm_quorum_token *t)
{
	printf("Token:\nId:%u\nService:%u\nNode:%u\nKey Handle:%u\nUser:%s\n", t->id,
	       t->service, t->node_id, t->key_handle, t->user);
}

void
token_list_print(const hsm_quorum_token_list *l)
{
	for (size_t k = 0; k < l->count; k++) {
		const hsm_quorum_token *t = &l->tokens[k];
		printf("-------- Token - %zu ----------\n", k);
		token_print(t);
		printf("Token Validity: %u sec\nRequired num of approvers : %u\n"
		       "Current num of approvals : %u\n", t->validity_s, t->required,
		       t->napprovals);
		for (uint32_t j = 0; j < t->napprovals; j++)
			printf("Approver-%u: %s\n", j, t->approvers[j]);
	}
	printf("Num of tokens = %zu\n", l->count);
}
