// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title The market: readers buy paid roots from their authors.
/// @notice A native contract at 0x4c53540000000000000000000000000000000004,
/// built into every node (contracts/market.c). A root is a version of a
/// book, named by the sha2-256 digest of its root CID's binary form. The
/// price is in Photons (1 LST = 10^18 Photons) and goes whole to the author
/// at the purchase; the market holds nothing. hasAccess is what the swarm's
/// gateways ask before serving a paid root's blocks or key. Only buy
/// accepts LST; reverts carry Error(string) reasons. This is the market's
/// first form: publishing co-signed by the foundation, a listing fee and a
/// service fee come later as additions.
interface IMarket {
    event Listed(bytes32 indexed root, address indexed author, uint256 price);
    event Bought(bytes32 indexed root, address indexed buyer, address indexed author, uint256 price);

    /// @notice Lists root at price; the first caller becomes its author, who
    /// may call again to change the price (0: free to readers who register
    /// with buy). Reverts "listed by another author" and "price too large"
    /// (above 2^128 - 1, more than any balance).
    function list(bytes32 root, uint256 price) external;

    /// @notice Buys root, sending exactly its price, which goes to the
    /// author at once. Reverts, in this order: "not listed", "the author
    /// cannot buy their own root", "already bought", "wrong amount".
    function buy(bytes32 root) external payable;

    /// @return Whether reader is root's author or bought it.
    function hasAccess(address reader, bytes32 root) external view returns (bool);

    /// @notice Reverts "not listed".
    function priceOf(bytes32 root) external view returns (uint256);

    /// @return The author, or the zero address when root is not listed.
    function authorOf(bytes32 root) external view returns (address);
}
