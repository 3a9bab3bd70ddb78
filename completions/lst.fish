# fish completion for lst(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Verbs are lst's built-in verbs plus every lst-VERB program on the exec
# path (--exec-path=DIR, LST_EXEC_PATH, the libexec dir, PATH), as git
# completes git-* commands. 'lst VERB ...' for such a program is completed
# as 'lst-VERB ...' would be (e.g. by lst-sign's completion for 'lst sign').
# CATEGORY operands offer the chain's category names, asked of the node
# with a 2-second timeout (nothing, and no error, without one).

# __lst_verb_index: the index of the verb among the tokens; fails if none.
function __lst_verb_index
    set -l tokens (commandline -opc)
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --home
                set i (math $i + 1)
            case '-*'
            case '*'
                echo $i
                return 0
        end
        set i (math $i + 1)
    end
    return 1
end

function __lst_needs_verb
    not __lst_verb_index >/dev/null
end

# __lst_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_verb_is
    set -l i (__lst_verb_index); or return 1
    set -l tokens (commandline -opc)
    contains -- $tokens[$i] $argv
end

# The lst-* programs on the exec path, as "verb<TAB>run lst-verb".
function __lst_programs
    set -l dirs
    for t in (commandline -opc)
        string match -q -- '--exec-path=?*' $t
        and set -a dirs (string split : -- (string replace -- '--exec-path=' '' $t))
    end
    set -q LST_EXEC_PATH; and test -n "$LST_EXEC_PATH"
    and set -a dirs (string split : -- $LST_EXEC_PATH)
    if command -sq lst
        set -l libexec (env LST_EXEC_PATH= lst --exec-path 2>/dev/null)
        test -n "$libexec"; and set -a dirs $libexec
    end
    set -a dirs $PATH
    for d in $dirs
        for f in $d/lst-*
            test -f $f -a -x $f; or continue
            set -l verb (string replace -r '^.*/lst-' '' -- $f)
            contains -- $verb help init config version balance send node publish release price versions show sales read library categories category subscribe unsubscribe enroll; and continue
            printf '%s\trun lst-%s\n' $verb $verb
        end
    end | sort -u
end

function __lst_home
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

# lst config: the first operand is a setting, the second its value.
function __lst_config_operands
    set -l i (__lst_verb_index); or return 1
    set -l tokens (commandline -opc)
    set -l n 0
    for t in $tokens[(math $i + 1)..-1]
        string match -q -- '-*' $t; or set n (math $n + 1)
    end
    echo $n
end

# __lst_operands [OPTION...]: the operands after the verb, one a line,
# skipping the values of OPTIONs (the verb's options that take one).
function __lst_operands
    set -l i (__lst_verb_index); or return 1
    set -l tokens (commandline -opc)
    set -l skip 0
    for t in $tokens[(math $i + 1)..-1]
        if test $skip = 1
            set skip 0
        else if contains -- $t $argv
            set skip 1
        else if not string match -q -- '-*' $t
            echo $t
        end
    end
end

# __lst_nargs N [OPTION...]: the command line has N operands after the verb.
function __lst_nargs
    test (count (__lst_operands $argv[2..-1])) = $argv[1]
end

# __lst_node_is VERB...: 'lst node VERB' with VERB one of VERBs.
function __lst_node_is
    __lst_verb_is node; or return 1
    set -l op (__lst_operands)
    test (count $op) -ge 1; and contains -- $op[1] $argv
end

# Keys as "name<TAB>address" and "address<TAB>name", read from the key
# files (as lst-sign's completion does: no passphrase asked).
function __lst_keys
    for f in (__lst_home)/keys/0x*.json
        test -r $f; or continue
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

function __lst_config_keys
    echo key
    set -l f (__lst_home)/config.json
    test -r $f; and string replace -rf '^\s*"([a-z0-9_.-]+)"\s*:.*' '$1' <$f
end

function __lst_config_values
    set -l i (__lst_verb_index); or return
    set -l tokens (commandline -opc)
    set -l key
    for t in $tokens[(math $i + 1)..-1]
        string match -q -- '-*' $t; or begin
            set key $t
            break
        end
    end
    test "$key" = key; or return
    for f in (__lst_home)/keys/0x*.json
        test -r $f; and string replace -rf '^\s*"address"\s*:\s*"(0x[0-9A-Fa-f]{40})".*' '$1' <$f
    end
end

# 'lst VERB ARGS' runs lst-VERB ARGS: complete it as such.
function __lst_delegate
    set -l i (__lst_verb_index); or return
    set -l tokens (commandline -opc)
    # lst hands its --home to lst-VERB (as LST_HOME): pass it on.
    set -l home
    set -l j 2
    while test $j -lt $i
        switch $tokens[$j]
            case '--home=*'
                set home $tokens[$j]
            case --home
                set j (math $j + 1)
                set home --home $tokens[$j]
        end
        set j (math $j + 1)
    end
    set -l rest
    test (count $tokens) -gt $i; and set rest $tokens[(math $i + 1)..-1]
    set -l cmd lst-$tokens[$i] $home $rest
    complete -C (string join ' ' -- (string escape -- $cmd) (commandline -ct))
end

complete -c lst -f

# Global options and verbs.
complete -c lst -n __lst_needs_verb -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst -n __lst_needs_verb -l exec-path -d 'print the exec path, or with =DIR look there first'
complete -c lst -n __lst_needs_verb -l version -d 'print the version'
complete -c lst -n __lst_needs_verb -s h -l help -d 'list the built-in verbs'

complete -c lst -n __lst_needs_verb -a help -d 'show help for lst or a verb'
complete -c lst -n __lst_needs_verb -a init -d 'create the state directory and a first key, or join a network'
complete -c lst -n __lst_needs_verb -a config -d 'get and set settings'
complete -c lst -n __lst_needs_verb -a version -d 'print the version'
complete -c lst -n __lst_needs_verb -a balance -d "an account's LST balance"
complete -c lst -n __lst_needs_verb -a send -d 'send LST and wait for the block'
complete -c lst -n __lst_needs_verb -a node -d "start, stop or ask the home's node"
complete -c lst -n __lst_needs_verb -a publish -d 'publish a book from a git tag'
complete -c lst -n __lst_needs_verb -a release -d 'add a version to a book from a new tag'
complete -c lst -n __lst_needs_verb -a price -d "set a book's price"
complete -c lst -n __lst_needs_verb -a versions -d "a book's versions"
complete -c lst -n __lst_needs_verb -a show -d 'what the market records about a book'
complete -c lst -n __lst_needs_verb -a sales -d 'your sales as they happen'
complete -c lst -n __lst_needs_verb -a read -d 'decrypt a book you bought'
complete -c lst -n __lst_needs_verb -a library -d 'the books you bought'
complete -c lst -n __lst_needs_verb -a categories -d 'the subscription categories: fee, books, members'
complete -c lst -n __lst_needs_verb -a category -d "create a subscription category (the foundation's)"
complete -c lst -n __lst_needs_verb -a subscribe -d 'subscribe to a category, or extend it, paying up front'
complete -c lst -n __lst_needs_verb -a unsubscribe -d 'cancel a subscription: later months refunded'
complete -c lst -n __lst_needs_verb -a enroll -d 'enroll a paged book of yours in a subscription category'
complete -c lst -n __lst_needs_verb -a '(__lst_programs)'

# help [VERB]
complete -c lst -n '__lst_verb_is help; and __lst_nargs 0' -a 'help init config version balance send node publish release price versions show sales read library categories category subscribe unsubscribe enroll' -d 'built-in verb'
complete -c lst -n '__lst_verb_is help; and __lst_nargs 0' -a '(__lst_programs)'

# init
complete -c lst -n '__lst_verb_is init' -l dev -d 'a complete local network (validator, foundation, funded developer key)'
complete -c lst -n '__lst_verb_is init' -l join -x -d 'join the network of the node at URL as a full node'
complete -c lst -n '__lst_verb_is init' -l listen -x -d 'with --join: where this node will serve (config listen)'
complete -c lst -n '__lst_verb_is init' -s n -l name -x -d 'a name for the first key'
complete -c lst -n '__lst_verb_is init' -l insecure-plaintext-key -d 'store the key unencrypted (tests, CI)'
complete -c lst -n '__lst_verb_is init' -l passphrase-file -r -F -d "read the new key's passphrase from FILE"
complete -c lst -n '__lst_verb_is init' -l json -d 'print JSON'
complete -c lst -n '__lst_verb_is init config balance send' -s h -l help -d 'show help'

# config
complete -c lst -n '__lst_verb_is config' -s l -l list -d 'show every setting'
complete -c lst -n '__lst_verb_is config' -l unset -d 'remove KEY'
complete -c lst -n '__lst_verb_is config' -l json -d 'with --list: one JSON object'
complete -c lst -n '__lst_verb_is config; and test (__lst_config_operands) = 0' -a '(__lst_config_keys)' -d setting
complete -c lst -n '__lst_verb_is config; and test (__lst_config_operands) = 1' -a '(__lst_config_values)' -d 'key address'

# balance [ADDRESS|KEY]
complete -c lst -n '__lst_verb_is balance' -l json -d 'print JSON'
complete -c lst -n '__lst_verb_is balance' -l rpc -x -d 'the node (default: config rpc)'
complete -c lst -n '__lst_verb_is balance; and __lst_nargs 0 --rpc' -a '(__lst_keys)'

# send [OPTIONS] ADDRESS|KEY AMOUNT
complete -c lst -n '__lst_verb_is send' -s f -l from -x -a '(__lst_keys)' -d "the paying key (default: the home's key)"
complete -c lst -n '__lst_verb_is send' -l timeout -x -d 'wait this long for the block (default 60 s)'
complete -c lst -n '__lst_verb_is send' -l passphrase-file -r -F -d "read the key's passphrase from FILE"
complete -c lst -n '__lst_verb_is send' -l rpc -x -d 'the node (default: config rpc)'
complete -c lst -n '__lst_verb_is send' -l json -d 'print the receipt as JSON'
complete -c lst -n '__lst_verb_is send; and __lst_nargs 0 -f --from --timeout --passphrase-file --rpc' -a '(__lst_keys)'

# node start [--rpc HOST:PORT] | stop | status
complete -c lst -n '__lst_verb_is node; and __lst_nargs 0' -a start -d "start the home's node in the background"
complete -c lst -n '__lst_verb_is node; and __lst_nargs 0' -a stop -d 'stop the node'
complete -c lst -n '__lst_verb_is node; and __lst_nargs 0' -a status -d 'ask the node'
complete -c lst -n '__lst_verb_is node; and __lst_nargs 0' -s h -l help -d 'show help'
complete -c lst -n '__lst_node_is start' -l rpc -x -d 'serve JSON-RPC on HOST:PORT (port 0 picks one)'
complete -c lst -n '__lst_node_is stop status' -l rpc -x -d "the node's JSON-RPC URL"
complete -c lst -n '__lst_node_is start stop status' -s h -l help -d 'show help'

# The git refs of --repo (default .), tags first: books are published from tags.
function __lst_refs
    set -l tokens (commandline -opc)
    set -l repo .
    set -l i 1
    while test $i -lt (count $tokens)
        test $tokens[$i] = --repo; and set repo $tokens[(math $i + 1)]
        set i (math $i + 1)
    end
    git -C $repo for-each-ref --format='%(refname:short)' refs/tags refs/heads 2>/dev/null
    echo HEAD
end

# publish / release [OPTIONS] [BOOK] [PATH...]
complete -c lst -n '__lst_verb_is publish release' -l repo -x -a '(__fish_complete_directories)' -d 'the git repository (default: .)'
complete -c lst -n '__lst_verb_is publish release' -l ref -x -a '(__lst_refs)' -d 'the tag, branch or commit to publish'
complete -c lst -n '__lst_verb_is publish release' -l title -x -d 'the title'
complete -c lst -n '__lst_verb_is publish release' -l details -r -F -d 'public details, a JSON object'
complete -c lst -n '__lst_verb_is publish release' -l price -x -d "a new book's price"
complete -c lst -n '__lst_verb_is publish release' -l label -x -d "the version's label"
complete -c lst -n '__lst_verb_is publish release' -l pages -d 'cut the files into pages, for subscriptions'
complete -c lst -n '__lst_verb_is publish release' -l foundation-sig -x -d "the foundation's co-signature of the terms"
complete -c lst -n '__lst_verb_is publish release' -l terms -d 'print the terms for the foundation to co-sign, send nothing'
complete -c lst -n '__lst_verb_is publish release price read' -l passphrase-file -r -F -d "read the key's passphrase from FILE"
complete -c lst -n '__lst_verb_is publish release price' -s y -l yes -d 'pay without asking'
complete -c lst -n '__lst_verb_is publish release price versions show sales read library' -l json -d 'print JSON'
complete -c lst -n '__lst_verb_is publish release price versions show sales read library' -l rpc -x -d 'the node (default: config rpc)'
complete -c lst -n '__lst_verb_is publish release price versions show sales read library' -s h -l help -d 'show help'
complete -c lst -n '__lst_verb_is publish release' -F
# sales [--follow] [BOOK]
complete -c lst -n '__lst_verb_is sales' -s f -l follow -d 'keep printing new sales as they happen'
# read [OPTIONS] BOOK
complete -c lst -n '__lst_verb_is read' -l version -x -d 'a version index or label (default: the latest)'
complete -c lst -n '__lst_verb_is read' -l file -x -d 'one file of the version'
complete -c lst -n '__lst_verb_is read' -l page -x -d "a subscriber's pages N to M (recorded on chain)"
complete -c lst -n '__lst_verb_is read' -s o -l output -r -F -d 'write to OUT (a directory for a whole version)'
complete -c lst -n '__lst_verb_is read' -l peer -x -d 'a gateway to fetch from (repeat)'

# The value of the last --rpc on the command line, if any.
function __lst_rpc
    set -l tokens (commandline -opc)
    set -l rpc
    set -l i 1
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case '--rpc=*'
                set rpc (string replace -- '--rpc=' '' $tokens[$i])
            case --rpc
                set i (math $i + 1)
                test $i -le (count $tokens); and set rpc $tokens[$i]
        end
        set i (math $i + 1)
    end
    printf '%s\n' $rpc
end

# The chain's categories as "name<TAB>category", from 'lst categories
# --json' asked of the node of --rpc (default: the home's config rpc): at
# most 2 seconds, and nothing (no error) when no node answers or timeout(1)
# is missing. JSON's escapes \\, \" and \/ undone (names hold no control
# characters).
function __lst_categories
    command -sq timeout; and command -sq lst; or return 0
    set -l args categories --json
    set -l rpc (__lst_rpc)
    test -n "$rpc"; and set -a args --rpc $rpc
    env LST_HOME=(__lst_home) timeout 2 lst $args </dev/null 2>/dev/null | while read -l line
        set -l n (string replace -rf '^.*?"name"\s*:\s*"((?:[^"\\\\]|\\\\.)*)".*$' '$1' -- $line); or continue
        printf '%s\tcategory\n' (string replace -ra '\\\\(["\\\\/])' '$1' -- $n)
    end
end

# categories, category create NAME, subscribe CATEGORY, unsubscribe
# CATEGORY, enroll BOOK CATEGORY
complete -c lst -n '__lst_verb_is categories category subscribe unsubscribe enroll' -l json -d 'print JSON'
complete -c lst -n '__lst_verb_is categories category subscribe unsubscribe enroll' -l rpc -x -d 'the node (default: config rpc)'
complete -c lst -n '__lst_verb_is categories category subscribe unsubscribe enroll' -s h -l help -d 'show help'
complete -c lst -n '__lst_verb_is category subscribe unsubscribe enroll' -l passphrase-file -r -F -d "read the key's passphrase from FILE"
complete -c lst -n '__lst_verb_is category' -l fee -x -d 'the fee per period (month) a member pays, fixed for good'
complete -c lst -n '__lst_verb_is category' -l from -x -a '(__lst_keys)' -d "the key to send from (default: the foundation's, if here)"
complete -c lst -n '__lst_verb_is category; and __lst_nargs 0 --fee --from --passphrase-file --rpc' -a create -d "create a subscription category (the foundation's)"
complete -c lst -n '__lst_verb_is subscribe' -l months -x -d 'periods (months) to pay for up front, 1 to 120 (default 1)'
complete -c lst -n '__lst_verb_is subscribe unsubscribe' -l from -x -a '(__lst_keys)' -d "the reader's key (default: the home's)"
complete -c lst -n '__lst_verb_is subscribe' -s y -l yes -d 'pay without asking'
complete -c lst -n '__lst_verb_is subscribe unsubscribe; and __lst_nargs 0 --months --from --passphrase-file --rpc' -a '(__lst_categories)'
complete -c lst -n '__lst_verb_is enroll; and __lst_nargs 1 --passphrase-file --rpc' -a '(__lst_categories)'

# any other verb
complete -c lst -n 'not __lst_needs_verb; and not __lst_verb_is help init config version balance send node publish release price versions show sales read library categories category subscribe unsubscribe enroll' -a '(__lst_delegate)'
