# Sourced by every non-interactive bash through BASH_ENV while the end-to-end benchmark runs
# Snakemake (never by the workflow itself): records, for each top-level job shell, its start and
# end time (EPOCHREALTIME, microseconds), its CPU time and that of its waited children (`times`)
# and its command string, into one file under $E2E_JOB_DIR. Nested bash processes are skipped so
# no CPU is counted twice. Only for measurement: the job's exit status is kept.
if [ -n "${E2E_JOB_DIR:-}" ] && [ -n "${BASH_EXECUTION_STRING:-}" ] && [ -z "${E2E_JOB_NESTED:-}" ]; then
    export E2E_JOB_NESTED=1
    __e2e_t0=$EPOCHREALTIME
    __e2e_record() {
        local rc=${1:-$?}
        {
            printf '%s\t%s\n' "$__e2e_t0" "$EPOCHREALTIME"
            times
            printf '%s\n' "$BASH_EXECUTION_STRING"
        } > "$E2E_JOB_DIR/job.$$.${__e2e_t0/./}.rec"
        exit "$rc"
    }
    trap __e2e_record EXIT
    # A job that sets its own EXIT trap (e.g. to remove a temp file) keeps it, chained before ours.
    trap() {
        if [ "$#" -eq 2 ] && { [ "$2" = EXIT ] || [ "$2" = 0 ]; }; then
            builtin trap "__e2e_rc=\$?; $1; __e2e_record \$__e2e_rc" EXIT
        else
            builtin trap "$@"
        fi
    }
fi
