# fish completion for lst-buy(1). Install in a directory of
# $fish_complete_path, e.g. /usr/local/share/fish/vendor_completions.d.
# BOOK ids, amounts and URLs are left to the user.

complete -c lst-buy -f
complete -c lst-buy -l max-price -x -d 'pay at most AMOUNT (refused above it; implies --yes)'
complete -c lst-buy -s y -l yes -d 'pay the current price without asking'
complete -c lst-buy -l peer -x -d 'a gateway to ask for the key and blocks (repeat)'
complete -c lst-buy -l rpc -x -d 'the node (default: config rpc)'
complete -c lst-buy -l passphrase-file -r -F -d "the home key's passphrase"
complete -c lst-buy -l json -d 'print JSON'
complete -c lst-buy -l no-fetch -d 'pay only; fetch later with lst read'
complete -c lst-buy -l home -x -a '(__fish_complete_directories)' -d 'state directory'
complete -c lst-buy -s h -l help -d 'show help'
complete -c lst-buy -l version -d 'print the version'
