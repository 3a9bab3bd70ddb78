// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title The LST token: an ERC-20 view over Lightstreams' native balances.
/// @notice A native contract at 0x4c53540000000000000000000000000000000001
/// ("LST" then 1), built into every node (contracts/token.c). Balances are
/// the chain's own LST balances in Photons (1 LST = 10^18 Photons), so a
/// transfer here and a plain LST transfer move the same funds. Calls that
/// send LST revert; reverts carry Error(string) reasons. An allowance of
/// type(uint256).max is never spent.
interface IToken {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    /// @return "Lightstreams Token"
    function name() external view returns (string memory);

    /// @return "LST"
    function symbol() external view returns (string memory);

    /// @return 18
    function decimals() external view returns (uint8);

    /// @return The fixed supply set at genesis, in Photons.
    function totalSupply() external view returns (uint256);

    function balanceOf(address account) external view returns (uint256);

    function allowance(address owner, address spender) external view returns (uint256);

    /// @notice Reverts "insufficient balance".
    function transfer(address to, uint256 value) external returns (bool);

    function approve(address spender, uint256 value) external returns (bool);

    /// @notice Reverts "insufficient allowance" or "insufficient balance".
    function transferFrom(address from, address to, uint256 value) external returns (bool);
}
