// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title Validators: changes to Lightstreams' validator set.
/// @notice A native contract at 0x4c53540000000000000000000000000000000002
/// ("LST" then 2), built into every node (contracts/validators.c). Until
/// governance exists the genesis foundation is its admin. A change made in
/// block H takes effect at height H + 2 (Tendermint's rule); the chain
/// applies it, this contract only records it. Calls that send LST revert;
/// reverts carry Error(string) reasons.
interface IValidators {
    /// @notice A change of validator's power, from effectiveHeight on;
    /// power 0 removes it.
    event ValidatorUpdate(address indexed validator, uint256 power, uint256 effectiveHeight);

    /// @notice Sets validator's power (0: removes it) from block.number + 2.
    /// A second call for the same validator in the same block replaces the
    /// first. Reverts "not the foundation" unless the foundation calls,
    /// "power too large" above 2^62, "the zero address cannot be a
    /// validator", and "state change in a read-only call" under eth_call.
    function setValidator(address validator, uint256 power) external;
}
