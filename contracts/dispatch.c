/* dispatch.c: the table-driven front of a native contract's call; see contract.h. */
#include "lst.h"
#include "contract.h"
#include "abi.h"

#define MAX_ARGS 8

static bool is_payable(const contract_fn *f, const uint8_t (*payable)[4], size_t npayable)
{
	for (size_t i = 0; i < npayable; i++)
		if (!memcmp(payable[i], f->selector, 4))
			return true;
	return false;
}

int contract_dispatch_payable(contract_result *out, contract_env *env, const char *name,
			      const contract_fn *fns, size_t nfns, const uint8_t (*payable)[4],
			      size_t npayable, const uint8_t *calldata, size_t len)
{
	const contract_fn *f = NULL;
	abi_value args[MAX_ARGS];
	size_t n;

	out->ok = false;
	buf_reset(&out->ret);
	if (len < 4) {
		abi_revert(&out->ret, "no function selector");
		return 0;
	}
	for (size_t i = 0; i < nfns && !f; i++)
		if (!memcmp(fns[i].selector, calldata, 4))
			f = &fns[i];
	if (!f) {
		abi_revertf(&out->ret, "unknown function selector 0x%02x%02x%02x%02x", calldata[0], calldata[1],
			    calldata[2], calldata[3]);
		return 0;
	}
	if (!u256_is_zero(&env->value) && !is_payable(f, payable, npayable)) {
		abi_revertf(&out->ret, "%s does not accept LST sent with a call", name);
		return 0;
	}
	if (f->writes && env->readonly) {
		abi_revert(&out->ret, "state change in a read-only call");
		return 0;
	}
	if (abi_decode(args, MAX_ARGS, &n, f->types, calldata + 4, len - 4) < 0) {
		abi_revertf(&out->ret, "invalid arguments for %s", f->signature);
		return 0;
	}
	int rc = f->run(out, env, args);
	abi_free(args, n);
	return rc;
}

int contract_dispatch(contract_result *out, contract_env *env, const char *name, const contract_fn *fns,
		      size_t nfns, const uint8_t *calldata, size_t len)
{
	return contract_dispatch_payable(out, env, name, fns, nfns, NULL, 0, calldata, len);
}
