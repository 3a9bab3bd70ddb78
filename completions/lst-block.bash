# bash completion for lst-block(1)                         -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-block.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Verbs and their options; PATHs to add, key files and directories are
# files; ROOTs are the pinned roots of the store (HOME/blocks/pins, named by
# their CIDs), read without running lst-block. Other values (a book's
# name, sizes, segment numbers) are left to the user.

# __lst_block_home [WORD...]: the state directory, honouring a --home in WORDS.
__lst_block_home()
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

# __lst_block_roots HOME: the pinned roots of HOME's store, one a line.
__lst_block_roots()
{
	local f
	for f in "$1"/blocks/pins/b*; do
		[[ -f $f ]] && printf '%s\n' "${f##*/}"
	done
}

_lst_block()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	local verbs="add cat get ls stat has verify pin unpin rm gc export import"
	local common="--home --help"

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

	# Redirections: export > FILE.car, import < FILE.car.
	case $prev in
	'>' | '>>' | '<')
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
		;;
	esac

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
	--home | --output | -o)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
		return 0
		;;
	--key-file | --passphrase-file)
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
		return 0
		;;
	--derive-key | --segment-size | --segment)
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

	# Options, and how many ROOT operands the verb takes (0, 1, or many).
	local opts= nroots=1
	case $verb in
	add)
		opts="--public --key-file --derive-key --segment-size --passphrase-file"
		nroots=0
		;;
	cat) opts="--key-file --segment" ;;
	get) opts="--output --key-file" ;;
	ls) opts="--raw --key-file" ;;
	stat | verify | export) ;;
	has | pin | unpin) nroots=many ;;
	rm)
		opts="--force"
		nroots=many
		;;
	gc) nroots=0 ;;
	import)
		opts="--no-pin"
		nroots=0
		;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return 0
	fi

	# Operands.
	if [[ $verb == add ]]; then
		compopt -o filenames 2>/dev/null
		local IFS=$'\n'
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0
	fi
	[[ $nroots == 0 ]] && return 0
	local n=0
	for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home | --output | -o | --key-file | --segment)
			i=$((i + 1))
			[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			;;
		'>' | '>>' | '<') i=$((i + 1)) ;;
		= | -*) ;;
		*) n=$((n + 1)) ;;
		esac
	done
	[[ $nroots == 1 ]] && ((n > 0)) && return 0
	local home
	home=$(__lst_block_home "${COMP_WORDS[@]:0:COMP_CWORD}")
	COMPREPLY=($(compgen -W "$(__lst_block_roots "$home")" -- "$cur"))
	return 0
}

complete -F _lst_block lst-block
