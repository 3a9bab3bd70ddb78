/*
 * The subscription contract's client side (lib/subs.c): calldata of each
 * function against the bytes ethers v6 Interface.encodeFunctionData makes
 * for the signatures of contracts/subscription.h (written out below), and
 * the inputs the client refuses before encoding anything. Views, sending
 * and logs run against the chain in test/t0440-subscribe.bats.
 */
#include "lst.h"
#include "unit.h"
#include "buf.h"
#include "diag.h"
#include "hex.h"
#include "subs.h"
#include "subscription.h"

/* ethers v6, see the file comment: the arguments are those of each test. */
#define ETH_CREATE                                                                                         \
	"0x30f1081a000000000000000000000000000000000000000000000000000000000000004000000000000000000000000000" \
	"000000000000000000000014d1120d7b160000000000000000000000000000000000000000000000000000000000000000" \
	"000f536369656e63652066696374696f6e0000000000000000000000000000000000"
#define ETH_ENROLL                                                                                         \
	"0xdc3a4e9b1111111111111111111111111111111111111111111111111111111111111111000000000000000000000000" \
	"0000000000000000000000000000000000000007"
#define ETH_SUBSCRIBE                                                                                      \
	"0x84370813000000000000000000000000000000000000000000000000000000000000000200000000000000000000000000" \
	"0000000000000000000000000000000000000c"
#define ETH_CANCEL "0x40e58ee50000000000000000000000000000000000000000000000000000000000000003"
#define ETH_SET_SERVER_ON                                                                                  \
	"0xb8f5f8f8000000000000000000000000222222222222222222222222222222222222222200000000000000000000000000" \
	"00000000000000000000000000000000000001"
#define ETH_SET_SERVER_OFF                                                                                 \
	"0xb8f5f8f8000000000000000000000000222222222222222222222222222222222222222200000000000000000000000000" \
	"00000000000000000000000000000000000000"
#define ETH_RECORD \
	"0xcecf5314111111111111111111111111111111111111111111111111111111111111111100000000000000000000000000" \
	"000000000000000000000000000000000002a100000000000000000000000000000000000000000000000000000000000000" \
	"8000000000000000000000000000000000000000000000000000000000000001000000000000000000000000000000000000" \
	"0000000000000000000000000000030000000000000000000000000000000000000000000000000000000000000001000000" \
	"0000000000000000000000000000000000000000000000000000000002000000000000000000000000000000000000000000" \
	"00000000000000ffffffff0000000000000000000000000000000000000000000000000000000000000041ababababababab" \
	"abababababababababababababababababababababababababababababababababababababababababababababababababab" \
	"ababababababab1c00000000000000000000000000000000000000000000000000000000000000"
#define ETH_SETTLE                                                                                         \
	"0x9a9c29f6000000000000000000000000000000000000000000000000000000000000000400000000000000000000000000" \
	"000000000000000000000000000000000002a1"

static uint8_t BOOK[32], SERVER[20], RECEIPT[65];

/* The calldata in cd is want (0x-hex), and cd is reset. */
static bool is(buf *cd, const char *want)
{
	char *got = hex_encode_alloc(cd->p, cd->len);
	bool same = !strcmp(got, want);
	if (!same)
		diagf("got  %s\nwant %s", got, want);
	free(got);
	buf_reset(cd);
	return same;
}

/* Run a call expected to fail: true when it did with status want and appended nothing. */
static bool refused(int rc, const buf *cd, size_t before, int want)
{
	bool r = rc < 0 && diag_status() == want && cd->len == before;
	diag_set_status(LST_OK);
	return r;
}

static void test_calldata(void)
{
	buf cd = BUF_INIT;
	u256 fee = u256_from_u64(1500000000000000000ull);
	uint32_t pages[3] = {1, 2, 4294967295u};

	ok(subs_call_create_category(&cd, "Science fiction", &fee) == 0 && is(&cd, ETH_CREATE),
	   "createCategory('Science fiction', 1.5 LST)");
	ok(subs_call_enroll(&cd, BOOK, 7) == 0 && is(&cd, ETH_ENROLL), "enroll(book, 7)");
	ok(subs_call_subscribe(&cd, 2, 12) == 0 && is(&cd, ETH_SUBSCRIBE), "subscribe(2, 12)");
	ok(subs_call_cancel(&cd, 3) == 0 && is(&cd, ETH_CANCEL), "cancel(3)");
	ok(subs_call_set_server(&cd, SERVER, true) == 0 && is(&cd, ETH_SET_SERVER_ON), "setServer(server, true)");
	ok(subs_call_set_server(&cd, SERVER, false) == 0 && is(&cd, ETH_SET_SERVER_OFF), "setServer(server, false)");
	ok(subs_call_record_pages(&cd, BOOK, 673, pages, 3, RECEIPT) == 0 && is(&cd, ETH_RECORD),
	   "recordPages(book, 673, [1, 2, 2^32-1], receipt)");
	ok(subs_call_settle(&cd, 4, 673) == 0 && is(&cd, ETH_SETTLE), "settle(4, 673)");

	/* Appended, not replaced: two calls one after the other. */
	ok(subs_call_cancel(&cd, 3) == 0 && subs_call_cancel(&cd, 3) == 0 && cd.len == 72, "calldata is appended");
	buf_free(&cd);
}

static void test_refusals(void)
{
	buf cd = BUF_INIT;
	u256 fee = u256_from_u64(1), zero = u256_from_u64(0), big = u256_from_u64(0);
	char name[SUB_NAME_MAX + 2];
	uint32_t pages[SUB_PAGES_PER_CALL + 1];
	for (size_t i = 0; i < ARRAY_SIZE(pages); i++)
		pages[i] = (uint32_t)i + 1;
	big.w[2] = 1; /* 2^128 */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;

	diag_set_quiet(true);
	/* Something in cd already: a refusal leaves it as it was. */
	if (subs_call_cancel(&cd, 1) < 0)
		diag_die(LST_EFAIL, "cannot encode cancel");
	size_t before = cd.len;
	ok(refused(subs_call_create_category(&cd, "", &fee), &cd, before, LST_EINVALID), "an empty name is refused");
	ok(refused(subs_call_create_category(&cd, name, &fee), &cd, before, LST_EINVALID),
	   "a name of 65 bytes is refused");
	name[SUB_NAME_MAX] = 0;
	ok(subs_call_create_category(&cd, name, &fee) == 0 && cd.len > before, "a name of 64 bytes is encoded");
	cd.len = before;
	ok(refused(subs_call_create_category(&cd, "tab\there", &fee), &cd, before, LST_EINVALID),
	   "a name with a control character is refused");
	ok(refused(subs_call_create_category(&cd, "free", &zero), &cd, before, LST_EINVALID), "a zero fee is refused");
	ok(refused(subs_call_create_category(&cd, "dear", &big), &cd, before, LST_EINVALID),
	   "a fee of 2^128 is refused");
	big = u256_from_u64(UINT64_MAX);
	big.w[1] = UINT64_MAX; /* 2^128 - 1 */
	ok(subs_call_create_category(&cd, "dear", &big) == 0 && cd.len > before, "a fee of 2^128-1 is encoded");
	cd.len = before;

	ok(refused(subs_call_subscribe(&cd, 1, 0), &cd, before, LST_EINVALID), "0 months is refused");
	ok(refused(subs_call_subscribe(&cd, 1, SUB_MONTHS_MAX + 1), &cd, before, LST_EINVALID),
	   "121 months is refused");
	ok(subs_call_subscribe(&cd, 1, SUB_MONTHS_MAX) == 0 && cd.len == before + 68, "120 months is encoded");
	cd.len = before;

	ok(refused(subs_call_record_pages(&cd, BOOK, 1, pages, 0, RECEIPT), &cd, before, LST_EINVALID),
	   "recordPages of no page is refused");
	ok(refused(subs_call_record_pages(&cd, BOOK, 1, pages, SUB_PAGES_PER_CALL + 1, RECEIPT), &cd, before,
		   LST_EINVALID),
	   "recordPages of 1001 pages is refused");
	ok(subs_call_record_pages(&cd, BOOK, 1, pages, SUB_PAGES_PER_CALL, RECEIPT) == 0 &&
	   cd.len == before + 4 + 32 * 4 + 32 + 32 * SUB_PAGES_PER_CALL + 32 + 96,
	   "recordPages of 1000 pages is encoded");
	diag_set_quiet(false);
	buf_free(&cd);
}

int main(void)
{
	diag_init("t-subs");
	memset(BOOK, 0x11, sizeof(BOOK));
	memset(SERVER, 0x22, sizeof(SERVER));
	memset(RECEIPT, 0xab, 64);
	RECEIPT[64] = 0x1c;
	test_calldata();
	test_refusals();
	return unit_done();
}
