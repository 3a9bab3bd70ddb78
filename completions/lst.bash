# bash completion for lst(1)                               -*- shell-script -*-
#
# Source this file, or install it as
# $(pkg-config --variable=completionsdir bash-completion)/lst.
# It needs only bash: COMP_WORDS and COMP_CWORD in, COMPREPLY out, so it
# works with or without the bash-completion package.
#
# Verbs are lst's built-in verbs plus every lst-VERB program on the exec
# path (--exec-path=DIR, LST_EXEC_PATH, the libexec dir, PATH), as git
# completes git-* commands. 'lst VERB ...' for such a program is completed
# by its own completion function when one is loaded (e.g. _lst_sign for
# 'lst sign'). CATEGORY operands offer the chain's category names, asked of
# the node with a 2-second timeout (nothing, and no error, without one).

__lst_builtins="help init config version balance send node publish release price versions show sales read library categories category subscribe unsubscribe enroll"

# __lst_exec_dirs [WORD...]: the directories searched for lst-VERB, one a line.
__lst_exec_dirs()
{
	local w d libexec
	for w in "$@"; do
		[[ $w == --exec-path=?* ]] && printf '%s\n' "${w#--exec-path=}" | tr ':' '\n'
	done
	[[ -n ${LST_EXEC_PATH-} ]] && printf '%s\n' "$LST_EXEC_PATH" | tr ':' '\n'
	# The compiled-in libexec dir: what 'lst --exec-path' prints without
	# LST_EXEC_PATH.
	if type -P lst >/dev/null 2>&1; then
		libexec=$(LST_EXEC_PATH= command lst --exec-path 2>/dev/null)
		[[ -n $libexec ]] && printf '%s\n' "$libexec"
	fi
	printf '%s\n' "$PATH" | tr ':' '\n'
}

# __lst_verbs [WORD...]: built-in verbs and lst-* programs, one a line.
__lst_verbs()
{
	local d f
	printf '%s\n' $__lst_builtins
	while IFS= read -r d; do
		[[ -n $d && -d $d ]] || continue
		for f in "$d"/lst-*; do
			[[ -f $f && -x $f ]] && printf '%s\n' "${f##*/lst-}"
		done
	done < <(__lst_exec_dirs "$@")
}

# __lst_home [WORD...]: the state directory, honouring a --home in WORDS.
__lst_home()
{
	local h= i w
	for ((i = 1; i <= $#; i++)); do
		w=${!i}
		case $w in
		--home=*) h=${w#--home=} ;;
		--home)
			i=$((i + 1))
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

# __lst_keys HOME: the names and addresses of the keys in HOME/keys, read
# from the key files (as lst-sign's completion does: no passphrase asked).
__lst_keys()
{
	local f
	local -a files=()
	for f in "$1"/keys/0x*.json; do
		[[ -f $f && -r $f ]] && files+=("$f")
	done
	((${#files[@]})) || return 0
	sed -n 's/^[[:space:]]*"name"[[:space:]]*:[[:space:]]*"\([A-Za-z0-9_.-]*\)".*/\1/p' "${files[@]}" 2>/dev/null
	sed -n 's/^[[:space:]]*"address"[[:space:]]*:[[:space:]]*"\(0x[0-9A-Fa-f]\{40\}\)".*/\1/p' "${files[@]}" 2>/dev/null
}

# __lst_operands FROM VALUED: how many operands (words not options or
# option values) COMP_WORDS has from index FROM up to the cursor; VALUED is
# a space-separated list of the options that take a value. A URL arrives
# split at ':' (COMP_WORDBREAKS): a ':' and the word after it are the
# value's.
__lst_operands()
{
	local i w n=0
	for ((i = $1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		:) i=$((i + 1)) ;;
		-*=* | =) ;;
		-*)
			if [[ " $2 " == *" $w "* ]]; then
				i=$((i + 1))
				[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			fi
			;;
		*) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# __lst_rpc FROM: the value of the last --rpc in COMP_WORDS from index FROM
# up to the cursor, the pieces of a URL split at ':' and '=' joined again.
__lst_rpc()
{
	local i w v=
	for ((i = $1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--rpc=*) v=${w#--rpc=} ;;
		--rpc)
			i=$((i + 1))
			[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			((i < COMP_CWORD)) || break
			v=${COMP_WORDS[i]}
			;;
		*) continue ;;
		esac
		while ((i + 2 < COMP_CWORD)) && [[ ${COMP_WORDS[i + 1]} == : ]]; do
			v+=:${COMP_WORDS[i + 2]}
			i=$((i + 2))
		done
	done
	printf '%s\n' "$v"
}

# __lst_categories HOME [RPC]: the names of the chain's categories, one a
# line, from 'lst categories --json' asked of RPC (default: HOME's config
# rpc). At most 2 seconds, and nothing (no error) when no node answers or
# timeout(1) is missing: a completion never hangs or prints errors.
__lst_categories()
{
	type -P timeout >/dev/null 2>&1 && type -P lst >/dev/null 2>&1 || return 0
	local line n re='"name"[[:space:]]*:[[:space:]]*"(([^"\\]|\\.)*)"'
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		n=${BASH_REMATCH[1]}
		# JSON's escapes: \\, \" and \/ (names hold no control characters).
		n=${n//\\\\/$'\001'}
		n=${n//\\\"/\"}
		n=${n//\\\//\/}
		printf '%s\n' "${n//$'\001'/\\}"
	done < <(LST_HOME=$1 timeout 2 lst categories --json ${2:+--rpc "$2"} </dev/null 2>/dev/null)
}

_lst()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= i w verb= verb_at=0
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The verb is the first word that is not a global option or its value.
	# "--exec-path=DIR" may arrive as "--exec-path" "=" "DIR".
	local -a words=()
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--home)
			i=$((i + 1))
			[[ ${COMP_WORDS[i]} == = ]] && i=$((i + 1))
			words+=(--home "${COMP_WORDS[i]}")
			;;
		--exec-path)
			if [[ ${COMP_WORDS[i + 1]} == = ]]; then
				i=$((i + 2))
				words+=("--exec-path=${COMP_WORDS[i]}")
			fi
			;;
		-*) words+=("$w") ;;
		*)
			verb=$w
			verb_at=$i
			break
			;;
		esac
	done

	if [[ -z $verb ]]; then
		# Values of global options.
		if [[ $prev == --home || ($prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --home) ]]; then
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -d -- "$cur"))
			return 0
		fi
		if [[ $prev == = && ${COMP_WORDS[COMP_CWORD - 2]} == --exec-path ]] ||
			[[ $cur == = && $prev == --exec-path ]]; then
			[[ $cur == = ]] && cur=
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -d -- "$cur"))
			return 0
		fi
		if [[ $cur == --home=* || $cur == --exec-path=* ]]; then
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -d -P "${cur%%=*}=" -- "${cur#*=}"))
			return 0
		fi
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--home --exec-path --exec-path= --version --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(__lst_verbs "${words[@]}" | sort -u)" -- "$cur"))
		fi
		return 0
	fi

	case $verb in
	help)
		((COMP_CWORD == verb_at + 1)) &&
			COMPREPLY=($(compgen -W "$(__lst_verbs "${words[@]}" | sort -u)" -- "$cur"))
		return 0
		;;
	version)
		return 0
		;;
	init | balance | send | node)
		# "--opt=VALUE": bash splits it at '=' (COMP_WORDBREAKS), or keeps
		# it whole if '=' was taken out of COMP_WORDBREAKS; complete VALUE.
		local pre= home
		if [[ $cur == = && $prev == -* ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
			prev=${COMP_WORDS[COMP_CWORD - 2]}
		elif [[ $cur == --*=* ]]; then
			prev=${cur%%=*}
			pre=$prev=
			cur=${cur#*=}
		fi
		home=$(__lst_home "${words[@]}")
		case $prev in
		--passphrase-file)
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
			return 0
			;;
		--from | -f)
			[[ $verb == send ]] &&
				COMPREPLY=($(compgen -P "$pre" -W "$(__lst_keys "$home")" -- "$cur"))
			return 0
			;;
		--name | -n | --rpc | --timeout | --join | --listen) return 0 ;;
		esac
		;;
	esac

	case $verb in
	init)
		[[ $cur == -* ]] &&
			COMPREPLY=($(compgen -W "--dev --join --listen --name --insecure-plaintext-key --passphrase-file --json --help" -- "$cur"))
		return 0
		;;
	balance)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --rpc --help" -- "$cur"))
		elif [[ $(__lst_operands $((verb_at + 1)) "--rpc") == 0 ]]; then
			# ADDRESS or KEY
			COMPREPLY=($(compgen -W "$(__lst_keys "$home")" -- "$cur"))
		fi
		return 0
		;;
	send)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--from --timeout --passphrase-file --rpc --json --help" -- "$cur"))
		elif [[ $(__lst_operands $((verb_at + 1)) "--from -f --timeout --passphrase-file --rpc") == 0 ]]; then
			# ADDRESS or KEY, then AMOUNT (not completed).
			COMPREPLY=($(compgen -W "$(__lst_keys "$home")" -- "$cur"))
		fi
		return 0
		;;
	node)
		# start [--rpc HOST:PORT] | stop | status: lst-chain daemon --detach,
		# stop and status, which take --rpc too.
		if ((COMP_CWORD == verb_at + 1)); then
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--help" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "start stop status" -- "$cur"))
			fi
		elif [[ $cur == -* ]]; then
			case ${COMP_WORDS[verb_at + 1]} in
			start | stop | status) COMPREPLY=($(compgen -W "--rpc --help" -- "$cur")) ;;
			esac
		fi
		return 0
		;;
	publish | release | price | versions | show | sales | read | library)
		# The market's porcelain (lst(1)): options; values that are files,
		# directories or git refs; BOOK ids are not completed.
		local pre= repo=.
		if [[ $cur == = && $prev == -* ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
			prev=${COMP_WORDS[COMP_CWORD - 2]}
		elif [[ $cur == --*=* ]]; then
			prev=${cur%%=*}
			pre=$prev=
			cur=${cur#*=}
		fi
		for ((i = verb_at + 1; i < COMP_CWORD - 1; i++)); do
			[[ ${COMP_WORDS[i]} == --repo ]] && repo=${COMP_WORDS[i + 1]}
			[[ ${COMP_WORDS[i]} == --repo=* ]] && repo=${COMP_WORDS[i]#--repo=}
		done
		case $prev in
		--passphrase-file | --details | --file | -o | --output)
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
			return 0
			;;
		--repo)
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -d -P "$pre" -- "$cur"))
			return 0
			;;
		--ref)
			# Tags first: books are published from tags.
			COMPREPLY=($(compgen -P "$pre" -W "$(git -C "$repo" for-each-ref --format='%(refname:short)' \
				refs/tags refs/heads 2>/dev/null) HEAD" -- "$cur"))
			return 0
			;;
		--title | --price | --label | --foundation-sig | --rpc | --version | --peer | --page) return 0 ;;
		esac
		if [[ $cur == -* ]]; then
			local opts
			case $verb in
			publish | release)
				opts="--repo --ref --title --details --price --label --pages --foundation-sig --terms --passphrase-file --yes --json --rpc"
				;;
			price) opts="--yes --json --rpc --passphrase-file" ;;
			versions | show) opts="--json --rpc" ;;
			sales) opts="--follow --json --rpc" ;;
			read) opts="--version --file --page --output --peer --json --rpc --passphrase-file" ;;
			library) opts="--json --rpc" ;;
			esac
			COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
		elif [[ $verb == publish || $verb == release ]]; then
			# PATHs of the manuscript (release: after BOOK).
			compopt -o filenames 2>/dev/null
			local IFS=$'\n'
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		return 0
		;;
	categories | category | subscribe | unsubscribe | enroll)
		# The subscriptions' porcelain (lst(1)): options; 'category'
		# takes 'create'; --from the home's keys; CATEGORY the chain's
		# category names (__lst_categories); NAME, BOOK, amounts and
		# URLs are not completed.
		local pre= home n
		[[ $cur == : || $prev == : ]] && return 0
		if [[ $cur == = && $prev == -* ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
			prev=${COMP_WORDS[COMP_CWORD - 2]}
		elif [[ $cur == --*=* ]]; then
			prev=${cur%%=*}
			pre=$prev=
			cur=${cur#*=}
		fi
		home=$(__lst_home "${words[@]}")
		local opts valued="--fee --from --months --passphrase-file --rpc"
		case $verb in
		category) opts="--fee --from --passphrase-file --json --rpc" ;;
		categories) opts="--json --rpc" ;;
		subscribe) opts="--months --from --yes --passphrase-file --json --rpc" ;;
		unsubscribe) opts="--from --passphrase-file --json --rpc" ;;
		enroll) opts="--passphrase-file --json --rpc" ;;
		esac
		if [[ " $opts " == *" $prev "* ]]; then
			case $prev in
			--passphrase-file)
				compopt -o filenames 2>/dev/null
				local IFS=$'\n'
				COMPREPLY=($(compgen -f -P "$pre" -- "$cur"))
				;;
			--from)
				COMPREPLY=($(compgen -P "$pre" -W "$(__lst_keys "$home")" -- "$cur"))
				;;
			esac
			[[ " $valued " == *" $prev "* ]] && return 0
		fi
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
			return 0
		fi
		n=$(__lst_operands $((verb_at + 1)) "$valued")
		case $verb:$n in
		category:0)
			COMPREPLY=($(compgen -W "create" -- "$cur"))
			;;
		subscribe:0 | unsubscribe:0 | enroll:1)
			# Names may hold spaces: each a word, quoted as typed.
			local c want=${cur//\\/}
			while IFS= read -r c; do
				[[ -n $c && $c == "$want"* ]] && COMPREPLY+=("$(printf '%q' "$c")")
			done < <(__lst_categories "$home" "$(__lst_rpc $((verb_at + 1)))")
			;;
		esac
		return 0
		;;
	config)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--list --unset --json --help" -- "$cur"))
			return 0
		fi
		# Operands: KEY, then VALUE.
		local n=0 key=
		for ((i = verb_at + 1; i < COMP_CWORD; i++)); do
			w=${COMP_WORDS[i]}
			[[ $w == -* ]] && continue
			n=$((n + 1))
			[[ $n == 1 ]] && key=$w
		done
		local home
		home=$(__lst_home "${words[@]}")
		if ((n == 0)); then
			# Settings in config.json (one "key": value a line), and "key".
			COMPREPLY=($(compgen -W "$({ echo key; sed -n \
				's/^[[:space:]]*"\([a-z0-9_.-]*\)"[[:space:]]*:.*/\1/p' \
				"$home/config.json" 2>/dev/null; } | sort -u)" -- "$cur"))
		elif ((n == 1)) && [[ $key == key ]]; then
			local f addrs=
			for f in "$home"/keys/0x*.json; do
				[[ -f $f ]] && addrs+=" $(sed -n 's/^[[:space:]]*"address"[[:space:]]*:[[:space:]]*"\(0x[0-9A-Fa-f]\{40\}\)".*/\1/p' "$f" 2>/dev/null)"
			done
			COMPREPLY=($(compgen -W "$addrs" -- "$cur"))
		fi
		return 0
		;;
	esac

	# 'lst VERB ARGS' runs lst-VERB ARGS: use lst-VERB's completion, if any.
	local fn=_lst_${verb//[^A-Za-z0-9_]/_}
	if ! declare -F "$fn" >/dev/null && declare -F _completion_loader >/dev/null; then
		_completion_loader "lst-$verb" >/dev/null 2>&1
	fi
	if declare -F "$fn" >/dev/null; then
		local -a saved_words=("${COMP_WORDS[@]}")
		local saved_cword=$COMP_CWORD
		COMP_WORDS=("lst-$verb" "${COMP_WORDS[@]:verb_at+1}")
		COMP_CWORD=$((COMP_CWORD - verb_at))
		# lst passes its home on to lst-VERB as LST_HOME.
		local h
		h=$(__lst_home "${words[@]}")
		LST_HOME=$h "$fn" "lst-$verb" "$cur" "$prev"
		COMP_WORDS=("${saved_words[@]}")
		COMP_CWORD=$saved_cword
		return 0
	fi
	compopt -o default 2>/dev/null
	return 0
}

complete -F _lst lst
