package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"perenos/review"
	"perenos/store"
)

// usersAddOptions are the flags of users add; Password is read by the
// client (prepare), from its terminal or standard input.
type usersAddOptions struct {
	FromStdin bool
	Password  string `json:",omitempty"`
}

func (o *usersAddOptions) prepare(g *globalOptions, in io.Reader, args []string) error {
	if err := checkUserName(args[0]); err != nil {
		return err
	}
	pw, err := readPassword(in, g, o.FromStdin)
	if err != nil {
		return err
	}
	o.Password = pw
	return nil
}

// usersOptions are the (no) flags of users disable and users list.
type usersOptions struct{}

func newUsersCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Manage the operator accounts of the review web UI",
	}
	var addOpts usersAddOptions
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an operator account, or set its password",
		Long: `Add an operator account of perenos serve, or set a new password for it. The password is
asked for on the terminal (twice), or read from the first line of standard input with
--password-stdin. Only a bcrypt hash is kept.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "users add", &addOpts, args, runUsersAdd)
		},
	}
	add.Flags().BoolVar(&addOpts.FromStdin, "password-stdin", false, "read the password from standard input")
	var none usersOptions
	disable := &cobra.Command{
		Use:   "disable NAME",
		Short: "Stop an operator account from logging in",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "users disable", &none, args, runUsersDisable)
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the operator accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return ledgerRun(cmd, g, "users list", &none, args, runUsersList)
		},
	}
	cmd.AddCommand(add, disable, list)
	return cmd
}

func runUsersList(ctx context.Context, g *globalOptions, o *usersOptions, args []string) error {
	ws, unlock, err := openWorkspace(ctx, g, "users list")
	if err != nil {
		return err
	}
	defer unlock()
	users, err := ws.Users()
	if err != nil {
		return err
	}
	for _, u := range users {
		state := "active"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(g.out, "%s\t%s\tsince %s\n", u.Name, state, u.Created.Format("2006-01-02"))
	}
	return nil
}

func readPassword(in io.Reader, g *globalOptions, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read password from standard input: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", &usageError{"standard input is not a terminal: use --password-stdin"}
	}
	fmt.Fprint(g.errOut, "password: ")
	a, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(g.errOut)
	if err != nil {
		return "", err
	}
	fmt.Fprint(g.errOut, "again: ")
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(g.errOut)
	if err != nil {
		return "", err
	}
	if string(a) != string(b) {
		return "", &usageError{"the two passwords differ"}
	}
	return string(a), nil
}

func checkUserName(name string) error {
	if !review.ValidUserName(name) {
		return &usageError{fmt.Sprintf("user name %q: use 1 to %d bytes without surrounding spaces", name, review.MaxUserName)}
	}
	return nil
}

func runUsersAdd(ctx context.Context, g *globalOptions, o *usersAddOptions, args []string) error {
	name := args[0]
	if err := checkUserName(name); err != nil {
		return err
	}
	hash, err := review.HashPassword(o.Password)
	if err != nil {
		return &usageError{err.Error()}
	}
	ws, unlock, err := openWorkspace(ctx, g, "users add")
	if err != nil {
		return err
	}
	defer unlock()
	if err := ws.PutUser(g.Actor, store.User{Name: name, Hash: hash}); err != nil {
		return err
	}
	fmt.Fprintf(g.out, "operator %s can now log in to perenos serve\n", name)
	return nil
}

func runUsersDisable(ctx context.Context, g *globalOptions, o *usersOptions, args []string) error {
	name := args[0]
	ws, unlock, err := openWorkspace(ctx, g, "users disable")
	if err != nil {
		return err
	}
	defer unlock()
	u, err := ws.User(name)
	if err != nil {
		return fmt.Errorf("%w (see perenos users list)", err)
	}
	u.Disabled = true
	if err := ws.PutUser(g.Actor, *u); err != nil {
		return err
	}
	fmt.Fprintf(g.out, "operator %s can no longer log in\n", name)
	return nil
}
