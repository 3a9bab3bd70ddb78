# fish completion for lst-chain(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Verbs and their options; the values of options (chain ids, addresses,
# hashes, URLs) are left to the user, except --home and --out, directories.

# __lst_chain_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_chain_verb_is
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home --rpc
                set -e tokens[1]
            case '-*'
            case '*'
                contains -- $tokens[1] $argv
                return
        end
        set -e tokens[1]
    end
    return 1
end

# __lst_chain_needs_verb: no verb on the command line yet.
function __lst_chain_needs_verb
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home --rpc
                set -e tokens[1]
            case '-*'
            case '*'
                return 1
        end
        set -e tokens[1]
    end
    return 0
end

# __lst_chain_operands: how many operands follow the verb.
function __lst_chain_operands
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l n -1
    while set -q tokens[1]
        switch $tokens[1]
            case --home --rpc --chain-id --foundation --validator --alloc \
                --service-fee-bps --listing-fee --subscription-period \
                --start-time --timeout --to --data --from --from-block \
                --to-block --address --topic --join --listen --peer \
                --validators --out --base-port --height
                set -e tokens[1]
            case '-*'
            case '*'
                set n (math $n + 1)
        end
        set -e tokens[1]
    end
    echo $n
end

complete -c lst-chain -f

# Global options and verbs.
complete -c lst-chain -n __lst_chain_needs_verb -l version -d 'print the version'
complete -c lst-chain -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-chain -n 'not __lst_chain_verb_is daemon testnet' -l rpc -x -d "the node's JSON-RPC URL"
complete -c lst-chain -s h -l help -d 'show help'

complete -c lst-chain -n __lst_chain_needs_verb -a init -d 'write a genesis, a complete dev network, or join a network'
complete -c lst-chain -n __lst_chain_needs_verb -a testnet -d 'make the homes of a local multi-validator network'
complete -c lst-chain -n __lst_chain_needs_verb -a daemon -d 'run the node: consensus, peers, JSON-RPC'
complete -c lst-chain -n __lst_chain_needs_verb -a stop -d "stop the home's daemon"
complete -c lst-chain -n __lst_chain_needs_verb -a status -d "the node's chain, height, RPC address and mempool"
complete -c lst-chain -n __lst_chain_needs_verb -a send -d 'send a raw transaction (stdin) to the node'
complete -c lst-chain -n __lst_chain_needs_verb -a tx -d 'a transaction by hash'
complete -c lst-chain -n __lst_chain_needs_verb -a receipt -d "a transaction's receipt"
complete -c lst-chain -n __lst_chain_needs_verb -a wait -d 'wait until a transaction is in a block'
complete -c lst-chain -n __lst_chain_needs_verb -a block -d "a block by number, hash or 'latest'"
complete -c lst-chain -n __lst_chain_needs_verb -a balance -d "an address's balance in Photons"
complete -c lst-chain -n __lst_chain_needs_verb -a nonce -d "an address's nonce, committed and pending"
complete -c lst-chain -n __lst_chain_needs_verb -a call -d 'call a native contract read-only'
complete -c lst-chain -n __lst_chain_needs_verb -a logs -d 'logs (events), one JSON object per line'
complete -c lst-chain -n __lst_chain_needs_verb -a commit -d "the validators' signatures that finalised a block"
complete -c lst-chain -n __lst_chain_needs_verb -a validators -d 'the validator set of a height, one JSON object per line'
complete -c lst-chain -n __lst_chain_needs_verb -a peers -d "the node's URL and its peers, with their heights"
complete -c lst-chain -n __lst_chain_needs_verb -a evidence -d 'double-sign evidence against validators, one JSON object per line'

# init
complete -c lst-chain -n '__lst_chain_verb_is init' -l dev -d 'a complete local network: validator, foundation and developer keys'
complete -c lst-chain -n '__lst_chain_verb_is init' -l join -x -d 'a full node of the network of the node at URL'
complete -c lst-chain -n '__lst_chain_verb_is init' -l listen -x -d 'with --join: the address the daemon serves (config listen)'
complete -c lst-chain -n '__lst_chain_verb_is init testnet' -l chain-id -x -d 'chain id (dev default 161)'
complete -c lst-chain -n '__lst_chain_verb_is init' -l foundation -x -d "the foundation's address"
complete -c lst-chain -n '__lst_chain_verb_is init' -l validator -x -d 'a validator, ADDRESS or ADDRESS=POWER'
complete -c lst-chain -n '__lst_chain_verb_is init' -l alloc -x -d 'an allocation, ADDRESS=AMOUNT'
complete -c lst-chain -n '__lst_chain_verb_is init' -l service-fee-bps -x -d 'service fee in basis points (default 500)'
complete -c lst-chain -n '__lst_chain_verb_is init' -l listing-fee -x -d 'listing fee, e.g. 1lst (default 1lst)'
complete -c lst-chain -n '__lst_chain_verb_is init testnet' -l subscription-period -x -a month -d 'subscription period: month (default) or seconds'
complete -c lst-chain -n '__lst_chain_verb_is init' -l start-time -x -d 'genesis time (default now)'

# testnet
complete -c lst-chain -n '__lst_chain_verb_is testnet' -l validators -x -d 'how many validators, 1 to 64'
complete -c lst-chain -n '__lst_chain_verb_is testnet' -l out -x -a '(__fish_complete_directories)' -d 'where the homes go'
complete -c lst-chain -n '__lst_chain_verb_is testnet' -l base-port -x -d 'node k listens on 127.0.0.1:P+k (default 26600)'

# daemon
complete -c lst-chain -n '__lst_chain_verb_is daemon' -s d -l detach -d 'run in the background once RPC answers'
complete -c lst-chain -n '__lst_chain_verb_is daemon' -l rpc -x -d 'serve JSON-RPC and peers here (default: config listen)'
complete -c lst-chain -n '__lst_chain_verb_is daemon' -l peer -x -d 'a peer besides config peers (repeat for each)'

# send, wait
complete -c lst-chain -n '__lst_chain_verb_is send' -s w -l wait -d 'wait for the receipt and print it'
complete -c lst-chain -n '__lst_chain_verb_is send wait' -l timeout -x -d 'give up after S seconds (default 60)'

# block
complete -c lst-chain -n '__lst_chain_verb_is block; and test (__lst_chain_operands) = 0' -a 'latest earliest' -d block

# call
complete -c lst-chain -n '__lst_chain_verb_is call' -l to -x -d 'the contract'
complete -c lst-chain -n '__lst_chain_verb_is call' -l data -x -d 'ABI calldata'
complete -c lst-chain -n '__lst_chain_verb_is call' -l from -x -d 'msg.sender for the call'

# logs
complete -c lst-chain -n '__lst_chain_verb_is logs' -l from-block -x -d 'first block (default 0)'
complete -c lst-chain -n '__lst_chain_verb_is logs' -l to-block -x -d 'last block (default latest)'
complete -c lst-chain -n '__lst_chain_verb_is logs' -l address -x -d 'only logs of this contract'
complete -c lst-chain -n '__lst_chain_verb_is logs' -l topic -x -d 'only logs whose first topic is this'

# validators
complete -c lst-chain -n '__lst_chain_verb_is validators' -l height -x -d 'the set that signs block N (default: the next block)'

# evidence
complete -c lst-chain -n '__lst_chain_verb_is evidence' -l validator -x -d 'only evidence against this validator'
complete -c lst-chain -n '__lst_chain_verb_is evidence' -l from-block -x -d 'first block (default 0)'
