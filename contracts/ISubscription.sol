// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title Subscriptions: readers pay a fee per period for a category and read
/// its books page by page; each period's pool goes to the authors by pages read.
/// @notice A native contract at 0x4c53540000000000000000000000000000000005,
/// built into every node (contracts/subscription.c, contracts/subscription.h).
/// Amounts are in Photons (1 LST = 10^18 Photons). Reverts carry
/// Error(string) reasons; only subscribe accepts LST.
///
/// Periods: genesis subscription_period L. L = 0: calendar months in UTC,
/// period k = (year - 1970) * 12 + month - 1, starting on the 1st at 00:00
/// UTC (2026-11 is 682); L > 0: period k = floor(time / L). Period k ends
/// when k + 1 starts.
///
/// Pages: a provider serves a member page keys and signs a receipt, an
/// EIP-191 personal_sign (ethers signMessage of the 32 bytes) by its serving
/// key (registered with setServer by the book's author or a buyer) over
///   keccak256(abi.encodePacked("lst-pages-v1", uint256(chainid),
///             address(this), reader, book, uint256(period),
///             keccak256(abi.encodePacked(pages))))
/// with pages the uint256[] recordPages is given. A page counts once per
/// (reader, book, period), and a reader's pages of one book count up to
/// 1,000 per period.
///
/// Settlement: the pool of a category's period, less the service fee
/// (pool * serviceFeeBps / 10000, rounded down), is split over the books
/// read by their counted pages, each share rounded down and paid to the
/// book's author; the fee and the rounding remainder go to the foundation,
/// so payouts + fee + remainder = pool. A period with no page read pays
/// its whole pool to the foundation.
interface ISubscription {
    event CategoryCreated(uint256 indexed id, string name, uint256 fee);
    event Enrolled(bytes32 indexed book, uint256 indexed category, address indexed author);
    /// @param from the first period this payment covers; until the span's new end
    event Subscribed(uint256 indexed category, address indexed reader, uint256 from, uint256 until, uint256 paid);
    event Cancelled(uint256 indexed category, address indexed reader, uint256 until, uint256 refund);
    event ServerSet(address indexed server, address indexed owner, bool on);
    /// @param added pages new to the record; counted of those, under the cap
    event PagesRecorded(bytes32 indexed book, address indexed reader, uint256 indexed period, uint256 added,
                        uint256 counted);
    event Payout(bytes32 indexed book, address indexed author, uint256 indexed period, uint256 category,
                 uint256 pages, uint256 amount);
    event Settled(uint256 indexed category, uint256 indexed period, uint256 pool, uint256 fee, uint256 remainder,
                  uint256 books);

    /// @notice Foundation only ("not the foundation"). name: 1 to 64 bytes of
    /// UTF-8 without control characters, unique. The fee per period is fixed.
    /// Reverts, in this order: "not the foundation", "bad category name",
    /// "category exists", "fee must be positive", "fee too large" (2^128 or
    /// more). Logs CategoryCreated.
    /// @return id The new category's id; ids count from 1.
    function createCategory(string calldata name, uint256 fee) external returns (uint256 id);

    /// @notice The book's author enrolls it in one category, for good.
    /// Reverts "no such book", "not the author", "no such category",
    /// "already enrolled in category N". Logs Enrolled.
    function enroll(bytes32 book, uint256 category) external;

    /// @notice Pays fee * months up front, value exactly that ("fee is F for
    /// N months, not V"). From the current period when the caller is not a
    /// member now, else from the end of the current span. Reverts "no such
    /// category", "months must be 1 to 120", "fee too large for N months",
    /// "fee is F for N months, not V". Logs Subscribed.
    function subscribe(uint256 category, uint256 months) external payable;

    /// @notice Ends the caller's membership with the current period and
    /// refunds the fees of the periods after it (months begun are not
    /// refunded). Reverts "not a member of category N", "membership already
    /// ends with period K". Logs Cancelled.
    function cancel(uint256 category) external;

    /// @notice on: the caller owns server's receipts ("server belongs to
    /// another account", "server is already yours"); off: only its owner
    /// ("not your server"). Logs ServerSet.
    function setServer(address server, bool on) external;

    /// @notice The caller, a reader, records pages of book served in period
    /// (the current one or the one before) with the server's receipt.
    /// Reverts, in this order: "book is not enrolled", "period K cannot be
    /// recorded now", "period K is settled", "not a member of category N in
    /// period K", "1 to 1000 pages per call", "page P does not exist" (pages
    /// are 1 to 2^32 - 1), "bad receipt", "receipt signer 0x.. is not a
    /// registered server", "a reader cannot serve themselves" (the signer is
    /// the reader or a server the reader owns), "server's owner 0x.. cannot
    /// hold the book" (neither its author nor a buyer). Pages already
    /// recorded are skipped. Logs PagesRecorded.
    /// @return counted The pages of this call that count (new, under the cap).
    function recordPages(bytes32 book, uint256 period, uint256[] calldata pages, bytes calldata receipt)
        external returns (uint256 counted);

    /// @notice Anyone, once period has ended, once. Pays each book read its
    /// share (Payout, in the order first read), then the foundation, and logs
    /// Settled. Reverts "no such category", "period K has not ended (ends at
    /// T)", "period K is already settled".
    function settle(uint256 category, uint256 period) external;

    /// @return Whether reader is a member of category in the current period.
    function isMember(uint256 category, address reader) external view returns (bool);

    /// @return from until The span of periods [from, until); endsAt the time
    /// period until starts. Zeros if never subscribed.
    function membership(uint256 category, address reader) external view
        returns (uint256 from, uint256 until, uint256 endsAt);

    function categoryCount() external view returns (uint256);

    /// @notice Reverts "no such category". members: readers who ever subscribed.
    function category(uint256 id) external view
        returns (string memory name, uint256 fee, uint256 books, uint256 members);

    /// @return The id of the category named name, 0 if none.
    function categoryId(string calldata name) external view returns (uint256);

    /// @return The category book is enrolled in, 0 if none.
    function categoryOf(bytes32 book) external view returns (uint256);

    /// @return current start end The current period and its bounds (unix
    /// times); length the genesis subscription_period (0: calendar months).
    function period() external view returns (uint256 current, uint256 start, uint256 end, uint256 length);

    /// @notice Reverts "time too large" past 2^64 - 1.
    function periodOf(uint256 time) external view returns (uint256);

    /// @notice Reverts "period too large" for a period starting past 2^64 - 1 seconds.
    function periodStart(uint256 k) external view returns (uint256);

    /// @return book category period until What a provider asks before it
    /// serves page keys: the book rootId is a version of (the market's
    /// bookOf), its category, the current period, and the time reader's
    /// membership of that category ends if reader is a member now, else 0.
    function pageAccess(address reader, bytes32 rootId) external view
        returns (bytes32 book, uint256 category, uint256 period, uint256 until);

    /// @return The account that owns server's receipts, zero if none.
    function serverOwner(address server) external view returns (address);

    /// @return pool pages books settled The fees paid for category's period,
    /// its counted pages and books read, and whether it is settled.
    function pool(uint256 category, uint256 period) external view
        returns (uint256 pool, uint256 pages, uint256 books, bool settled);

    /// @notice The books read in category's period and their counted pages,
    /// first read first. Reverts "limit is at most 1000".
    function booksRead(uint256 category, uint256 period, uint256 offset, uint256 limit) external view
        returns (bytes32[] memory books, uint256[] memory pages);

    /// @return counted recorded reader's pages of book in period: those that
    /// count (at most 1,000) and all recorded.
    function readerPages(address reader, bytes32 book, uint256 period) external view
        returns (uint256 counted, uint256 recorded);

    function pageRecorded(address reader, bytes32 book, uint256 period, uint256 page) external view returns (bool);

    /// @return settled fee remainder paid height Of category's period: zeros
    /// until it is settled; paid is the sum of the payouts, height the block.
    function settlement(uint256 category, uint256 period) external view
        returns (bool settled, uint256 fee, uint256 remainder, uint256 paid, uint256 height);
}
