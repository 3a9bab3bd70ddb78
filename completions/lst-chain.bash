# bash completion for lst-chain(1)                         -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-chain.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Verbs and their options; the values of options (chain ids, addresses,
# hashes, URLs) are left to the user, except --home and --out, directories.

_lst_chain()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# A URL or HOST:PORT arrives split at ':' (COMP_WORDBREAKS): nothing
	# to complete inside one.
	[[ $cur == : || $prev == : ]] && return 0

	local verbs="init testnet daemon stop status send tx receipt wait block
		balance nonce call logs commit validators peers evidence"
	local common="--home --rpc --help"

	# The verb is the first word that is not a global option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home | --rpc)
			i=$((i + 1))
			# "--home=DIR" may arrive split at '=' by COMP_WORDBREAKS,
			# "http://host:port" at each ':'.
			[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			while [[ ${COMP_WORDS[i + 1]-} == : ]]; do i=$((i + 2)); done
			;;
		-*) ;;
		*)
			verb=$w
			verb_at=$i
			break
			;;
		esac
	done

	# "--opt=VALUE": bash splits it at '=' (COMP_WORDBREAKS), or keeps it
	# whole if '=' was taken out of COMP_WORDBREAKS; complete the VALUE.
	local pre=
	if [[ $cur == = && $prev == --* ]]; then
		cur=
	elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		pre=$prev=
		cur=${cur#*=}
	fi

	# The value of an option.
	case $prev in
	--home | --out)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
		return 0
		;;
	--rpc | --chain-id | --foundation | --validator | --alloc | \
		--service-fee-bps | --listing-fee | --subscription-period | \
		--start-time | --timeout | --to | --data | --from | \
		--from-block | --to-block | --address | --topic | --join | \
		--listen | --peer | --validators | --base-port)
		return 0
		;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --rpc --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return 0
	fi

	local opts=
	case $verb in
	init)
		opts="--dev --join --listen --chain-id --foundation --validator
			--alloc --service-fee-bps --listing-fee --subscription-period
			--start-time"
		;;
	testnet)
		# testnet writes its own homes under --out: no --home, no node.
		common="--help"
		opts="--validators --out --base-port --chain-id --subscription-period"
		;;
	daemon)
		# daemon's --rpc is the address to listen on; it takes no client URL.
		common="--home --help"
		opts="--detach --rpc --peer"
		;;
	stop | status | tx | receipt | block | balance | nonce | commit | peers) ;;
	validators) opts="--height" ;;
	evidence) opts="--validator --from-block" ;;
	send) opts="--wait --timeout" ;;
	wait) opts="--timeout" ;;
	call) opts="--to --data --from" ;;
	logs) opts="--from-block --to-block --address --topic" ;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return 0
	fi

	# Operands: block takes a height, a hash or a tag.
	if [[ $verb == block ]]; then
		local n=0
		for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			case $w in
			--home | --rpc)
				i=$((i + 1))
				[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
				;;
			:) i=$((i + 1)) ;;
			= | -*) ;;
			*) n=$((n + 1)) ;;
			esac
		done
		((n == 0)) && COMPREPLY=($(compgen -W "latest earliest" -- "$cur"))
	fi
	return 0
}

complete -F _lst_chain lst-chain
