/* registry.c: the native contracts by address (see contract.h). */
#include "lst.h"
#include "contract.h"
#include "token.h"
#include "validators.h"
#include "evidence.h"
#include "market.h"
#include "subscription.h"

static const contract_def *const contracts[] = {
	&token_contract,
	&validators_contract,
	&evidence_contract,
	&market_contract,
	&subscription_contract,
	NULL,
};

const contract_def *contract_find(const uint8_t address[20])
{
	for (size_t i = 0; contracts[i]; i++)
		if (!memcmp(contracts[i]->address, address, 20))
			return contracts[i];
	return NULL;
}
