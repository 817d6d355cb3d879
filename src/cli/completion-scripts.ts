/**
 * The bash, zsh and fish scripts `kubectl hcp completion SHELL` prints. They complete the
 * `kubectl-hcp` executable by asking it (`kubectl-hcp __complete WORD… PARTIAL`, cobra's protocol,
 * see completion.ts), as cobra's generated scripts do; `kubectl hcp …` itself is completed by
 * kubectl's own script, which asks `kubectl_complete-hcp` (plugin/kubectl_complete-hcp).
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const PROGRAM = 'kubectl-hcp';
const FN = '__kubectl_hcp_complete';

function bash(): string {
  return `# bash completion for ${PROGRAM}. Load it with:  source <(kubectl hcp completion bash)
# (\`kubectl hcp <TAB>\` goes through kubectl's own completion, which runs kubectl_complete-hcp.)
${FN}() {
    # The words from the line itself: bash splits --flag=value at '=' (COMP_WORDBREAKS).
    local line="\${COMP_LINE:0:COMP_POINT}" cur=""
    local -a words
    read -r -a words <<< "$line"
    if [[ -n $line && $line != *[[:space:]] ]]; then
        cur="\${words[\${#words[@]}-1]}"
        unset 'words[\${#words[@]}-1]'
    fi
    local out
    out=$(${PROGRAM} __completeNoDesc "\${words[@]:1}" "$cur" 2>/dev/null) || return 0
    local -a lines
    mapfile -t lines <<< "$out"
    local directive="\${lines[\${#lines[@]}-1]#:}"
    unset 'lines[\${#lines[@]}-1]'
    [[ $directive =~ ^[0-9]+$ ]] || return 0
    (( directive & 1 )) && return 0
    # Readline replaces only what follows the last '=' or ':' of the word.
    local tail="\${cur##*[=:]}"
    local drop=$(( \${#cur} - \${#tail} ))
    COMPREPLY=()
    local candidate
    for candidate in "\${lines[@]}"; do
        [[ -n $candidate ]] && COMPREPLY+=("\${candidate:drop}")
    done
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    if (( \${#COMPREPLY[@]} == 0 && (directive & 4) == 0 )); then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$tail")
    fi
    return 0
}
complete -F ${FN} ${PROGRAM}
`;
}

function zsh(): string {
  return `#compdef ${PROGRAM}
# zsh completion for ${PROGRAM}. Load it with:  source <(kubectl hcp completion zsh)  (after compinit)
# (\`kubectl hcp <TAB>\` goes through kubectl's own completion, which runs kubectl_complete-hcp.)
${FN}() {
    local out directive entry value desc
    local -a lines candidates
    out=$(${PROGRAM} __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
    lines=("\${(@f)out}")
    directive=\${lines[-1]#:}
    [[ $directive == <-> ]] || return 1
    lines=("\${(@)lines[1,-2]}")
    (( directive & 1 )) && return 1
    for entry in "\${lines[@]}"; do
        [[ -n $entry ]] || continue
        value=\${entry%%$'\\t'*}
        desc=""
        [[ $entry == *$'\\t'* ]] && desc=\${entry#*$'\\t'}
        candidates+=("\${value//:/\\\\:}\${desc:+:$desc}")
    done
    if (( \${#candidates} )); then
        if (( directive & 2 )); then
            _describe -t hcp '${PROGRAM}' candidates -S ''
        else
            _describe -t hcp '${PROGRAM}' candidates
        fi
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
compdef ${FN} ${PROGRAM}
`;
}

function fish(): string {
  return `# fish completion for ${PROGRAM}. Load it with:  kubectl hcp completion fish | source
# (\`kubectl hcp <TAB>\` goes through kubectl's own completion, which runs kubectl_complete-hcp.)
function ${FN}
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct)
    set -l lines (${PROGRAM} __complete $words $current 2>/dev/null)
    or return
    set -l directive (string replace -r '^:' '' -- $lines[-1])
    string match -qr '^[0-9]+$' -- $directive; or return
    set -e lines[-1]
    test (math "$directive % 2") -eq 1; and return
    for entry in $lines
        test -n "$entry"; and printf '%s\\n' $entry
    end
    if test (count $lines) -eq 0; and test (math "floor($directive / 4) % 2") -eq 0
        __fish_complete_path $current
    end
end
complete -c ${PROGRAM} -f -a '(${FN})'
`;
}

export function completionScript(shell: Shell): string {
  return { bash, zsh, fish }[shell]();
}
