/* token-print.h - the quorum token lines getToken and listTokens print, the
 * same in cloudhsm_mgmt_util and key_mgmt_util (quorum-authentication pages). */
#ifndef HSM_TOKEN_PRINT_H
#define HSM_TOKEN_PRINT_H

#include "hsmclient.h"

/* "Token:", then Id, Service, Node, Key Handle and User, one a line. */
void token_print(const hsm_quorum_token *t);
/* One "-------- Token - k ----------" block per token with its validity and
 * approvals, then "Num of tokens = n". */
void token_list_print(const hsm_quorum_token_list *l);

#endif
