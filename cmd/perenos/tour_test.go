package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tourCommands reads the tour block of README.md: one command per line,
// comments dropped.
func tourCommands(t *testing.T) [][]string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, "<!-- tour -->"), strings.Index(s, "<!-- /tour -->")
	if i < 0 || j < i {
		t.Fatal("README.md has no tour block between <!-- tour --> and <!-- /tour -->")
	}
	var out [][]string
	for _, line := range strings.Split(s[i:j], "\n") {
		line = strings.TrimSpace(line)
		if k := strings.Index(line, "  #"); k >= 0 {
			line = strings.TrimSpace(line[:k])
		}
		if line == "" || strings.HasPrefix(line, "```") || strings.HasPrefix(line, "<!--") {
			continue
		}
		out = append(out, shellWords(t, line))
	}
	return out
}

// shellWords splits a command line as a shell would for these lines:
// words separated by spaces, double-quoted words kept whole.
func shellWords(t *testing.T, line string) []string {
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unclosed quote in %q", line)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// TestREADMETourRunsAsWritten runs the README's tour: the demo's sites
// and portal served by perenos demo --serve-sites, then every command of
// the block in its order, each of which must succeed. Only the ports are
// moved, to free ones, the same way in every command.
func TestREADMETourRunsAsWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	cmds := tourCommands(t)
	if len(cmds) < 5 || strings.Join(cmds[0], " ") != "perenos demo --serve-sites" {
		t.Fatalf("the tour must start with perenos demo --serve-sites: %q", cmds)
	}
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })
	first, portalPort := freePort(t), freePort(t)
	// The sites take three consecutive ports from first; a port taken in
	// between fails the serve with a message naming it.
	ports := map[string]string{"8081": strconv.Itoa(first), "8082": strconv.Itoa(first + 1), "8083": strconv.Itoa(first + 2), "8090": strconv.Itoa(portalPort)}
	move := func(w string) string {
		for from, to := range ports {
			w = strings.ReplaceAll(w, "127.0.0.1:"+from, "127.0.0.1:"+to)
		}
		return w
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := newRootCommand()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"demo", "--serve-sites", "--first-port", ports["8081"], "--portal-port", ports["8090"]})
		done <- root.ExecuteContext(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(dir, "tour", "tokens.csv")); err == nil {
			break
		}
		select {
		case err := <-done:
			done <- err // for the cleanup, which waits for the demo to end
			t.Fatalf("perenos demo --serve-sites stopped: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("perenos demo --serve-sites wrote no tokens")
		}
		time.Sleep(20 * time.Millisecond)
	}

	home := ""
	for _, c := range cmds[1:] {
		if c[0] == "export" {
			k, v, _ := strings.Cut(c[1], "=")
			if k != "PERENOS_HOME" {
				t.Fatalf("the tour sets %s; the test knows only PERENOS_HOME", k)
			}
			home = filepath.Join(dir, v)
			continue
		}
		if c[0] != "perenos" {
			t.Fatalf("not a perenos command in the tour: %q", c)
		}
		args := make([]string, len(c)-1)
		for i, w := range c[1:] {
			args[i] = move(w)
		}
		out, stderr, code := perenosCLI(t, home, args...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(c, " "), code, out, stderr)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	addr := freeAddr(t)
	_, p, _ := strings.Cut(addr, ":")
	n, _ := strconv.Atoi(p)
	return n
}
