/*
 * market.h: the market, where authors publish books and readers buy them.
 *
 * Owns the contract at 0x4c53540000000000000000000000000000000004: books
 * (an author, a title, public details, a price, versions), their
 * publication co-signed by the foundation with a listing fee held in
 * escrow, sales with the service fee, and who may read what. Solidity-ABI
 * calldata and Ethereum logs, so ethers/viem call it with
 * contracts/market.abi.json (interface: contracts/IMarket.sol).
 *
 * Ids:
 *   book    = keccak256("lst-book-v1" || author (20) || title (UTF-8))
 *             (Solidity: keccak256(abi.encodePacked("lst-book-v1", author, title)))
 *   root    = a version's root CID in binary form (bytes, at most 64)
 *   root id = sha256(root): what the swarm's gate asks about (lib/access.h)
 *
 * The foundation's co-signature (DESIGN.md section 5: a contract is
 * instantiated by a transaction that both the author and the foundation
 * signed) is an EIP-191 personal_sign (lib/msg.h, ethers signMessage of
 * the 32 bytes) by the genesis foundation over
 *
 *   terms = keccak256("lst-publish-v1" || chain id (32 BE) || market (20)
 *                     || author (20) || book (32) || price (32 BE)
 *                     || keccak256(root) || tree (32)
 *                     || keccak256(details) || keccak256(label))
 *
 * so it binds the author, the title (through the book id), the price, the
 * first version and the public details; it opens nothing else, and it is
 * spent once (a book is published once).
 *
 * Functions (M = the market; "author only" reverts "not the author"):
 *
 *   publish(string title, string details, uint256 price, bytes root,
 *           bytes32 tree, string label, bytes foundationSig) payable
 *           returns (bytes32 book)
 *       value must be exactly the genesis listing fee ("listing fee is N"),
 *       kept by M in the book's escrow (paid to reviewers later). Reverts:
 *       "empty title", "title too long" (> 200 bytes), "details too long"
 *       (> 16384), "label too long" (> 64), "not UTF-8" (title, details or
 *       label: events and views return them as strings), "bad root" (empty or > 64
 *       bytes), "price too large" (> 2^128-1), "already published",
 *       "root already published" (a root belongs to one book),
 *       "bad foundation signature" (not 65 bytes, or not the foundation's
 *       over these terms). Logs Published then VersionAdded (index 0).
 *   setPrice(bytes32 book, uint256 price)     author only; PriceChanged
 *   addVersion(bytes32 book, bytes root, bytes32 tree, string label)
 *           returns (uint256 index)           author only; VersionAdded
 *   buy(bytes32 book) payable
 *       value is the price the buyer agreed to and must equal the current
 *       price ("price is N, not M": a price changed in the same block does
 *       not take more than the buyer signed for). Reverts "no such book",
 *       "the author cannot buy their own book", "already bought". The
 *       service fee, value * service_fee_bps / 10000 (rounded down), goes
 *       to the foundation and the rest to the author, in this transaction.
 *       Logs Purchased.
 *   hasAccess(bytes32 book, address reader) view returns (bool)
 *       the author, or a buyer; every version of the book
 *   canRead(address reader, bytes32 rootId) view returns (bool)
 *       hasAccess of the book whose version rootId is (false if none), or
 *       reader is a member now of the subscription category that book is
 *       enrolled in (contracts/subscription.h): the swarm's gate
 *       (access_check)
 *   book(bytes32 book) view returns (address author, uint256 price,
 *           uint256 versions, uint256 sales, uint256 published,
 *           string title, string details)       reverts "no such book"
 *       (published: the block height)
 *   versions(bytes32 book) view returns (bytes[] roots, bytes32[] trees,
 *           string[] labels, uint256[] heights)  oldest first; "no such book"
 *   bookOf(bytes32 rootId) view returns (bytes32 book)   zero if none
 *   bookId(address author, string title) view returns (bytes32)
 *   termsHash(address author, string title, string details, uint256 price,
 *           bytes root, bytes32 tree, string label) view returns (bytes32)
 *       the terms above, for clients that co-sign (chain id and market of
 *       this chain)
 *   purchaseOf(bytes32 book, address buyer) view returns (uint256 height,
 *           uint256 price, uint256 fee)         zeros if not bought
 *   escrowOf(bytes32 book) view returns (uint256)
 *   fees() view returns (uint256 serviceFeeBps, uint256 listingFee,
 *           address foundation)
 *
 * Events:
 *   Published(bytes32 indexed book, address indexed author, uint256 price, string title)
 *   PriceChanged(bytes32 indexed book, uint256 oldPrice, uint256 newPrice)
 *   VersionAdded(bytes32 indexed book, bytes32 indexed rootId, uint256 index,
 *                bytes root, bytes32 tree, string label)
 *   Purchased(bytes32 indexed book, address indexed buyer, address indexed author,
 *             uint256 price, uint256 fee)
 *
 * Storage (keys are prefix || fields; integers big-endian):
 *   "book:" book (32)        -> author (20) || price (32) || versions (8)
 *                               || sales (8) || height (8) || escrow (32)
 *                               || title length (2) || title || details
 *   "ver:" book (32) idx (8) -> tree (32) || height (8) || root length (1)
 *                               || root || label
 *   "root:" root id (32)     -> book (32)
 *   "buy:" book (32) buyer (20) -> height (8) || price (32) || fee (32)
 *
 * Money enters M only as publish's listing fee (kept) and buy's value
 * (paid out at once): M's balance is the sum of the escrows.
 */
#ifndef LST_MARKET_H
#define LST_MARKET_H

#include "lst.h"
#include "contract.h"

#define MARKET_ADDRESS_BYTES \
	{0x4c, 0x53, 0x54, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x04}

extern const uint8_t MARKET_ADDRESS[20];
extern const contract_def market_contract;

#define MARKET_TITLE_MAX 200
#define MARKET_DETAILS_MAX 16384
#define MARKET_LABEL_MAX 64
#define MARKET_ROOT_MAX 64

/* book = keccak256("lst-book-v1" || author || title[0..len)). */
void market_book_id(uint8_t book[32], const uint8_t author[20], const char *title, size_t len);

/* The terms the foundation co-signs (above); root, details and label with their lengths. */
typedef struct {
	uint64_t chain_id;
	uint8_t author[20];
	uint8_t book[32];
	u256 price;
	const uint8_t *root;
	size_t root_len;
	uint8_t tree[32];
	const char *details;
	size_t details_len;
	const char *label;
	size_t label_len;
} market_terms;

void market_terms_hash(uint8_t out[32], const market_terms *t);

/*
 * 0 if sig (65 bytes, r || s || v) is the personal_sign by foundation of
 * the terms hash; -1 otherwise.
 */
int market_cosig_verify(const uint8_t sig[65], const uint8_t terms_hash[32], const uint8_t foundation[20]) LST_WUR;

/*
 * The market's records for the subscription contract, read at
 * MARKET_ADDRESS whatever env->self is. Each returns 0, or -1 when the
 * state failed.
 */
/* book's author; *found false and author zeroed when there is no such book. */
int market_book_author(contract_env *env, bool *found, uint8_t author[20], const uint8_t book[32]) LST_WUR;
/* hasAccess(book, reader): reader is the author or a buyer (false for no book). */
int market_has_access(contract_env *env, bool *yes, const uint8_t book[32], const uint8_t reader[20]) LST_WUR;
/* bookOf(rootId): the book root_id is a version of; *found false and book zeroed when none. */
int market_book_of(contract_env *env, bool *found, uint8_t book[32], const uint8_t root_id[32]) LST_WUR;

#endif
