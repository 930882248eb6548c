# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_mem_global_optspecs
    string join \n root= json color= y/yes q/quiet h/help V/version
end

function __fish_mem_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_mem_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_mem_using_subcommand
    set -l cmd (__fish_mem_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c mem -n "__fish_mem_needs_command" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_needs_command" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_needs_command" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_needs_command" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_needs_command" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mem -n "__fish_mem_needs_command" -s V -l version -d 'Print version'
complete -c mem -n "__fish_mem_needs_command" -f -a "init" -d 'Create a tree (or adopt an existing git repository) and commit its settings'
complete -c mem -n "__fish_mem_needs_command" -f -a "add" -d 'Remember something: text from the argument, stdin or --file'
complete -c mem -n "__fish_mem_needs_command" -f -a "ingest" -d 'Import conversation transcripts (LoCoMo, LongMemEval, chat JSONL): one entry per turn'
complete -c mem -n "__fish_mem_needs_command" -f -a "learn" -d 'Lessons from agent session transcripts: failures and their fixes, detours, procedures that worked'
complete -c mem -n "__fish_mem_needs_command" -f -a "recall" -d 'Find memories: tiered retrieval (cache, lexical, semantic, structure)'
complete -c mem -n "__fish_mem_needs_command" -f -a "ask" -d 'Answer a question from memory, citing the entries it comes from (tier 5)'
complete -c mem -n "__fish_mem_needs_command" -f -a "show" -d 'Print an entry (by path, id or id prefix)'
complete -c mem -n "__fish_mem_needs_command" -f -a "ls" -d 'List entries, optionally under a path prefix'
complete -c mem -n "__fish_mem_needs_command" -f -a "tree" -d 'Entry counts per domain and topic'
complete -c mem -n "__fish_mem_needs_command" -f -a "edit" -d 'Open an entry in $EDITOR; the result is validated before it is kept'
complete -c mem -n "__fish_mem_needs_command" -f -a "mv" -d 'Move an entry to another topic or path'
complete -c mem -n "__fish_mem_needs_command" -f -a "forget" -d 'Retire entries to _archive/ (kept in git, restorable)'
complete -c mem -n "__fish_mem_needs_command" -f -a "restore" -d 'Bring archived entries back'
complete -c mem -n "__fish_mem_needs_command" -f -a "undo" -d 'Take back a commit (a curated add, supersede, merge, move, forget…) in a new commit'
complete -c mem -n "__fish_mem_needs_command" -f -a "log" -d 'History of an entry (following moves) or of the whole tree'
complete -c mem -n "__fish_mem_needs_command" -f -a "doctor" -d 'Check every file: front matter, ids, paths, stray files'
complete -c mem -n "__fish_mem_needs_command" -f -a "sync" -d 'Team memory: commit pending changes, fetch, merge entry by entry, push'
complete -c mem -n "__fish_mem_needs_command" -f -a "remote" -d 'The tree\'s git remotes: add, ls'
complete -c mem -n "__fish_mem_needs_command" -f -a "promote" -d 'Copy an entry into another tree (say, from your personal tree to the team\'s), with its provenance'
complete -c mem -n "__fish_mem_needs_command" -f -a "merge-file" -d 'The git merge driver for entries (registered by init and sync; git calls it)'
complete -c mem -n "__fish_mem_needs_command" -f -a "review" -d 'What waits for a person: quarantined entries and agents\' changes held for review; approve or reject'
complete -c mem -n "__fish_mem_needs_command" -f -a "dream" -d 'Offline consolidation: supersede changes and archive duplicates that curation missed'
complete -c mem -n "__fish_mem_needs_command" -f -a "mcp" -d 'Serve the memory to agents and editors over MCP (stdio)'
complete -c mem -n "__fish_mem_needs_command" -f -a "hook" -d 'Coding agents\' hooks: install, uninstall, status, run (context at session start and per prompt, transcript harvest)'
complete -c mem -n "__fish_mem_needs_command" -f -a "model" -d 'Local models: pull (download + verify), list, path, rm'
complete -c mem -n "__fish_mem_needs_command" -f -a "reindex" -d 'Rebuild the index from the files'
complete -c mem -n "__fish_mem_needs_command" -f -a "watch" -d 'Keep the index caught up while files change; answer recalls over a local socket'
complete -c mem -n "__fish_mem_needs_command" -f -a "eval" -d 'Measurements: synthetic trees, LoCoMo and LongMemEval retrieval benchmarks'
complete -c mem -n "__fish_mem_needs_command" -f -a "completions" -d 'Print shell completions'
complete -c mem -n "__fish_mem_needs_command" -f -a "man" -d 'Write man pages into a folder'
complete -c mem -n "__fish_mem_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand init" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand init" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand init" -l personal -d 'Make (or name) your personal tree, used outside any tree: DIR, else the data folder\'s mem/personal; written into the user config as [trees] personal'
complete -c mem -n "__fish_mem_using_subcommand init" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand init" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand init" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand init" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand add" -s f -l file -d 'Read the text from a file (`-` for stdin)' -r -F
complete -c mem -n "__fish_mem_using_subcommand add" -l at -d 'Where to put it: domain/topic[/subtopic] (default: the most similar existing topic)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l tree -d 'Write into this tree (a name from [trees] in the config, or a folder)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l title -d 'Title (default: the first sentence of the text)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -s t -l tag -d 'Tag (repeatable, or comma-separated)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l kind -d 'fact | preference | event | decision | procedure | lesson' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l source-ref -d 'Pointer into the original material (e.g. a URL or ticket:123)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l observed -d 'When it happened or was said: RFC 3339, YYYY-MM-DD, or an age (7d, 2w, 3m, 1y: that long ago)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l importance -d 'Importance 0-100' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l via -d 'Who is writing: cli (default), agent, import, conversation, sync' -r -f -a "cli\t''
agent\t''
import\t''
conversation\t''
sync\t''"
complete -c mem -n "__fish_mem_using_subcommand add" -l agent -d 'Name of the agent writing (with --via agent)' -r
complete -c mem -n "__fish_mem_using_subcommand add" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand add" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand add" -l raw -d 'Skip curation: store the input as one entry (exact duplicates are still a noop)'
complete -c mem -n "__fish_mem_using_subcommand add" -s n -l dry-run -d 'Show what would change (a unified diff per file) and write nothing'
complete -c mem -n "__fish_mem_using_subcommand add" -l no-model -d 'Decide without the generator (rules and thresholds only)'
complete -c mem -n "__fish_mem_using_subcommand add" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand add" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand add" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand add" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand ingest" -l format -d 'Input format (default: recognised from the content; an input it cannot tell is an error)' -r -f -a "locomo\t''
longmemeval\t''
chat-jsonl\t''"
complete -c mem -n "__fish_mem_using_subcommand ingest" -l granularity -d 'One entry per turn or per session' -r -f -a "turn\t'One entry per turn'
session\t'One entry per session (all its turns)'"
complete -c mem -n "__fish_mem_using_subcommand ingest" -l at -d 'Put conversations under this domain/topic instead of the format\'s default' -r
complete -c mem -n "__fish_mem_using_subcommand ingest" -l name -d 'chat-jsonl: the conversation\'s name, used for its topic and in `source.ref` (default: the file name without extensions; for stdin `stdin-` and the first 8 hex digits of the input\'s hash)' -r
complete -c mem -n "__fish_mem_using_subcommand ingest" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand ingest" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand ingest" -l no-index -d 'Do not catch the index up (no embedding) after writing'
complete -c mem -n "__fish_mem_using_subcommand ingest" -l distill -d 'Curate instead of storing turns: each turn is distilled into statements (with verbatim evidence) and added, updated, merged, superseded or dropped as a duplicate, like `mem add`'
complete -c mem -n "__fish_mem_using_subcommand ingest" -l no-model -d 'With --distill: decide by rules only (no generator)'
complete -c mem -n "__fish_mem_using_subcommand ingest" -l all-speakers -d 'With --distill: also distil turns of assistant/system/tool roles (default: skipped)'
complete -c mem -n "__fish_mem_using_subcommand ingest" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand ingest" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand ingest" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand ingest" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mem -n "__fish_mem_using_subcommand learn" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand learn" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand learn" -l dry-run -d 'Print the lessons, write nothing'
complete -c mem -n "__fish_mem_using_subcommand learn" -l no-index -d 'Do not catch the index up after writing'
complete -c mem -n "__fish_mem_using_subcommand learn" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand learn" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand learn" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand learn" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand recall" -l kind -d 'Only entries of this kind (fact, preference, event, decision, procedure, lesson)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l error -d 'Look up lessons for an error message (`-` reads it from stdin, e.g. `cargo build 2>&1 | mem recall --error -`): its most telling lines are the query, and --kind defaults to lesson' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -s k -l k -d 'Number of hits' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l tier -d 'Highest tier to use (0 cache only, 1 lexical, 2 semantic, 3 structure, 4 a model rereads the best 10 candidates: about 15 s on 2 CPU cores)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l at -d 'Only entries under this prefix (domain or domain/topic)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l since -d 'Only entries observed (else created) on or after DATE (YYYY-MM-DD, RFC 3339, or 7d/2w/3m/1y ago)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l until -d 'Only entries observed (else created) on or before DATE' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l as-of -d 'Answer as of DATE: what was current then (entries superseded later come back, entries that started later are left out); relative dates in the query resolve against it' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l now -d 'The time of asking: relative dates in the query ("yesterday", "last week") resolve against it (default: now)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l format -d 'Output: text (default), json (same as --json), prompt (a context pack for an agent, within --budget), vimgrep (path:line:col:text for vim\'s quickfix and emacs\' grep mode)' -r -f -a "text\t''
json\t''
prompt\t''
vimgrep\t''"
complete -c mem -n "__fish_mem_using_subcommand recall" -l tree -d 'Search these trees (names from [trees] in the config, or folders; `.` is the current one), merged into one ranking; default: the current tree plus recall.trees' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l budget -d 'Token budget of --format prompt (estimated: ASCII characters / 4 + other characters)' -r
complete -c mem -n "__fish_mem_using_subcommand recall" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand recall" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand recall" -l history -d 'Include superseded entries (marked as such)'
complete -c mem -n "__fish_mem_using_subcommand recall" -l archived -d 'Include archived (forgotten) entries'
complete -c mem -n "__fish_mem_using_subcommand recall" -l answer -d 'Answer the query as a question, citing the entries (tier 5; the same as `mem ask`)'
complete -c mem -n "__fish_mem_using_subcommand recall" -l explain -d 'Print timing and tier details on stderr'
complete -c mem -n "__fish_mem_using_subcommand recall" -l no-daemon -d 'Recall in this process even when a `mem watch` is running'
complete -c mem -n "__fish_mem_using_subcommand recall" -l quarantined -d 'Include quarantined entries (instruction-like text from agents or imports, not yet approved), marked'
complete -c mem -n "__fish_mem_using_subcommand recall" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand recall" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand recall" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand recall" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand ask" -s k -l k -d 'Entries to retrieve as notes (at most)' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l tier -d 'Highest retrieval tier (0-3)' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l at -d 'Only entries under this prefix (domain or domain/topic)' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l as-of -d 'Answer as of DATE: what was current then' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l now -d 'The time of asking (relative dates in the question resolve against it; default: now)' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l budget -d 'Token budget of the notes in the prompt (estimated)' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l max-tokens -d 'Tokens the model may write' -r
complete -c mem -n "__fish_mem_using_subcommand ask" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand ask" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand ask" -l extractive -d 'Answer from the notes\' sentences, without a model'
complete -c mem -n "__fish_mem_using_subcommand ask" -l explain -d 'Print the model\'s raw text, removed sentences and timings on stderr'
complete -c mem -n "__fish_mem_using_subcommand ask" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand ask" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand ask" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand ask" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand show" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand show" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand show" -l archived -d 'Also look in _archive/'
complete -c mem -n "__fish_mem_using_subcommand show" -l history -d 'Show the entry\'s history instead: the chain of entries it superseded and that superseded it'
complete -c mem -n "__fish_mem_using_subcommand show" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand show" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand show" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand show" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand ls" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand ls" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand ls" -l archived -d 'Include archived entries (shown as _archive/…)'
complete -c mem -n "__fish_mem_using_subcommand ls" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand ls" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand ls" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand ls" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand tree" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand tree" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand tree" -l archived -d 'Include archived entries (counted separately)'
complete -c mem -n "__fish_mem_using_subcommand tree" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand tree" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand tree" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand tree" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand edit" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand edit" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand edit" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand edit" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand edit" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand edit" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand mv" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand mv" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand mv" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand mv" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand mv" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand mv" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand forget" -l reason -d 'Why (recorded in the commit message)' -r
complete -c mem -n "__fish_mem_using_subcommand forget" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand forget" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand forget" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand forget" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand forget" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand forget" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand restore" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand restore" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand restore" -l unsupersede -d 'The entries are superseded ones to make live again, each kept beside the entry that superseded it (both stay: the supersede was wrong)'
complete -c mem -n "__fish_mem_using_subcommand restore" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand restore" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand restore" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand restore" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand undo" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand undo" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand undo" -l dry-run -d 'Show what would change; write nothing'
complete -c mem -n "__fish_mem_using_subcommand undo" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand undo" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand undo" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand undo" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand log" -s n -l limit -d 'At most this many commits' -r
complete -c mem -n "__fish_mem_using_subcommand log" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand log" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand log" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand log" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand log" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand log" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand doctor" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand doctor" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand doctor" -l strict -d 'Warnings fail the check too (exit 2), e.g. in a CI job or a git hook'
complete -c mem -n "__fish_mem_using_subcommand doctor" -l fix -d 'Write front matter into notes that have none (or lack mem\'s keys), in one commit; register the merge driver'
complete -c mem -n "__fish_mem_using_subcommand doctor" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand doctor" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand doctor" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand doctor" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand sync" -l remote -d 'The remote to sync with (default: the branch\'s upstream remote, else origin)' -r
complete -c mem -n "__fish_mem_using_subcommand sync" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand sync" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand sync" -l no-push -d 'Fetch and merge, do not push'
complete -c mem -n "__fish_mem_using_subcommand sync" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand sync" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand sync" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand sync" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -f -a "add" -d 'Add a remote (a URL: ssh, https, file://, or a plain path)'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -f -a "ls" -d 'List the remotes with their URLs'
complete -c mem -n "__fish_mem_using_subcommand remote; and not __fish_seen_subcommand_from add ls help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a remote (a URL: ssh, https, file://, or a plain path)'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the remotes with their URLs'
complete -c mem -n "__fish_mem_using_subcommand remote; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand promote" -l to -d 'The target tree (a name from [trees] in the config, or a folder)' -r
complete -c mem -n "__fish_mem_using_subcommand promote" -l at -d 'Topic in the target tree (default: the entry\'s own topic)' -r
complete -c mem -n "__fish_mem_using_subcommand promote" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand promote" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand promote" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand promote" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand promote" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand promote" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand merge-file" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand merge-file" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand merge-file" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand merge-file" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand merge-file" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand merge-file" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand review" -l approve -d 'Approve these entries (path or id): the flag goes, the entry stays (a stale proposal: archived)' -r
complete -c mem -n "__fish_mem_using_subcommand review" -l reject -d 'Reject these entries (path or id): archived with `mem forget` (a stale proposal: kept)' -r
complete -c mem -n "__fish_mem_using_subcommand review" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand review" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand review" -l list -d 'List the queue even on a terminal (no questions)'
complete -c mem -n "__fish_mem_using_subcommand review" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand review" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand review" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand review" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand dream" -l max-actions -d 'At most N changes of each kind (0: no limit)' -r
complete -c mem -n "__fish_mem_using_subcommand dream" -l time -d 'Stop after this long (`90s`, `5m`, `1h`) with what was found so far; the next run goes on' -r
complete -c mem -n "__fish_mem_using_subcommand dream" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand dream" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand dream" -s n -l dry-run -d 'Show what would change, write nothing'
complete -c mem -n "__fish_mem_using_subcommand dream" -l summaries -d 'Open each overview rewritten with a summary by the answer model (seconds per topic), every sentence checked against the entries it cites'
complete -c mem -n "__fish_mem_using_subcommand dream" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand dream" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand dream" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand dream" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand mcp" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand mcp" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand mcp" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand mcp" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand mcp" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand mcp" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "install" -d 'Write mem\'s hooks and MCP server into an agent\'s configuration (merged; idempotent)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "uninstall" -d 'Remove mem\'s hooks and MCP server from an agent\'s configuration (nothing else)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "status" -d 'Which agents have mem\'s hooks and MCP server, per scope'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "run" -d 'Run one hook: reads the agent\'s JSON on stdin (called by the agent)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "harvest" -d 'Harvest a transcript (started detached by the stop hooks)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "catch-up" -d 'Bring the index up to date with the files (started detached by a prompt hook that ran out of time catching up)'
complete -c mem -n "__fish_mem_using_subcommand hook; and not __fish_seen_subcommand_from install uninstall status run harvest catch-up help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l project -d 'The project\'s configuration (the default): the git root of the current directory'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l user -d 'The user\'s configuration (all projects)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l no-mcp -d 'Hooks only, no MCP server'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l dry-run -d 'Say what would change, write nothing'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l project -d 'The project\'s configuration (the default): the git root of the current directory'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l user -d 'The user\'s configuration (all projects)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l no-mcp -d 'Hooks only, no MCP server'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l dry-run -d 'Say what would change, write nothing'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -l agent -d 'The agent calling (else recognised from its payload)' -r -f -a "claude-code\t''
codex\t''
gemini\t''
cursor\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -l transcript -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from harvest" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from catch-up" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "install" -d 'Write mem\'s hooks and MCP server into an agent\'s configuration (merged; idempotent)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "uninstall" -d 'Remove mem\'s hooks and MCP server from an agent\'s configuration (nothing else)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "status" -d 'Which agents have mem\'s hooks and MCP server, per scope'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "run" -d 'Run one hook: reads the agent\'s JSON on stdin (called by the agent)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "harvest" -d 'Harvest a transcript (started detached by the stop hooks)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "catch-up" -d 'Bring the index up to date with the files (started detached by a prompt hook that ran out of time catching up)'
complete -c mem -n "__fish_mem_using_subcommand hook; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -f -a "pull" -d 'Download and verify models (default: all built-in ones); nothing is fetched twice'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -f -a "list" -d 'Show each built-in model and its state (missing, verified, corrupt); --verify re-hashes'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -f -a "path" -d 'Print the file path of a model'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -f -a "rm" -d 'Delete a downloaded model'
complete -c mem -n "__fish_mem_using_subcommand model; and not __fish_seen_subcommand_from pull list path rm help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -l force -d 'Fetch again even if a verified file is present'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from pull" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -l verify
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "pull" -d 'Download and verify models (default: all built-in ones); nothing is fetched twice'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "list" -d 'Show each built-in model and its state (missing, verified, corrupt); --verify re-hashes'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the file path of a model'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Delete a downloaded model'
complete -c mem -n "__fish_mem_using_subcommand model; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand reindex" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand reindex" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand reindex" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand reindex" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand reindex" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand reindex" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand watch" -l idle-exit -d 'Exit after SECS seconds without a query or a change (0 or absent: run until stopped)' -r
complete -c mem -n "__fish_mem_using_subcommand watch" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand watch" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand watch" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand watch" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand watch" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand watch" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "synth" -d 'Create a tree of N synthetic entries (realistic sizes and vocabulary, deterministic by seed)'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "locomo" -d 'Retrieval on LoCoMo: one temp tree per conversation, every QA asked through recall'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "longmemeval" -d 'Retrieval on LongMemEval: one temp tree per question (its haystack), abstention excluded'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "curation" -d 'Curated writes: decision accuracy, distillation support and latency per add on a scenario set'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "placement" -d 'Placement: where inputs land in an existing tree (existing topic or new), per mode'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "quarantine" -d 'The trust boundary: poisoned notes quarantined and normal notes passed, on a labelled set'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "lessons" -d '`mem learn` on a gold set of agent transcripts: lesson recall, precision, evidence, replay'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "drift" -d 'Facts that change over a simulated year: current values and values as of past dates'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "dream" -d '`mem dream` on a synthetic tree with planted near-duplicates and contradictions'
complete -c mem -n "__fish_mem_using_subcommand eval; and not __fish_seen_subcommand_from synth locomo longmemeval curation placement quarantine lessons drift dream help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -s n -l entries -d 'Number of entries' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l seed -d 'Seed of the generator' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l batch -d 'Entries per batch (one commit each)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l queries -d 'Benchmark queries to list in the report' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from synth" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l limit -d 'Ask at most N questions (N ≥ 1)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l tier -d 'Highest recall tier (1 lexical, 2 semantic, 3 structure, 4 a model rereads the best 10)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l granularity -d 'One entry per turn or per session' -r -f -a "turn\t'One entry per turn'
session\t'One entry per session (all its turns)'"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l depth -d 'Hits asked of recall per question (ranking depth)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l dump -d 'Write every question\'s ranked source.ref list to FILE (JSON Lines)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l work-dir -d 'Folder for the temporary trees, which must exist (default: the system temp dir; a tmpfs such as /dev/shm is faster)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l qa-k -d 'With --qa: notes retrieved per question' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l qa -d 'Answer every question too (tier 5, as `mem ask`) and score the answers: token F1 (LoCoMo\'s metric), containment of the reference answer, abstention on questions without one'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l extractive -d 'With --qa: answer without a model (the best matching sentence of the notes)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from locomo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l limit -d 'Ask at most N questions (N ≥ 1)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l tier -d 'Highest recall tier (1 lexical, 2 semantic, 3 structure, 4 a model rereads the best 10)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l granularity -d 'One entry per turn or per session' -r -f -a "turn\t'One entry per turn'
session\t'One entry per session (all its turns)'"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l depth -d 'Hits asked of recall per question (ranking depth)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l dump -d 'Write every question\'s ranked source.ref list to FILE (JSON Lines)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l work-dir -d 'Folder for the temporary trees, which must exist (default: the system temp dir; a tmpfs such as /dev/shm is faster)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l qa-k -d 'With --qa: notes retrieved per question' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l qa -d 'Answer every question too (tier 5, as `mem ask`) and score the answers: token F1 (LoCoMo\'s metric), containment of the reference answer, abstention on questions without one'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l extractive -d 'With --qa: answer without a model (the best matching sentence of the notes)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from longmemeval" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l modes -d 'Comma-separated: full, no-model, model-only, lexical' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l only -d 'Only cases whose id starts with this' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l mistakes -d 'List every wrong decision'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from curation" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l tree -d 'Existing entries (JSON Lines: {"at","text"}); default: the shipped tree' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l modes -d 'Comma-separated: full, no-model, lexical' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l mistakes -d 'List every wrong placement'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from placement" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -l mistakes -d 'List every mistake'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from quarantine" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -l replay -d 'Learn every transcript into a fresh tree and look each first error up (uses the embedder)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -l mistakes -d 'List every missed and every wrong lesson'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from lessons" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l seed -d 'Seed of the generator' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l subjects -d 'Subjects (five facts each), spread over four sorts (at most 50 of each)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l changed -d 'Share of the facts that change (one to three times)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l work-dir -d 'Folder for the temporary tree, which must exist (default: the system temp dir)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l no-model -d 'Curate without the generator (rules and thresholds only)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l dream -d 'Run `mem dream` after the adds, before the questions'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l mistakes -d 'List every question answered wrongly'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l keep -d 'Keep the tree afterwards and print its path on stderr (to read what was filed where)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from drift" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l seed -d 'Seed of the generator' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l entries -d 'Entries in the tree, planted ones included' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l duplicates -d 'Share of the entries that are planted near-duplicates' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l changes -d 'Share of the entries that are planted contradictions (a later value)' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l sample -d 'Proposals of each kind, right and wrong, listed with their texts' -r
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l work-dir -d 'Folder for the temporary tree, which must exist (default: the system temp dir)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from dream" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "synth" -d 'Create a tree of N synthetic entries (realistic sizes and vocabulary, deterministic by seed)'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "locomo" -d 'Retrieval on LoCoMo: one temp tree per conversation, every QA asked through recall'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "longmemeval" -d 'Retrieval on LongMemEval: one temp tree per question (its haystack), abstention excluded'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "curation" -d 'Curated writes: decision accuracy, distillation support and latency per add on a scenario set'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "placement" -d 'Placement: where inputs land in an existing tree (existing topic or new), per mode'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "quarantine" -d 'The trust boundary: poisoned notes quarantined and normal notes passed, on a labelled set'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "lessons" -d '`mem learn` on a gold set of agent transcripts: lesson recall, precision, evidence, replay'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "drift" -d 'Facts that change over a simulated year: current values and values as of past dates'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "dream" -d '`mem dream` on a synthetic tree with planted near-duplicates and contradictions'
complete -c mem -n "__fish_mem_using_subcommand eval; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand completions" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand completions" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand completions" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand completions" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand completions" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand completions" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand man" -l root -d 'The tree to use (default: the nearest folder upwards holding .mem/)' -r -F
complete -c mem -n "__fish_mem_using_subcommand man" -l color -d 'When to colour output' -r -f -a "auto\t''
always\t''
never\t''"
complete -c mem -n "__fish_mem_using_subcommand man" -l json -d 'Machine-readable output: one JSON object per line on stdout'
complete -c mem -n "__fish_mem_using_subcommand man" -s y -l yes -d 'Never prompt; assume "yes" where a confirmation would be asked'
complete -c mem -n "__fish_mem_using_subcommand man" -s q -l quiet -d 'Less output on stderr (errors are always shown)'
complete -c mem -n "__fish_mem_using_subcommand man" -s h -l help -d 'Print help'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "init" -d 'Create a tree (or adopt an existing git repository) and commit its settings'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "add" -d 'Remember something: text from the argument, stdin or --file'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "ingest" -d 'Import conversation transcripts (LoCoMo, LongMemEval, chat JSONL): one entry per turn'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "learn" -d 'Lessons from agent session transcripts: failures and their fixes, detours, procedures that worked'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "recall" -d 'Find memories: tiered retrieval (cache, lexical, semantic, structure)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "ask" -d 'Answer a question from memory, citing the entries it comes from (tier 5)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "show" -d 'Print an entry (by path, id or id prefix)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "ls" -d 'List entries, optionally under a path prefix'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "tree" -d 'Entry counts per domain and topic'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "edit" -d 'Open an entry in $EDITOR; the result is validated before it is kept'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "mv" -d 'Move an entry to another topic or path'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "forget" -d 'Retire entries to _archive/ (kept in git, restorable)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "restore" -d 'Bring archived entries back'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "undo" -d 'Take back a commit (a curated add, supersede, merge, move, forget…) in a new commit'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "log" -d 'History of an entry (following moves) or of the whole tree'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "doctor" -d 'Check every file: front matter, ids, paths, stray files'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "sync" -d 'Team memory: commit pending changes, fetch, merge entry by entry, push'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "remote" -d 'The tree\'s git remotes: add, ls'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "promote" -d 'Copy an entry into another tree (say, from your personal tree to the team\'s), with its provenance'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "merge-file" -d 'The git merge driver for entries (registered by init and sync; git calls it)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "review" -d 'What waits for a person: quarantined entries and agents\' changes held for review; approve or reject'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "dream" -d 'Offline consolidation: supersede changes and archive duplicates that curation missed'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "mcp" -d 'Serve the memory to agents and editors over MCP (stdio)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "hook" -d 'Coding agents\' hooks: install, uninstall, status, run (context at session start and per prompt, transcript harvest)'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "model" -d 'Local models: pull (download + verify), list, path, rm'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "reindex" -d 'Rebuild the index from the files'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "watch" -d 'Keep the index caught up while files change; answer recalls over a local socket'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "eval" -d 'Measurements: synthetic trees, LoCoMo and LongMemEval retrieval benchmarks'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "completions" -d 'Print shell completions'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "man" -d 'Write man pages into a folder'
complete -c mem -n "__fish_mem_using_subcommand help; and not __fish_seen_subcommand_from init add ingest learn recall ask show ls tree edit mv forget restore undo log doctor sync remote promote merge-file review dream mcp hook model reindex watch eval completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from remote" -f -a "add" -d 'Add a remote (a URL: ssh, https, file://, or a plain path)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from remote" -f -a "ls" -d 'List the remotes with their URLs'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "install" -d 'Write mem\'s hooks and MCP server into an agent\'s configuration (merged; idempotent)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "uninstall" -d 'Remove mem\'s hooks and MCP server from an agent\'s configuration (nothing else)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "status" -d 'Which agents have mem\'s hooks and MCP server, per scope'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "run" -d 'Run one hook: reads the agent\'s JSON on stdin (called by the agent)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "harvest" -d 'Harvest a transcript (started detached by the stop hooks)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from hook" -f -a "catch-up" -d 'Bring the index up to date with the files (started detached by a prompt hook that ran out of time catching up)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "pull" -d 'Download and verify models (default: all built-in ones); nothing is fetched twice'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "list" -d 'Show each built-in model and its state (missing, verified, corrupt); --verify re-hashes'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "path" -d 'Print the file path of a model'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from model" -f -a "rm" -d 'Delete a downloaded model'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "synth" -d 'Create a tree of N synthetic entries (realistic sizes and vocabulary, deterministic by seed)'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "locomo" -d 'Retrieval on LoCoMo: one temp tree per conversation, every QA asked through recall'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "longmemeval" -d 'Retrieval on LongMemEval: one temp tree per question (its haystack), abstention excluded'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "curation" -d 'Curated writes: decision accuracy, distillation support and latency per add on a scenario set'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "placement" -d 'Placement: where inputs land in an existing tree (existing topic or new), per mode'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "quarantine" -d 'The trust boundary: poisoned notes quarantined and normal notes passed, on a labelled set'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "lessons" -d '`mem learn` on a gold set of agent transcripts: lesson recall, precision, evidence, replay'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "drift" -d 'Facts that change over a simulated year: current values and values as of past dates'
complete -c mem -n "__fish_mem_using_subcommand help; and __fish_seen_subcommand_from eval" -f -a "dream" -d '`mem dream` on a synthetic tree with planted near-duplicates and contradictions'
