package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"perenos"
	"perenos/demo"
	"perenos/portal/server"
	"perenos/store"
)

// perenosCLI runs the command line in-process, as a user would type it,
// and returns what it printed and its exit code.
func perenosCLI(t *testing.T, home string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"--home", home, "--actor", "test"}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("perenos: " + message(err) + "\n")
	}
	return out.String(), errOut.String(), exitCode(err)
}

func serveDemoSite(t *testing.T, dir string) string {
	t.Helper()
	sub, err := fs.Sub(perenos.DemoSites, "testdata/sites/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(demo.StaticSite(sub))
	t.Cleanup(hs.Close)
	return hs.URL + "/"
}

// TestStagesFromTheCommandLine drives one site through every stage with
// the subcommands an operator types, against a real legacy site and the
// reference portal on loopback.
func TestStagesFromTheCommandLine(t *testing.T) {
	home := t.TempDir()
	site := serveDemoSite(t, "school")
	reg := filepath.Join(t.TempDir(), "region.csv")
	os.WriteFile(reg, []byte("\ufeffid;name;type;region;district;legacy_url;portal_site\n"+
		"3801012345;МБОУ СОШ № 7;school;Иркутская область;Ангарский;"+site+";sh7\n"+
		"3801099999;Школа без типа;college;Иркутская область;Ангарский;;x\n"), 0o644)

	_, stderr, code := perenosCLI(t, home, "orgs", "import", reg)
	if code != ExitPartial || !strings.Contains(stderr, "region.csv:3") {
		t.Fatalf("a bad row must be reported by line and the import end with code 3: %d\n%s", code, stderr)
	}
	out, _, _ := perenosCLI(t, home, "orgs", "list", "--json")
	if !strings.Contains(out, "3801012345") || strings.Contains(out, "3801099999") {
		t.Fatalf("the good row imports, the bad one does not: %s", out)
	}

	// Loopback is refused unless explicitly allowed.
	_, stderr, code = perenosCLI(t, home, "crawl", "--all", "--delay", "1ms")
	if code == ExitOK {
		t.Fatalf("a loopback site was crawled without --allow-private: %s", stderr)
	}
	for _, step := range [][]string{
		{"crawl", "--all", "--allow-private", "--delay", "1ms"},
		{"extract", "--all"},
		{"map", "--all"},
		{"approve", "--all", "--reason", "проверено", "--with-gaps"},
	} {
		if step[0] == "approve" {
			// Without the confirmation, open mandated gaps refuse the approval.
			if _, stderr, code := perenosCLI(t, home, step[:len(step)-1]...); code != ExitError || !strings.Contains(stderr, "--with-gaps") {
				t.Fatalf("approval with open gaps and no --with-gaps: exit %d\n%s", code, stderr)
			}
		}
		if out, stderr, code := perenosCLI(t, home, step...); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, out, stderr)
		}
	}
	out, _, _ = perenosCLI(t, home, "plan", "3801012345", "--format", "json")
	var plan struct {
		Sections []struct {
			ID    string
			Items []struct {
				SourceURL string `json:"source_url"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil {
		t.Fatalf("plan --format json: %v\n%s", err, out)
	}
	placed := map[string]string{}
	for _, s := range plan.Sections {
		for _, it := range s.Items {
			placed[strings.TrimPrefix(it.SourceURL, strings.TrimSuffix(site, "/"))] = s.ID
		}
	}
	if placed["/sveden/paid_edu.html"] != "sveden/paid_edu" || placed["/sveden/common.html"] != "sveden/common" {
		t.Fatalf("pages misplaced: %v", placed)
	}

	hs, psrv := server.TestServer(t, server.Config{}, "sh7")
	tokens := filepath.Join(t.TempDir(), "tokens.csv")
	os.WriteFile(tokens, []byte("portal_site,token\nsh7,"+server.TestToken("sh7")+"\n"), 0o644)
	_, stderr, code = perenosCLI(t, home, "upload", "--all", "--portal", hs.URL, "--tokens", tokens)
	if code == ExitOK || !strings.Contains(stderr, "chmod 600") {
		t.Fatalf("a tokens file readable by others must be refused with the fix: %d %s", code, stderr)
	}
	os.Chmod(tokens, 0o600)
	out, _, code = perenosCLI(t, home, "upload", "--all", "--portal", hs.URL, "--tokens", tokens, "--dry-run")
	if objects, files, _, _ := psrv.Counts("sh7"); code != ExitOK || objects+files != 0 || !strings.Contains(out, "dry run, nothing sent: would create") {
		t.Fatalf("--dry-run: exit %d, %d objects and %d files on the portal\n%s", code, objects, files, out)
	}
	out, stderr, code = perenosCLI(t, home, "upload", "--all", "--portal", hs.URL, "--tokens", tokens)
	if code != ExitOK || !strings.Contains(out, "created") {
		t.Fatalf("upload: %d\n%s\n%s", code, out, stderr)
	}
	out, _, code = perenosCLI(t, home, "upload", "--all", "--portal", hs.URL, "--tokens", tokens)
	if code != ExitOK || !strings.Contains(out, "nothing new to upload") {
		t.Fatalf("a second upload must change nothing: %s", out)
	}
	out, stderr, code = perenosCLI(t, home, "verify", "--all", "--portal", hs.URL, "--tokens", tokens, "--json")
	if code != ExitOK || !strings.Contains(out, `"verified"`) {
		t.Fatalf("verify: %d\n%s\n%s", code, out, stderr)
	}
	out, _, _ = perenosCLI(t, home, "events", "3801012345")
	for _, want := range []string{"registered", "crawled", "mapped", "approved", "uploaded", "verified", "проверено"} {
		if !strings.Contains(out, want) {
			t.Errorf("events lack %q:\n%s", want, out)
		}
	}
	backup := filepath.Join(t.TempDir(), "copy.db")
	if _, stderr, code := perenosCLI(t, home, "backup", backup); code != ExitOK {
		t.Fatalf("backup: %s", stderr)
	}
	if st, err := os.Stat(backup); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	}
}

func TestLockedWorkspaceIsAPlainError(t *testing.T) {
	home := t.TempDir()
	ws, err := store.Open(context.Background(), home, store.Options{Command: "perenos serve"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	start := time.Now()
	_, stderr, code := perenosCLI(t, home, "orgs", "list")
	if code != ExitLocked || !strings.Contains(stderr, store.LedgerFile) || !strings.Contains(stderr, "perenos serve") {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("waited %v for a locked workspace", d)
	}
	if !errors.Is(&store.LockedError{}, store.ErrLocked) {
		t.Fatal("LockedError does not match ErrLocked")
	}
}

func TestProgressEstimate(t *testing.T) {
	for _, c := range []struct {
		elapsed     time.Duration
		done, total int
		want        string
	}{
		{10 * time.Second, 0, 10, ""},
		{10 * time.Second, 10, 10, ""},
		{10 * time.Second, 5, 10, "about 10s left (estimate)"},
		{time.Minute, 1, 31, "about 30 min left (estimate)"},
		{time.Hour, 1, 4, "about 3.0 h left (estimate)"},
	} {
		if got := estimate(c.elapsed, c.done, c.total); got != c.want {
			t.Errorf("estimate(%v, %d, %d) = %q, want %q", c.elapsed, c.done, c.total, got, c.want)
		}
	}
}
