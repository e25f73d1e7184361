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

func newUsersCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "users",
		Short: "Manage the operator accounts of the review web UI",
	}
	var fromStdin bool
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add an operator account, or set its password",
		Long: `Add an operator account of perenos serve, or set a new password for it. The password is
asked for on the terminal (twice), or read from the first line of standard input with
--password-stdin. Only a bcrypt hash is kept.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUsersAdd(cmd.Context(), g, cmd.InOrStdin(), args[0], fromStdin)
		},
	}
	add.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	disable := &cobra.Command{
		Use:   "disable NAME",
		Short: "Stop an operator account from logging in",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runUsersDisable(cmd.Context(), g, args[0])
		},
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the operator accounts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, unlock, err := openWorkspace(cmd.Context(), g, "users list")
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
		},
	}
	cmd.AddCommand(add, disable, list)
	return cmd
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

func runUsersAdd(ctx context.Context, g *globalOptions, in io.Reader, name string, fromStdin bool) error {
	if strings.TrimSpace(name) != name || name == "" || len(name) > 64 {
		return &usageError{fmt.Sprintf("user name %q: use 1 to 64 characters without surrounding spaces", name)}
	}
	pw, err := readPassword(in, g, fromStdin)
	if err != nil {
		return err
	}
	hash, err := review.HashPassword(pw)
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

func runUsersDisable(ctx context.Context, g *globalOptions, name string) error {
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
