# fish completion for lst-settle(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Verbs and their options; PERIOD offers current and last; --from and the
# ADDRESS of earnings offer the key names and addresses of the state
# directory (read from its key files, without running anything). CATEGORY
# names live on the chain and URLs are the user's: not completed.

# The state directory: --home on the command line, else the environment.
function __lst_settle_home
    set -l tokens (commandline -opc)
    set -l h
    set -l i 1
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case '--home=*'
                set h (string replace -- '--home=' '' $tokens[$i])
            case --home
                set i (math $i + 1)
                test $i -le (count $tokens); and set h $tokens[$i]
        end
        set i (math $i + 1)
    end
    if test -z "$h"
        if set -q LST_HOME; and test -n "$LST_HOME"
            set h $LST_HOME
        else if set -q XDG_DATA_HOME; and test -n "$XDG_DATA_HOME"
            set h $XDG_DATA_HOME/lst
        else
            set h $HOME/.local/share/lst
        end
    end
    string replace -r '^~(?=/|$)' -- $HOME $h
end

# The keys of the keyring: names and addresses.
function __lst_settle_keys
    for f in (__lst_settle_home)/keys/0x*.json
        test -f $f -a -r $f; or continue
        set -l name (string replace -rf '^\s*"name"\s*:\s*"([A-Za-z0-9_.-]+)".*' '$1' <$f)
        set -l addr (string replace -rf '^\s*"address"\s*:\s*"(0x[0-9A-Fa-f]{40})".*' '$1' <$f)
        test -n "$addr"; or continue
        if test -n "$name"
            printf '%s\t%s\n' $name $addr
            printf '%s\t%s\n' $addr $name
        else
            printf '%s\tkey\n' $addr
        end
    end
end

# The conveniences for PERIOD (YYYY-MM or an index otherwise).
function __lst_settle_periods
    printf '%s\t%s\n' current 'the period now open' last 'the period that ended last'
end

# __lst_settle_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_settle_verb_is
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

# __lst_settle_needs_verb: no verb on the command line yet.
function __lst_settle_needs_verb
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

# __lst_settle_operands: how many operands follow the verb.
function __lst_settle_operands
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l n -1
    while set -q tokens[1]
        switch $tokens[1]
            case --home --rpc --from --passphrase-file
                set -e tokens[1]
            case '-*'
            case '*'
                set n (math $n + 1)
        end
        set -e tokens[1]
    end
    echo $n
end

complete -c lst-settle -f

# Global options and verbs.
complete -c lst-settle -n __lst_settle_needs_verb -l version -d 'print the version'
complete -c lst-settle -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-settle -l rpc -x -d "the node's JSON-RPC URL (default: config rpc)"
complete -c lst-settle -s h -l help -d 'show help'

complete -c lst-settle -n __lst_settle_needs_verb -a period -d "settle a category's period (anyone may, once it ended), then print its statement"
complete -c lst-settle -n __lst_settle_needs_verb -a statement -d "a category's period: pages, shares and payouts per book and per author"
complete -c lst-settle -n __lst_settle_needs_verb -a earnings -d "an address's direct sales and subscription payouts, by period"

# Every verb.
complete -c lst-settle -n '__lst_settle_verb_is period statement earnings' -l json -d 'print JSON (the default when stdout is not a terminal)'
complete -c lst-settle -n '__lst_settle_verb_is period statement earnings' -l human -d 'print a table for people (the default on a terminal)'

# period
complete -c lst-settle -n '__lst_settle_verb_is period' -l from -x -a '(__lst_settle_keys)' -d "the key that sends the settlement (default: the home's key)"
complete -c lst-settle -n '__lst_settle_verb_is period' -l passphrase-file -r -F -d "the key's passphrase"

# PERIOD: the second operand of period and statement; ADDRESS: the first of earnings.
complete -c lst-settle -n '__lst_settle_verb_is period statement; and test (__lst_settle_operands) = 1' -a '(__lst_settle_periods)'
complete -c lst-settle -n '__lst_settle_verb_is earnings; and test (__lst_settle_operands) = 0' -a '(__lst_settle_keys)'
