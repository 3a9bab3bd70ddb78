# fish completion for lst-sign(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
#
# Keys are completed by name and address from the key files in the state
# directory (--home, LST_HOME, XDG_DATA_HOME/lst, ~/.local/share/lst),
# without running lst-sign and without asking for a passphrase.

# The state directory: --home on the command line, else the environment.
function __lst_sign_home
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

# Keys as "name<TAB>address" and "address<TAB>name"; addresses only with -a.
function __lst_sign_keys
    set -l home (__lst_sign_home)
    for f in $home/keys/0x*.json
        test -f $f -a -r $f; or continue
        set -l name (string replace -rf '^\s*"name"\s*:\s*"([A-Za-z0-9_.-]+)".*' '$1' <$f)
        set -l addr (string replace -rf '^\s*"address"\s*:\s*"(0x[0-9A-Fa-f]{40})".*' '$1' <$f)
        test -n "$addr"; or continue
        if test -n "$name"
            test "$argv[1]" = -a; or printf '%s\t%s\n' $name $addr
            printf '%s\t%s\n' $addr $name
        else
            printf '%s\tkey\n' $addr
        end
    end
end

# __lst_sign_verb_is VERB...: the verb on the command line is one of VERBs.
function __lst_sign_verb_is
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home --passphrase-file
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

# __lst_sign_needs_verb: no verb on the command line yet.
function __lst_sign_needs_verb
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --home --passphrase-file
                set -e tokens[1]
            case '-*'
            case '*'
                return 1
        end
        set -e tokens[1]
    end
    return 0
end

complete -c lst-sign -f

# Global options and verbs.
complete -c lst-sign -n __lst_sign_needs_verb -l version -d 'print the version'
complete -c lst-sign -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-sign -l passphrase-file -r -F -d 'read the key passphrase from FILE'
complete -c lst-sign -s h -l help -d 'show help'

complete -c lst-sign -n __lst_sign_needs_verb -a keygen -d 'make a new key'
complete -c lst-sign -n __lst_sign_needs_verb -a list -d 'list the keys'
complete -c lst-sign -n __lst_sign_needs_verb -a address -d "show a key's address and public key"
complete -c lst-sign -n __lst_sign_needs_verb -a import -d 'import a hex private key or a keystore v3 file'
complete -c lst-sign -n __lst_sign_needs_verb -a export -d 'export a key as keystore v3 or hex'
complete -c lst-sign -n __lst_sign_needs_verb -a rm -d 'remove a key'
complete -c lst-sign -n __lst_sign_needs_verb -a sign -d 'sign a transaction (JSON in, raw tx out)'
complete -c lst-sign -n __lst_sign_needs_verb -a decode -d 'decode and check a raw transaction'
complete -c lst-sign -n __lst_sign_needs_verb -a sign-message -d 'sign a message (EIP-191 personal_sign)'
complete -c lst-sign -n __lst_sign_needs_verb -a verify-message -d 'check a message signature'
complete -c lst-sign -n __lst_sign_needs_verb -a recover -d 'recover the signer of a message or digest'
complete -c lst-sign -n __lst_sign_needs_verb -a seal -d 'encrypt bytes to a public key'
complete -c lst-sign -n __lst_sign_needs_verb -a open -d 'decrypt bytes sealed to a local key'
complete -c lst-sign -n __lst_sign_needs_verb -a cosign -d "co-sign a book's publishing terms as the foundation"

# keygen, import
complete -c lst-sign -n '__lst_sign_verb_is keygen import' -s n -l name -x -d 'a name for the key'
complete -c lst-sign -n '__lst_sign_verb_is keygen import' -l insecure-plaintext-key -d 'store the key unencrypted (tests, CI)'
complete -c lst-sign -n '__lst_sign_verb_is import' -l keystore -r -F -d 'import an Ethereum keystore v3 file'
complete -c lst-sign -n '__lst_sign_verb_is import' -l keystore-passphrase-file -r -F -d "the keystore's password"

# address, export, rm: one key
complete -c lst-sign -n '__lst_sign_verb_is address export rm' -a '(__lst_sign_keys)'
complete -c lst-sign -n '__lst_sign_verb_is export' -l keystore -d 'write an Ethereum keystore v3 (scrypt)'
complete -c lst-sign -n '__lst_sign_verb_is export' -l keystore-passphrase-file -r -F -d 'password for the keystore'
complete -c lst-sign -n '__lst_sign_verb_is export' -l hex -d 'print the private key as hex'

# sign, sign-message
complete -c lst-sign -n '__lst_sign_verb_is sign sign-message' -s f -l from -x -a '(__lst_sign_keys)' -d 'the signing key'
complete -c lst-sign -n '__lst_sign_verb_is sign' -l batch -d 'sign one JSON object per line'

# decode
complete -c lst-sign -n '__lst_sign_verb_is decode' -l chain-id -x -d 'also refuse a transaction for another chain'

# verify-message, recover
complete -c lst-sign -n '__lst_sign_verb_is verify-message' -s a -l address -x -a '(__lst_sign_keys -a)' -d 'the claimed signer'
complete -c lst-sign -n '__lst_sign_verb_is verify-message recover' -s s -l signature -x -d '65-byte signature, 0x-hex'
complete -c lst-sign -n '__lst_sign_verb_is recover' -l hash -x -d 'a 32-byte digest signed as is'

# seal, open
complete -c lst-sign -n '__lst_sign_verb_is seal' -s t -l to -x -a '(__lst_sign_keys)' -d 'recipient public key or local key'
complete -c lst-sign -n '__lst_sign_verb_is open' -s w -l with -x -a '(__lst_sign_keys)' -d 'the recipient key'
complete -c lst-sign -n '__lst_sign_verb_is seal open' -l hex -d 'read and write hex text instead of bytes'

# cosign [TERMS-FILE]
complete -c lst-sign -n '__lst_sign_verb_is cosign' -s f -l from -x -a '(__lst_sign_keys)' -d "the foundation's key (with --check, the signer)"
complete -c lst-sign -n '__lst_sign_verb_is cosign' -s y -l yes -d 'sign without asking for a confirmation'
complete -c lst-sign -n '__lst_sign_verb_is cosign' -l check -x -d 'verify a co-signature instead'
complete -c lst-sign -n '__lst_sign_verb_is cosign' -l address -x -a '(__lst_sign_keys -a)' -d 'with --check: the signer'
complete -c lst-sign -n '__lst_sign_verb_is cosign' -l complete -d 'print the terms with book and terms_hash filled in, unsigned'
complete -c lst-sign -n '__lst_sign_verb_is cosign' -l chain-id -x -d 'with --complete: the chain id'
complete -c lst-sign -n '__lst_sign_verb_is cosign' -F
