package main

import (
	"errors"
	"strings"

	"perenos/pipeline"
	"perenos/store"
)

// Exit codes, with restic's numbers where the meaning matches.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitPartial     = 3 // finished, but some sites or items failed
	ExitLocked      = 11
	ExitInterrupted = 130
)

func exitCode(err error) int {
	var he *handedError
	switch {
	case errors.As(err, &he):
		return he.res.Exit
	case err == nil:
		return ExitOK
	case errors.Is(err, store.ErrLocked):
		return ExitLocked
	case errors.Is(err, pipeline.ErrSomeFailed):
		return ExitPartial
	default:
		return ExitError
	}
}

// message is the sentence a person reads for err.
func message(err error) string {
	return err.Error()
}

// hint says what to do next, where we know.
func hint(err error) string {
	var le *store.LockedError
	var he *handedError
	switch {
	case errors.As(err, &he):
		return he.res.Hint
	case errors.As(err, &le):
		return "wait for that process to finish, or stop it; if it is perenos serve, start the job from its web UI. A lock left by a killed process is released by the kernel, so no unlock step is needed."
	case errors.Is(err, pipeline.ErrSomeFailed):
		return "perenos orgs list --state failed shows them; the same command re-runs the failed sites"
	case strings.Contains(err.Error(), "unknown flag"), isUsage(err):
		return "see perenos --help"
	}
	return ""
}
