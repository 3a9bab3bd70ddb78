// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @title Evidence: double signing by Lightstreams validators, on record.
/// @notice A native contract at 0x4c53540000000000000000000000000000000003
/// ("LST" then 3), built into every node (contracts/evidence.c). A vote is
/// RLP [type, chainId, height, round, blockHash, sig] with type 1 (prevote)
/// or 2 (precommit), sig the validator's 65-byte r || s || v over keccak256
/// of RLP [type, chainId, height, round, blockHash]; a nil vote has a zero
/// blockHash. Calls that send LST revert; reverts carry Error(string)
/// reasons.
interface IEvidence {
    /// @notice validator signed two different block hashes for one height,
    /// round and voteType; reporter submitted the votes.
    event DoubleSign(address indexed validator, uint256 height, uint256 round, uint8 voteType,
                     address reporter);

    /// @notice Records a double sign: two votes by one validator, on this
    /// chain, for the same height, round and type, on different block
    /// hashes. Anyone may submit. Reverts "malformed vote", "bad vote
    /// signature", "wrong chain", "different validators", "not the same
    /// height, round and type", "votes agree: not a double sign", "evidence
    /// already recorded", and "state change in a read-only call" under
    /// eth_call.
    function submit(bytes calldata voteA, bytes calldata voteB) external;

    /// @return How many double signs are recorded against validator.
    function count(address validator) external view returns (uint256);
}
