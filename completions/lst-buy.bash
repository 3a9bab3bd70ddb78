# bash completion for lst-buy(1)                           -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-buy.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out.
#
# Options and file or directory values; BOOK ids, amounts and URLs are
# left to the user. 'lst buy ...' is completed by this function too.

_lst_buy()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= pre=
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	# "--opt=VALUE", split at '=' by COMP_WORDBREAKS or whole.
	if [[ $cur == = && $prev == -* ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		pre=$prev=
		cur=${cur#*=}
	fi
	case $prev in
	--passphrase-file)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
		return 0
		;;
	--home)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
		return 0
		;;
	--max-price | --peer | --rpc) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "--max-price --yes --peer --rpc --passphrase-file --json --no-fetch --home --help --version" -- "$cur"))
	fi
	return 0
}

complete -F _lst_buy lst-buy
