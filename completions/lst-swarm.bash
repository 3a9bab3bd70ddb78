# bash completion for lst-swarm(1)                         -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-swarm.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Verbs and their options; ROOTs are the pinned roots of the store
# (HOME/blocks/pins, named by their CIDs), read without running lst-swarm.
# Other values (URLs, HOST:PORT, seconds) are left to the user.

# __lst_swarm_home [WORD...]: the state directory, honouring a --home in WORDS.
__lst_swarm_home()
{
	local h= i w
	for ((i = 1; i <= $#; i++)); do
		w=${!i}
		case $w in
		--home=*) h=${w#--home=} ;;
		--home)
			i=$((i + 1))
			# "--home=DIR" may arrive split at '=' by COMP_WORDBREAKS.
			[[ ${!i} == = ]] && i=$((i + 1))
			h=${!i}
			;;
		esac
	done
	if [[ -z $h ]]; then
		if [[ -n ${LST_HOME-} ]]; then
			h=$LST_HOME
		elif [[ -n ${XDG_DATA_HOME-} ]]; then
			h=$XDG_DATA_HOME/lst
		else
			h=$HOME/.local/share/lst
		fi
	fi
	[[ $h == "~" || $h == "~/"* ]] && h=$HOME${h#\~}
	printf '%s\n' "$h"
}

_lst_swarm()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# A URL or HOST:PORT arrives split at ':' (COMP_WORDBREAKS): nothing
	# to complete inside one.
	[[ $cur == : || $prev == : ]] && return 0

	local verbs="serve stop fetch announce providers key stats"
	local common="--home --help"
	local valued="--home --listen --rpc --peer --node --url --ttl"

	# The verb is the first word that is not a global option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home)
			i=$((i + 1))
			[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
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
	--home)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
		return 0
		;;
	--listen | --rpc | --peer | --node | --url | --ttl)
		return 0
		;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return 0
	fi

	local opts= root=1
	case $verb in
	serve)
		opts="--listen --rpc --peer --no-gate --node --announce-every --no-announce --detach"
		root=0
		;;
	stop) root=0 ;;
	fetch) opts="--peer --node --json --no-announce" ;;
	announce) opts="--node --url --ttl" ;;
	providers) opts="--node" ;;
	key) opts="--peer --node" ;;
	stats)
		opts="--url"
		root=0
		;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return 0
	fi
	((root)) || return 0

	# One ROOT: count the operands so far, skipping option values (and the
	# ': PART' pieces of a URL split at ':').
	local n=0
	for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		:) i=$((i + 1)) ;;
		= | -*=*) ;;
		-*)
			if [[ " $valued " == *" $w "* ]]; then
				i=$((i + 1))
				[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			fi
			;;
		*) n=$((n + 1)) ;;
		esac
	done
	((n == 0)) || return 0
	local home f
	home=$(__lst_swarm_home "${COMP_WORDS[@]:0:COMP_CWORD}")
	local -a roots=()
	for f in "$home"/blocks/pins/b*; do
		[[ -f $f ]] && roots+=("${f##*/}")
	done
	COMPREPLY=($(compgen -W "${roots[*]}" -- "$cur"))
	return 0
}

complete -F _lst_swarm lst-swarm
