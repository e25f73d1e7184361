package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"perenos/handoff"
	"perenos/store"
)

// preparer is a command's options that must be completed where the
// command was typed before they can run elsewhere: relative paths made
// absolute, secrets (tokens, passwords) and standard input read by the
// client, never by the server from its own environment.
type preparer interface {
	prepare(g *globalOptions, in io.Reader, args []string) error
}

// ledgerRun runs a command that works on the workspace. While perenos
// serve holds the workspace, the command is handed to it, typed: its
// options as parsed here, prepared, and its arguments; the server runs
// the same run function on its open workspace. Otherwise it runs here.
func ledgerRun[O any](cmd *cobra.Command, g *globalOptions, name string, o *O, args []string, run func(context.Context, *globalOptions, *O, []string) error) error {
	ctx := cmd.Context()
	if sharedWorkspace(ctx) == nil {
		if p, ok := any(o).(preparer); ok {
			if err := p.prepare(g, cmd.InOrStdin(), args); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("encode the options of %s: %w", name, err)
		}
		req := handoff.Request{Command: name, Options: raw, Args: args, Actor: g.Actor, LogLevel: g.LogLevel, Quiet: g.Quiet}
		handed, res, err := handoff.Call(ctx, g.Home, req, g.out, g.errOut)
		if handed {
			if err != nil {
				return err
			}
			if res.Exit == ExitOK {
				return nil
			}
			return &handedError{res}
		}
	}
	return run(ctx, g, o, args)
}

// handedError carries a handed command's outcome so that the exit code
// and the hint are the server's. A zero exit is no error.
type handedError struct{ res handoff.Result }

func (e *handedError) Error() string { return e.res.Message }

// handedRunner decodes a handed command's options and runs it.
type handedRunner func(ctx context.Context, g *globalOptions, raw json.RawMessage, args []string) error

// handled makes the handedRunner of one command.
func handled[O any](run func(context.Context, *globalOptions, *O, []string) error) handedRunner {
	return func(ctx context.Context, g *globalOptions, raw json.RawMessage, args []string) error {
		o := new(O)
		if err := json.Unmarshal(raw, o); err != nil {
			return fmt.Errorf("decode the handed options: %w", err)
		}
		return run(ctx, g, o, args)
	}
}

// handedCommands are the commands perenos serve runs for other processes:
// every command that works on the ledger.
func handedCommands() map[string]handedRunner {
	return map[string]handedRunner{
		"crawl":           handled(runCrawl),
		"extract":         handled(runExtract),
		"map":             handled(runMap),
		"run":             handled(runRun),
		"approve":         handled(runApprove),
		"upload":          handled(runUpload),
		"verify":          handled(runVerify),
		"rollback":        handled(runRollback),
		"export":          handled(runExport),
		"redirects":       handled(runRedirects),
		"plan":            handled(runPlan),
		"gaps":            handled(runGaps),
		"events":          handled(runEvents),
		"backup":          handled(runBackup),
		"orgs import":     handled(runOrgsImport),
		"orgs list":       handled(runOrgsList),
		"orgs show":       handled(runOrgsShow),
		"act issue":       handled(runActIssue),
		"act sign":        handled(runActSign),
		"act unsign":      handled(runActUnsign),
		"act void":        handled(runActVoid),
		"act show":        handled(runActShow),
		"report":          handled(runReport),
		"config":          handled(runConfigShow),
		"config tz":       handled(runConfigTZ),
		"domain":          handled(runDomain),
		"users add":       handled(runUsersAdd),
		"users disable":   handled(runUsersDisable),
		"users list":      handled(runUsersList),
		"invite":          handled(runInvite),
		"urls":            handled(runURLs),
		"items":           handled(runItems),
		"redirects check": handled(runRedirectsCheck),
	}
}

// serveHandedCommands answers the commands other processes hand to this
// perenos serve, on its open workspace and its shared runner.
func serveHandedCommands(ws *store.Workspace, shared *serveRunner, log *slog.Logger) handoff.Handler {
	table := handedCommands()
	return func(ctx context.Context, req handoff.Request, stdout, stderr io.Writer) handoff.Result {
		run := table[req.Command]
		if run == nil {
			return handoff.Result{Exit: ExitError, Message: fmt.Sprintf("perenos serve does not run %q for other processes", req.Command)}
		}
		g := &globalOptions{Home: ws.Dir, Actor: req.Actor, LogLevel: req.LogLevel, Quiet: req.Quiet, out: stdout, errOut: stderr}
		var lvl slog.Level
		if err := lvl.UnmarshalText([]byte(req.LogLevel)); err != nil {
			lvl = slog.LevelWarn
		}
		g.log = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
		log.Info("handed command", "command", req.Command, "actor", req.Actor, "args", req.Args)
		jctx := context.WithValue(context.WithValue(ctx, sharedWorkspaceKey{}, ws), sharedRunnerKey{}, shared)
		fmt.Fprintf(stderr, "the workspace is held by perenos serve: %s runs there\n", req.Command)
		err := run(jctx, g, req.Options, req.Args)
		res := handoff.Result{Exit: exitCode(err)}
		if err != nil {
			res.Message, res.Hint = message(err), hint(err)
		}
		return res
	}
}

type sharedWorkspaceKey struct{}
type sharedRunnerKey struct{}

// sharedWorkspace is the workspace a command handed to perenos serve runs on.
func sharedWorkspace(ctx context.Context) *store.Workspace {
	ws, _ := ctx.Value(sharedWorkspaceKey{}).(*store.Workspace)
	return ws
}

// sharedRunner is what a handed command shares with the server's other jobs.
func sharedRunner(ctx context.Context) *serveRunner {
	r, _ := ctx.Value(sharedRunnerKey{}).(*serveRunner)
	return r
}

// absPath makes a path typed on the client absolute, so that the server
// reads and writes where the operator meant.
func absPath(p *string) error {
	if *p == "" || *p == "-" || filepath.IsAbs(*p) {
		return nil
	}
	a, err := filepath.Abs(*p)
	if err != nil {
		return fmt.Errorf("path %s: %w", *p, err)
	}
	*p = a
	return nil
}

// absArgs makes the path arguments of a command absolute.
func absArgs(args []string) error {
	for i := range args {
		if err := absPath(&args[i]); err != nil {
			return err
		}
	}
	return nil
}

// envToken is the portal token given in the environment, read by the
// client only.
func envToken() string { return strings.TrimSpace(os.Getenv("PERENOS_PORTAL_TOKEN")) }
