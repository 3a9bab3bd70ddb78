# bash completion for lst-settle(1)                        -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-settle.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Verbs and their options; PERIOD offers current and last; --from and the
# ADDRESS of earnings offer the key names and addresses of the state
# directory (read from its key files, without running anything). CATEGORY
# names live on the chain and URLs are the user's: not completed.

# __lst_settle_home [WORD...]: the state directory, honouring a --home in WORDS.
__lst_settle_home()
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

# __lst_settle_keys HOME: the key names and addresses of HOME's keyring.
__lst_settle_keys()
{
	local f
	local -a files=()
	for f in "$1"/keys/0x*.json; do
		[[ -f $f && -r $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	sed -n -e 's/^[[:space:]]*"name"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_.-]*\)".*/\1/p' \
		-e 's/^[[:space:]]*"address"[[:space:]]*:[[:space:]]*"\(0x[0-9A-Fa-f]\{40\}\)".*/\1/p' \
		"${files[@]}" 2>/dev/null
}

_lst_settle()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# A URL arrives split at ':' (COMP_WORDBREAKS): nothing to complete in one.
	[[ $cur == : || $prev == : ]] && return 0

	local verbs="period statement earnings"
	local common="--json --human --rpc --home --help"
	local valued="--home --rpc --from --passphrase-file"

	# The verb is the first word that is not a global option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home | --rpc)
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

	# "--opt=VALUE": split at '=' by COMP_WORDBREAKS, or whole.
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

	local home
	case $prev in
	--home)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
		return 0
		;;
	--passphrase-file)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
		return 0
		;;
	--from)
		home=$(__lst_settle_home "${COMP_WORDS[@]:0:COMP_CWORD}")
		COMPREPLY=($(compgen -P "$pre" -W "$(__lst_settle_keys "$home")" -- "$cur"))
		return 0
		;;
	--rpc) return 0 ;;
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
	period) opts="--from --passphrase-file" ;;
	statement | earnings) ;;
	*) return 0 ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return 0
	fi

	# The operands so far, skipping options and their values.
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
	case $verb:$n in
	period:1 | statement:1)
		COMPREPLY=($(compgen -W "current last" -- "$cur"))
		;;
	earnings:0)
		home=$(__lst_settle_home "${COMP_WORDS[@]:0:COMP_CWORD}")
		COMPREPLY=($(compgen -W "$(__lst_settle_keys "$home")" -- "$cur"))
		;;
	esac
	return 0
}

complete -F _lst_settle lst-settle
