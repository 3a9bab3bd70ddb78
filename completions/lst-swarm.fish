# fish completion for lst-swarm(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Verbs and their options; ROOTs are the pinned roots of the store
# (HOME/blocks/pins, named by their CIDs), read without running lst-swarm.
# Other values (URLs, HOST:PORT, seconds) are left to the user.

# The state directory: --home on the command line, else the environment.
function __lst_swarm_home
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

# __lst_swarm_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_swarm_verb_is
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home
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

# __lst_swarm_needs_verb: no verb on the command line yet.
function __lst_swarm_needs_verb
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home
                set -e tokens[1]
            case '-*'
            case '*'
                return 1
        end
        set -e tokens[1]
    end
    return 0
end

# __lst_swarm_operands: how many operands follow the verb.
function __lst_swarm_operands
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l n -1
    while set -q tokens[1]
        switch $tokens[1]
            case --home --listen --rpc --peer --node --url --ttl
                set -e tokens[1]
            case '-*'
            case '*'
                set n (math $n + 1)
        end
        set -e tokens[1]
    end
    echo $n
end

# __lst_swarm_roots: the pinned roots of the store.
function __lst_swarm_roots
    for f in (__lst_swarm_home)/blocks/pins/b*
        test -f $f; and printf '%s\tpinned root\n' (basename $f)
    end
end

complete -c lst-swarm -f

# Global options and verbs.
complete -c lst-swarm -n __lst_swarm_needs_verb -l version -d 'print the version'
complete -c lst-swarm -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-swarm -s h -l help -d 'show help'

complete -c lst-swarm -n __lst_swarm_needs_verb -a serve -d 'serve the store as a trustless gateway with a provider registry'
complete -c lst-swarm -n __lst_swarm_needs_verb -a stop -d "stop the home's gateway"
complete -c lst-swarm -n __lst_swarm_needs_verb -a fetch -d 'download a root from every provider at once, then provide it'
complete -c lst-swarm -n __lst_swarm_needs_verb -a announce -d 'tell a node that we provide a root'
complete -c lst-swarm -n __lst_swarm_needs_verb -a providers -d 'who provides a root, one JSON record per line'
complete -c lst-swarm -n __lst_swarm_needs_verb -a key -d "obtain a paid root's content key, sealed to the home's key"
complete -c lst-swarm -n __lst_swarm_needs_verb -a stats -d "a gateway's counters: bytes uploaded, blocks served, denials"

# serve
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l listen -x -d 'where to serve (default 127.0.0.1:8080; port 0 picks one)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l rpc -x -d 'the chain to ask who bought what (default: config rpc)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l peer -x -d 'a gateway to gossip provider records to (repeat for each)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l no-gate -d 'serve the blocks of paid roots to anyone (key envelopes stay checked)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l node -x -d 'announce the pinned roots to this node (default: config rpc)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l announce-every -x -d 'seconds between announcements (default 1800, 10 to 43200)'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -l no-announce -d 'announce nothing'
complete -c lst-swarm -n '__lst_swarm_verb_is serve' -s d -l detach -d 'run in the background once serving; log to HOME/swarm.log'

# fetch, key
complete -c lst-swarm -n '__lst_swarm_verb_is fetch' -l peer -x -d "a gateway to fetch from besides the node's providers (repeat)"
complete -c lst-swarm -n '__lst_swarm_verb_is key' -l peer -x -d 'a gateway that holds the key (repeat; default: the node)'
complete -c lst-swarm -n '__lst_swarm_verb_is fetch announce providers key' -l node -x -d 'the node whose provider registry to use (default: config rpc)'
complete -c lst-swarm -n '__lst_swarm_verb_is fetch' -l json -d 'progress as JSON Lines on stdout, then the result'
complete -c lst-swarm -n '__lst_swarm_verb_is fetch' -l no-announce -d 'do not announce ourselves as a provider'

# announce, stats
complete -c lst-swarm -n '__lst_swarm_verb_is announce' -l url -x -d "where we serve it (default: this home's gateway)"
complete -c lst-swarm -n '__lst_swarm_verb_is announce' -l ttl -x -d 'how long the record lives, in seconds (default 3600, at most 86400)'
complete -c lst-swarm -n '__lst_swarm_verb_is stats' -l url -x -d "the gateway (default: this home's)"

# ROOT: one for fetch, announce, providers, key.
complete -c lst-swarm -n '__lst_swarm_verb_is fetch announce providers key; and test (__lst_swarm_operands) = 0' -a '(__lst_swarm_roots)'
