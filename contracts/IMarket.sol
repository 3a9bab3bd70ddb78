// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title The market: authors publish books, readers buy them.
/// @notice A native contract at 0x4c53540000000000000000000000000000000004,
/// built into every node (contracts/market.c, contracts/market.h). Amounts
/// are in Photons (1 LST = 10^18 Photons). Reverts carry Error(string)
/// reasons; only publish and buy accept LST.
///
/// Ids: book = keccak256(abi.encodePacked("lst-book-v1", author, title));
/// a version's root is its root CID in binary form (at most 64 bytes) and
/// its rootId is sha256(root), what the swarm's gateways ask canRead about.
///
/// The foundation co-signs a publication: an EIP-191 personal_sign (ethers
/// signMessage of the 32 bytes) over
///   terms = keccak256(abi.encodePacked("lst-publish-v1", uint256(chainid),
///           market, author, book, price, keccak256(root), tree,
///           keccak256(bytes(details)), keccak256(bytes(label))))
/// (termsHash computes it).
interface IMarket {
    event Published(bytes32 indexed book, address indexed author, uint256 price, string title);
    event PriceChanged(bytes32 indexed book, uint256 oldPrice, uint256 newPrice);
    event VersionAdded(bytes32 indexed book, bytes32 indexed rootId, uint256 index, bytes root, bytes32 tree, string label);
    event Purchased(bytes32 indexed book, address indexed buyer, address indexed author, uint256 price, uint256 fee);

    /// @notice Publishes the caller's book with its first version. The value
    /// must be the genesis listing fee exactly ("listing fee is N"); it is
    /// held in the book's escrow for its reviewers. Reverts, in this order:
    /// "empty title", "title too long" (> 200 bytes), "details too long"
    /// (> 16384), "label too long" (> 64), "not UTF-8", "bad root" (empty or > 64 bytes),
    /// "price too large" (> 2^128 - 1), "listing fee is N",
    /// "already published", "root already published",
    /// "bad foundation signature". Logs Published, then VersionAdded (0).
    function publish(string calldata title, string calldata details, uint256 price, bytes calldata root,
                     bytes32 tree, string calldata label, bytes calldata foundationSig)
        external payable returns (bytes32 book);

    /// @notice Author only. Reverts "no such book", "not the author",
    /// "price too large". Logs PriceChanged.
    function setPrice(bytes32 book, uint256 price) external;

    /// @notice Author only. Reverts "no such book", "not the author",
    /// "bad root", "label too long", "not UTF-8", "root already published". Logs
    /// VersionAdded.
    /// @return index The new version's index (the first is 0).
    function addVersion(bytes32 book, bytes calldata root, bytes32 tree, string calldata label)
        external returns (uint256 index);

    /// @notice Buys book, sending the price the buyer agreed to, which must
    /// be the current price ("price is N, not M"). The service fee (value *
    /// serviceFeeBps / 10000, rounded down) goes to the foundation and the
    /// rest to the author in this call. Reverts, in this order: "no such
    /// book", "the author cannot buy their own book", "already bought",
    /// "price is N, not M". Logs Purchased. A purchase opens every version,
    /// later ones too.
    function buy(bytes32 book) external payable;

    /// @return Whether reader is the book's author or bought it (false for no book).
    function hasAccess(bytes32 book, address reader) external view returns (bool);

    /// @return hasAccess of the book whose version rootId is; false if none.
    function canRead(address reader, bytes32 rootId) external view returns (bool);

    /// @notice Reverts "no such book". published: the block height.
    function book(bytes32 book) external view returns (address author, uint256 price, uint256 versions,
        uint256 sales, uint256 published, string memory title, string memory details);

    /// @notice Oldest first. Reverts "no such book".
    function versions(bytes32 book) external view returns (bytes[] memory roots, bytes32[] memory trees,
        string[] memory labels, uint256[] memory heights);

    /// @return book The book rootId is a version of; zero if none.
    function bookOf(bytes32 rootId) external view returns (bytes32 book);

    function bookId(address author, string calldata title) external view returns (bytes32);

    /// @return The terms the foundation co-signs, with this chain's id and market.
    function termsHash(address author, string calldata title, string calldata details, uint256 price,
                       bytes calldata root, bytes32 tree, string calldata label) external view returns (bytes32);

    /// @return height price fee of buyer's purchase; zeros if none.
    function purchaseOf(bytes32 book, address buyer) external view
        returns (uint256 height, uint256 price, uint256 fee);

    /// @return The listing fee held for book (0 for no book).
    function escrowOf(bytes32 book) external view returns (uint256);

    /// @return serviceFeeBps listingFee foundation, from genesis.
    function fees() external view returns (uint256 serviceFeeBps, uint256 listingFee, address foundation);
}
