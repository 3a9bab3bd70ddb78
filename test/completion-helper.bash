# Shared by the completion tests (test/t009*-completion*.bats): the
# programs of build/bin first on PATH, a fresh home per test, and drivers
# that run bash's and zsh's completion of a command line as the shells do.
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="$TOP/build/bin"
COMP="$TOP/completions"

setup() {
	export LST_HOME="$BATS_TEST_TMPDIR/home"
	unset LST_PASSPHRASE_FILE XDG_DATA_HOME
	export PATH="$BIN:$PATH"
	export LST_EXEC_PATH="$BIN"
}

# complete FUNCTION WORD...: run a completion function as bash would for the
# command line WORD... with the cursor at the end of the last word, and
# print COMPREPLY one entry a line (sorted).
complete_words() {
	local fn=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$fn"
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

# verbs PROGRAM: the verbs of 'PROGRAM --help', one a line (sorted).
verbs() {
	"$BIN/$1" --help | sed -n 's/^   \([a-z-]*\) .*/\1/p' | sort
}

# zsh_complete LINE: the matches zsh's completion offers for LINE (the
# cursor at its end), one a line, sorted, from an interactive zsh in a pty
# with only completions/ on its fpath.
zsh_complete() {
	cat > "$BATS_TEST_TMPDIR/cap.zsh" <<'ZSH'
zmodload zsh/zpty || exit 77
zpty z zsh -f -i
zpty -w z "PROMPT= ; fpath=($COMP \$fpath); autoload -U compinit; compinit -u -d $BATS_TEST_TMPDIR/zcompdump"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; local h; for h in $__hits; do print -r -- "M$((1+1)):$h"; done; builtin compadd "$@" }'
zpty -w z 'comptest () { zle complete-word; print -r -- "E$((1+1))" }; zle -N comptest; bindkey "^T" comptest'
zpty -n -w z "$1"$'\C-T'
integer n=0
local line
while zpty -r z line; do
	[[ $line == *E2* ]] && break
	[[ $line == *M2:* ]] && print -r -- "${${line##*M2:}//[$'\r\n']/}"
	(( ++n > 5000 )) && break
done
zpty -d z
ZSH
	COMP="$COMP" timeout 20 zsh -f "$BATS_TEST_TMPDIR/cap.zsh" "$1" | grep -v '^$' | sort -u
}
