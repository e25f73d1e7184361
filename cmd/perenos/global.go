package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"perenos/pipeline"
	"perenos/store"
)

// globalOptions are the flags every command has.
type globalOptions struct {
	Home     string
	LogLevel string
	Quiet    bool
	Actor    string

	out    io.Writer
	errOut io.Writer
	log    *slog.Logger
}

func (g *globalOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&g.Home, "home", "", "workspace folder (default $PERENOS_HOME or ./perenos-data)")
	f.StringVar(&g.LogLevel, "log-level", "warn", "log level: debug, info, warn, error")
	f.BoolVarP(&g.Quiet, "quiet", "q", false, "no progress output")
	f.StringVar(&g.Actor, "actor", "", "who is acting, for the event log (default $USER)")
}

func (g *globalOptions) resolve(cmd *cobra.Command) error {
	if g.Home == "" {
		g.Home = os.Getenv("PERENOS_HOME")
	}
	if g.Home == "" {
		g.Home = "perenos-data"
	}
	if g.Actor == "" {
		g.Actor = "operator:" + os.Getenv("USER")
		if os.Getenv("USER") == "" {
			g.Actor = "operator"
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(g.LogLevel)); err != nil {
		return &usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", g.LogLevel)}
	}
	g.out, g.errOut = cmd.OutOrStdout(), cmd.ErrOrStderr()
	g.log = slog.New(slog.NewTextHandler(g.errOut, &slog.HandlerOptions{Level: lvl}))
	return nil
}

// openWorkspace takes the workspace's lock; the caller defers unlock.
// Inside perenos serve, a handed command gets the server's open workspace.
func openWorkspace(ctx context.Context, g *globalOptions, command string) (*store.Workspace, func(), error) {
	if ws := sharedWorkspace(ctx); ws != nil {
		return ws, func() {}, nil
	}
	ws, err := store.Open(ctx, g.Home, store.Options{Command: "perenos " + command})
	if err != nil {
		return nil, nil, err
	}
	return ws, func() { ws.Close() }, nil
}

// openOrg takes the workspace's lock and looks up one organisation; the
// caller defers unlock.
func openOrg(ctx context.Context, g *globalOptions, command, id string) (*store.Workspace, *store.Org, func(), error) {
	ws, unlock, err := openWorkspace(ctx, g, command)
	if err != nil {
		return nil, nil, nil, err
	}
	org, err := ws.Org(id)
	if err != nil {
		unlock()
		return nil, nil, nil, fmt.Errorf("%w (see perenos orgs list)", err)
	}
	return ws, org, unlock, nil
}

// isTerminal reports whether w is a terminal, for progress bars.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// selectorOptions choose organisations for a command.
type selectorOptions struct {
	All      bool
	Type     string
	District string
	State    string
}

// selector is the pipeline's selector for these flags and the named IDs.
func (s *selectorOptions) selector(ids []string) pipeline.Selector {
	return pipeline.Selector{IDs: ids, All: s.All, Type: s.Type, District: s.District, State: s.State}
}

func (s *selectorOptions) addFlags(f *pflag.FlagSet) {
	f.BoolVar(&s.All, "all", false, "every organisation of the workspace")
	f.StringVar(&s.Type, "type", "", "only organisations of this type (school, preschool, medical, municipal)")
	f.StringVar(&s.District, "district", "", "only organisations of this district")
	f.StringVar(&s.State, "state", "", "only sites in this state (e.g. failed, mapped)")
}

func trimLines(s string) string { return strings.TrimSpace(s) }

// selectOrgs returns the organisations the selector flags and the IDs
// name; a selection of none is a usage error.
func selectOrgs(ws *store.Workspace, sel selectorOptions, ids []string) ([]*store.Org, error) {
	orgs, err := pipeline.Select(ws, sel.selector(ids))
	if err != nil {
		return nil, &usageError{err.Error()}
	}
	return orgs, nil
}
