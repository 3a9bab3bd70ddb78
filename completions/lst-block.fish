# fish completion for lst-block(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Verbs and their options; PATHs to add, key files and directories are
# files; ROOTs are the pinned roots of the store (HOME/blocks/pins, named by
# their CIDs), read without running lst-block. Other values (a book's
# name, sizes, segment numbers) are left to the user.

# The state directory: --home on the command line, else the environment.
function __lst_block_home
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

# __lst_block_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_block_verb_is
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

# __lst_block_needs_verb: no verb on the command line yet.
function __lst_block_needs_verb
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

# __lst_block_operands: how many operands follow the verb.
function __lst_block_operands
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l n -1
    while set -q tokens[1]
        switch $tokens[1]
            case --home --key-file --derive-key --segment-size --passphrase-file \
                --segment --output -o
                set -e tokens[1]
            case '-*'
            case '*'
                set n (math $n + 1)
        end
        set -e tokens[1]
    end
    echo $n
end

# __lst_block_roots: the pinned roots of the store.
function __lst_block_roots
    for f in (__lst_block_home)/blocks/pins/b*
        test -f $f; and printf '%s\tpinned root\n' (basename $f)
    end
end

complete -c lst-block -f

# Global options and verbs.
complete -c lst-block -n __lst_block_needs_verb -l version -d 'print the version'
complete -c lst-block -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-block -s h -l help -d 'show help'

complete -c lst-block -n __lst_block_needs_verb -a add -d 'add files: encrypted (default) or --public UnixFS; prints the root'
complete -c lst-block -n __lst_block_needs_verb -a cat -d "a file's bytes to stdout (decrypted with the content key)"
complete -c lst-block -n __lst_block_needs_verb -a get -d "write a root's files into a directory"
complete -c lst-block -n __lst_block_needs_verb -a ls -d "a directory's entries, or an encrypted root's files"
complete -c lst-block -n __lst_block_needs_verb -a stat -d 'what a CID is: codec, type, sizes, pinned'
complete -c lst-block -n __lst_block_needs_verb -a has -d 'whether blocks are in the store (exit 3 if any is not)'
complete -c lst-block -n __lst_block_needs_verb -a verify -d 'rehash every block, or every block under ROOT'
complete -c lst-block -n __lst_block_needs_verb -a pin -d 'keep ROOT and all it links to through gc'
complete -c lst-block -n __lst_block_needs_verb -a unpin -d 'let gc remove ROOT'
complete -c lst-block -n __lst_block_needs_verb -a rm -d 'remove blocks'
complete -c lst-block -n __lst_block_needs_verb -a gc -d 'remove every block no pin reaches'
complete -c lst-block -n __lst_block_needs_verb -a export -d "write ROOT's DAG as a CARv1 to stdout"
complete -c lst-block -n __lst_block_needs_verb -a import -d 'read a CARv1 from stdin, checking every block'

# add: PATHs are files and directories.
complete -c lst-block -n '__lst_block_verb_is add' -F
complete -c lst-block -n '__lst_block_verb_is add' -l public -d 'plain UnixFS, readable by anyone (covers, samples, free books)'
complete -c lst-block -n '__lst_block_verb_is add cat get ls' -l key-file -r -F -d 'the content key (64 hex digits)'
complete -c lst-block -n '__lst_block_verb_is add' -l derive-key -x -d "derive the content key from the home's key, BOOK and the files"
complete -c lst-block -n '__lst_block_verb_is add' -l segment-size -x -d 'encrypted segment bytes, 1024 to 1048576 (default 1048576)'
complete -c lst-block -n '__lst_block_verb_is add' -l passphrase-file -r -F -d 'read the key passphrase from FILE (--derive-key)'

# cat, get, ls
complete -c lst-block -n '__lst_block_verb_is cat' -l segment -x -d 'only segment N (from 0) of an encrypted file'
complete -c lst-block -n '__lst_block_verb_is get' -s o -l output -x -a '(__fish_complete_directories)' -d 'write the files here'
complete -c lst-block -n '__lst_block_verb_is ls' -l raw -d "an encrypted root's directory entries, not its manifest's files"

# rm, import
complete -c lst-block -n '__lst_block_verb_is rm' -s f -l force -d 'also remove pinned roots (unpinning them)'
complete -c lst-block -n '__lst_block_verb_is import' -l no-pin -d "do not pin the CAR's roots"

# ROOTs: one for cat, get, ls, stat, verify, export; any number for has, pin, unpin, rm.
complete -c lst-block -n '__lst_block_verb_is cat get ls stat verify export; and test (__lst_block_operands) = 0' -a '(__lst_block_roots)'
complete -c lst-block -n '__lst_block_verb_is has pin unpin rm' -a '(__lst_block_roots)'
