//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its terminal side, for
// commands that must behave differently on a terminal.
func openPTY(t *testing.T) *os.File {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no pseudo-terminal: %v", err)
		}
		t.Skipf("no pseudo-terminal (%v): skipping", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// onTerminal runs the command line with standard output on a terminal.
func onTerminal(t *testing.T, home string, args ...string) (stderr string, code int) {
	t.Helper()
	root := newRootCommand()
	var errOut bytes.Buffer
	root.SetOut(openPTY(t))
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"--home", home, "--actor", "test"}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("perenos: " + message(err) + "\n")
	}
	return errOut.String(), exitCode(err)
}

// hostileRegion imports organisations whose names and districts a
// spreadsheet would run as formulas, and maps them.
func hostileRegion(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	reg := filepath.Join(t.TempDir(), "region.csv")
	if err := os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+
		"3801000001;\"=HYPERLINK(\"\"http://evil.example/\"\",\"\"Школа\"\")\";school;Иркутская область;+7 Ангарский;;s1\n"+
		"3801000002;@SUM(A1:A2);preschool;Иркутская область;-Усольский;;d2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, step := range [][]string{{"orgs", "import", reg}, {"map", "--all"}} {
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, out, stderr)
		}
	}
	return home
}

// TestInvitesCSVNeutralises: invite --out writes names that start with
// = + - @ after an apostrophe (issue 15 item 10).
func TestInvitesCSVNeutralises(t *testing.T) {
	home := hostileRegion(t)
	file := filepath.Join(t.TempDir(), "invites.csv")
	if _, stderr, code := perenosCLI(t, home, "invite", "--all", "--out", file); code != ExitOK {
		t.Fatalf("invite: %d %s", code, stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "org,name,link,expires" {
		t.Fatalf("%v %q", err, recs)
	}
	names := map[string]string{recs[1][0]: recs[1][1], recs[2][0]: recs[2][1]}
	if names["3801000001"] != `'=HYPERLINK("http://evil.example/","Школа")` || names["3801000002"] != "'@SUM(A1:A2)" {
		t.Fatalf("names written raw: %q", names)
	}
	if !strings.HasPrefix(recs[1][2], "http") || !strings.Contains(recs[1][3], "T") {
		t.Fatalf("link or expiry changed: %q", recs[1])
	}
}

// TestBinaryFormatsOut: gaps and report write a workbook to --out, and
// refuse to print one on a terminal (issue 17).
func TestBinaryFormatsOut(t *testing.T) {
	home := hostileRegion(t)
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		file string
	}{
		{[]string{"gaps", "3801000001", "--format", "xlsx"}, "gaps.xlsx"},
		{[]string{"report", "--format", "xlsx"}, "report.xlsx"},
	} {
		out := filepath.Join(dir, c.file)
		stdout, stderr, code := perenosCLI(t, home, append(c.args, "--out", out)...)
		if code != ExitOK || stdout != "" || !strings.Contains(stderr, "written to "+out) {
			t.Fatalf("%v --out: %d %q %s", c.args, code, stdout, stderr)
		}
		if data, err := os.ReadFile(out); err != nil || !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
			t.Fatalf("%s is not a workbook: %v", out, err)
		}
		stderr, code = onTerminal(t, home, c.args...)
		if code == ExitOK || !strings.Contains(stderr, "give --out FILE.xlsx") {
			t.Fatalf("%v on a terminal: %d %s", c.args, code, stderr)
		}
	}
	// a text format still prints on the terminal
	if stderr, code := onTerminal(t, home, "gaps", "3801000001", "--format", "csv"); code != ExitOK {
		t.Fatalf("csv on a terminal: %d %s", code, stderr)
	}
}
