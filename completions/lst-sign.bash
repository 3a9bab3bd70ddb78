# bash completion for lst-sign(1)                          -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst-sign.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Keys are completed by name and address from the key files in the state
# directory (--home, LST_HOME, XDG_DATA_HOME/lst, ~/.local/share/lst),
# without running lst-sign and without asking for a passphrase.

# __lst_sign_home [WORD...]: the state directory, honouring a --home in WORDS.
__lst_sign_home()
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

# __lst_sign_keys HOME [names|addresses|all]: key names and/or addresses.
__lst_sign_keys()
{
	local dir=$1/keys what=${2:-all} f
	local -a files=()
	for f in "$dir"/0x*.json; do
		[[ -f $f && -r $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	if [[ $what != addresses ]]; then
		sed -n 's/^[[:space:]]*"name"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_.-]*\)".*/\1/p' "${files[@]}" 2>/dev/null
	fi
	if [[ $what != names ]]; then
		sed -n 's/^[[:space:]]*"address"[[:space:]]*:[[:space:]]*"\(0x[0-9A-Fa-f]\{40\}\)".*/\1/p' "${files[@]}" 2>/dev/null
	fi
}

# __lst_sign_files -f|-d PREFIX CUR: file or directory names.
__lst_sign_files()
{
	compopt -o filenames 2>/dev/null
	local IFS=$'\n'
	COMPREPLY=($(compgen "$1" -P "$2" -- "$3"))
}

_lst_sign()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	local verbs="keygen list address import export rm sign decode sign-message
		verify-message recover seal open cosign"
	local common="--home --passphrase-file --help"

	# The verb is the first word that is not a global option or its value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home | --passphrase-file)
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

	local home
	home=$(__lst_sign_home "${COMP_WORDS[@]:0:COMP_CWORD}")

	# The value of an option.
	case $prev in
	--home)
		__lst_sign_files -d "$pre" "$cur"
		return 0
		;;
	--passphrase-file | --keystore | --keystore-passphrase-file)
		if [[ $prev != --keystore || $verb == import ]]; then
			__lst_sign_files -f "$pre" "$cur"
			return 0
		fi
		;;
	--from | -f | --with | -w | --to | -t)
		COMPREPLY=($(compgen -P "$pre" -W "$(__lst_sign_keys "$home")" -- "$cur"))
		return 0
		;;
	--address | -a)
		COMPREPLY=($(compgen -P "$pre" -W "$(__lst_sign_keys "$home" addresses)" -- "$cur"))
		return 0
		;;
	--name | -n | --signature | -s | --hash | --chain-id | --check)
		return 0
		;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --passphrase-file --help --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		return 0
	fi

	local opts=
	case $verb in
	keygen) opts="--name --insecure-plaintext-key" ;;
	list | address | rm) ;;
	import) opts="--name --keystore --keystore-passphrase-file --insecure-plaintext-key" ;;
	export) opts="--keystore --keystore-passphrase-file --hex" ;;
	sign) opts="--from --batch" ;;
	decode) opts="--chain-id" ;;
	sign-message) opts="--from" ;;
	verify-message) opts="--address --signature" ;;
	recover) opts="--signature --hash" ;;
	seal) opts="--to --hex" ;;
	open) opts="--with --hex" ;;
	cosign) opts="--from --yes --check --address --complete --chain-id" ;;
	*) return 0 ;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts $common" -- "$cur"))
		return 0
	fi

	# Operands: address, export and rm take a key; cosign a terms file.
	case $verb in
	cosign)
		__lst_sign_files -f "" "$cur"
		;;
	address | export | rm)
		local n=0
		for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			case $w in
			--home | --passphrase-file | --keystore-passphrase-file) i=$((i + 1)) ;;
			= | -*) ;;
			*) n=$((n + 1)) ;;
			esac
		done
		((n == 0)) && COMPREPLY=($(compgen -W "$(__lst_sign_keys "$home")" -- "$cur"))
		;;
	esac
	return 0
}

complete -F _lst_sign lst-sign
