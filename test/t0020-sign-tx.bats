#!/usr/bin/env bats
# lst-sign sign and decode: Ethereum transactions, byte for byte.

load helper

TO=0x7e5f4552091a69125d5dfcb7b8c2659029395bdf

legacy() {
	echo "{\"chain_id\":161,\"nonce\":${1:-0},\"to\":\"$TO\",\"value\":\"1000\",\"gas\":21000,\"gas_price\":\"1\"}"
}

@test "sign a legacy EIP-155 transfer and decode it back" {
	a=$(plain_key alice)
	run sh -c "echo '$(legacy 5)' | lst-sign sign"
	assert_success
	raw=$(echo "$output" | jq -r .raw)
	hash=$(echo "$output" | jq -r .hash)
	[ "$(echo "$output" | jq -r .from)" = "$a" ]
	run sh -c "echo $raw | lst-sign decode"
	assert_success
	[ "$(echo "$output" | jq -r .from)" = "$a" ]
	[ "$(echo "$output" | jq -r .hash)" = "$hash" ]
	[ "$(echo "$output" | jq -r .type)" = 0 ]
	[ "$(echo "$output" | jq -r .chain_id)" = 161 ]
	[ "$(echo "$output" | jq -r .nonce)" = 5 ]
	[ "$(echo "$output" | jq -r .value)" = 1000 ]
	[ "$(echo "$output" | jq -r .to)" = 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf ]
	[ "$(echo "$output" | jq -r .v)" = $((161 * 2 + 35)) ] || [ "$(echo "$output" | jq -r .v)" = $((161 * 2 + 36)) ]
}

@test "sign a type 2 transaction with an access list and data" {
	plain_key alice > /dev/null
	tx='{"type":2,"chain_id":"0xa1","nonce":1,"to":"'$TO'","value":"0x10","data":"0xdeadbeef","gas":"60000","max_fee_per_gas":"2000000000","max_priority_fee_per_gas":"1","access_list":[{"address":"'$TO'","storage_keys":["0x0000000000000000000000000000000000000000000000000000000000000001"]}]}'
	run sh -c "echo '$tx' | lst-sign sign | jq -r .raw | lst-sign decode"
	assert_success
	[ "$(echo "$output" | jq -r .type)" = 2 ]
	[ "$(echo "$output" | jq -r .data)" = 0xdeadbeef ]
	[ "$(echo "$output" | jq -r .value)" = 16 ]
	[ "$(echo "$output" | jq -r .max_fee_per_gas)" = 2000000000 ]
	[ "$(echo "$output" | jq -r '.access_list[0].storage_keys[0]')" = 0x0000000000000000000000000000000000000000000000000000000000000001 ]
}

@test "signed bytes equal the ethers vectors (EIP-155 and London)" {
	for i in 3 7 11; do
		v=$(zcat "$VECTORS/ethers/transactions.json.gz" | jq -c ".[$i]")
		pk=$(echo "$v" | jq -r .privateKey)
		home="$BATS_TEST_TMPDIR/h$i"
		echo "$pk" | lst-sign --home "$home" import --insecure-plaintext-key > /dev/null
		want=$(echo "$v" | jq -r .signedLondon)
		got=$(echo "$v" | jq -c '.transaction | {type:2, chainId, nonce, gasLimit, to, value, data, maxFeePerGas, maxPriorityFeePerGas, accessList}' |
			lst-sign --home "$home" sign | jq -r .raw)
		[ "$got" = "$want" ]
		want=$(echo "$v" | jq -r .signedEip155)
		[ -z "$want" ] && continue
		got=$(echo "$v" | jq -c '.transaction | {chainId, nonce, gasLimit, to, value, data, gasPrice}' |
			lst-sign --home "$home" sign | jq -r .raw)
		[ "$got" = "$want" ]
	done
}

@test "sign --batch signs one line per transaction, in order" {
	plain_key alice > /dev/null
	{ legacy 0; echo; legacy 1; legacy 2; } > "$BATS_TEST_TMPDIR/txs"
	run sh -c "lst-sign sign --batch < '$BATS_TEST_TMPDIR/txs'"
	assert_success
	[ "${#lines[@]}" = 3 ]
	for i in 0 1 2; do
		n=$(echo "${lines[$i]}" | jq -r .raw | lst-sign decode | jq -r .nonce)
		[ "$n" = "$i" ]
	done
}

@test "sign --batch stops at a bad line and names it (exit 6)" {
	plain_key alice > /dev/null
	{ legacy 0; echo '{"chain_id":161,'; legacy 2; } > "$BATS_TEST_TMPDIR/txs"
	run_split sh -c "lst-sign sign --batch < '$BATS_TEST_TMPDIR/txs'"
	assert_failure 6
	[ "${#lines[@]}" = 1 ]
	[[ "$stderr" == *"line 2"* ]]
}

@test "malformed JSON names line and column, exit 6" {
	plain_key alice > /dev/null
	run_split sh -c "printf '{\"chain_id\": 161,\n  \"nonce\": }' | lst-sign sign"
	assert_failure 6
	[[ "$stderr" == *"line 2, column"* ]]
	[ -z "$output" ]
}

@test "empty input and non-object input are refused (exit 6)" {
	plain_key alice > /dev/null
	run sh -c ": | lst-sign sign"
	assert_failure 6
	run sh -c "echo '[1,2]' | lst-sign sign"
	assert_failure 6
	assert_output --partial "JSON object"
}

@test "a value of 2^256 or more is refused (exit 6)" {
	plain_key alice > /dev/null
	run sh -c "echo '{\"chain_id\":161,\"to\":\"$TO\",\"value\":\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"}' | lst-sign sign"
	assert_failure 6
	assert_output --partial "2^256"
	run sh -c "echo '{\"chain_id\":161,\"to\":\"$TO\",\"value\":\"0x10000000000000000000000000000000000000000000000000000000000000000\"}' | lst-sign sign"
	assert_failure 6
}

@test "bad fields are refused with the field named (exit 6)" {
	plain_key alice > /dev/null
	for tx in '{"chain_id":161,"gasprice":"1"}' '{"chain_id":161,"value":"12abc"}' \
		'{"chain_id":161,"value":-1}' '{"chain_id":161,"to":"0x1234"}' \
		'{"chain_id":161,"data":"0xabc"}' '{"chain_id":161,"nonce":"18446744073709551616"}' \
		'{"type":7,"chain_id":161}' '{"nonce":0}' '{"type":2,"chain_id":1,"gas_price":"1"}' \
		'{"type":2,"nonce":0}' '{"type":1,"nonce":0}' '{"chain_id":0}'; do
		run sh -c "echo '$tx' | lst-sign sign"
		assert_failure 6
	done
}

@test "a 'from' that is not the key is refused" {
	plain_key alice > /dev/null
	run sh -c "echo '{\"chain_id\":161,\"from\":\"$TO\",\"to\":\"$TO\"}' | lst-sign sign"
	assert_failure 3
}

@test "'from' picks the key when --from is absent" {
	a=$(plain_key alice)
	b=$(plain_key bob)
	run sh -c "echo '{\"chain_id\":161,\"from\":\"$b\",\"to\":\"$TO\",\"gas\":21000}' | lst-sign sign"
	assert_success
	[ "$(echo "$output" | jq -r .from)" = "$b" ]
	run sh -c "echo '{\"chain_id\":161,\"to\":\"$TO\",\"gas\":21000}' | lst-sign sign --from alice"
	[ "$(echo "$output" | jq -r .from)" = "$a" ]
}

@test "decode refuses non-hex, empty, truncated and trailing-garbage input (exit 6)" {
	plain_key alice > /dev/null
	raw=$(legacy | lst-sign sign | jq -r .raw)
	run sh -c "echo zz | lst-sign decode"
	assert_failure 6
	assert_output --partial "not hex"
	run sh -c ": | lst-sign decode"
	assert_failure 6
	run sh -c "echo ${raw:0:40} | lst-sign decode"
	assert_failure 6
	assert_output --partial "bad RLP"
	run sh -c "echo ${raw}00 | lst-sign decode"
	assert_failure 6
}

@test "decode refuses leading zeros, high s and a bad signature with the reason" {
	# ethereum/tests cases
	tt="$VECTORS/ethereum-tests/TransactionTests"
	raw=$(jq -r '.[].txbytes' "$tt/ttNonce/TransactionWithLeadingZerosNonce.json")
	run sh -c "echo $raw | lst-sign decode"
	assert_failure 6
	assert_output --partial "leading zeros"
	raw=$(jq -r '.[].txbytes' "$tt/ttRSValue/TransactionWithSvalueHigh.json")
	run sh -c "echo $raw | lst-sign decode"
	assert_failure 6
	assert_output --partial "s > n/2"
	raw=$(jq -r '.[].txbytes' "$tt/ttSignature/invalidSignature.json")
	run sh -c "echo $raw | lst-sign decode"
	assert_failure 6
	assert_output --partial "invalid signature"
	raw=$(jq -r '.[].txbytes' "$tt/ttVValue/WrongVRSTestVEqual26.json")
	run sh -c "echo $raw | lst-sign decode"
	assert_failure 6
	assert_output --partial "chain id"
}

@test "decode --chain-id refuses a transaction for another chain" {
	plain_key alice > /dev/null
	raw=$(legacy | lst-sign sign | jq -r .raw)
	run sh -c "echo $raw | lst-sign decode --chain-id 161"
	assert_success
	run sh -c "echo $raw | lst-sign decode --chain-id 1"
	assert_failure 6
	assert_output --partial "invalid chain id"
	run lst-sign decode --chain-id abc
	assert_failure 2
	run sh -c "echo $raw | lst-sign decode --chain-id 0xa1"
	assert_success
	run sh -c "echo $raw | lst-sign decode --chain-id 0161"
	assert_failure 2
}

@test "a tampered signed transaction decodes to another sender or is refused" {
	a=$(plain_key alice)
	raw=$(legacy | lst-sign sign | jq -r .raw)
	# change the value byte (0x03e8 -> 0x03e9)
	bad=$(echo "$raw" | sed 's/8203e8/8203e9/')
	[ "$bad" != "$raw" ]
	run sh -c "echo $bad | lst-sign decode"
	if [ "$status" -eq 0 ]; then
		[ "$(echo "$output" | jq -r .from)" != "$a" ]
	else
		[ "$status" -eq 6 ]
	fi
}

@test "signing with an encrypted key needs the passphrase: wrong one exits 4" {
	lst-sign --passphrase-file "$PW" keygen > /dev/null
	run sh -c "echo '$(legacy)' | lst-sign --passphrase-file '$PW' sign"
	assert_success
	echo nope > "$BATS_TEST_TMPDIR/nope"
	run sh -c "echo '$(legacy)' | lst-sign --passphrase-file '$BATS_TEST_TMPDIR/nope' sign"
	assert_failure 4
}
