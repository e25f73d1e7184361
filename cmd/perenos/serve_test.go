package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"perenos/handoff"
	"perenos/store"
)

// perenosCLIIn is perenosCLI with standard input.
func perenosCLIIn(t *testing.T, home string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCommand()
	var out, errOut bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(append([]string{"--home", home, "--actor", "test"}, args...))
	err := root.ExecuteContext(context.Background())
	if err != nil {
		errOut.WriteString("perenos: " + message(err) + "\n")
	}
	return out.String(), errOut.String(), exitCode(err)
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeTakesStageJobsAndInvitationsWork sets up access from the
// command line, starts perenos serve, and runs stage commands from
// "another terminal" while it holds the workspace.
func TestServeTakesStageJobsAndInvitationsWork(t *testing.T) {
	home := t.TempDir()
	site := serveDemoSite(t, "school")
	reg := filepath.Join(t.TempDir(), "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+
		"3801012345;МБОУ СОШ № 7;school;Иркутская область;Ангарский;"+site+";sh7\n"), 0o644)
	if _, stderr, code := perenosCLI(t, home, "orgs", "import", reg); code != ExitOK {
		t.Fatalf("import: %d %s", code, stderr)
	}
	if _, stderr, code := perenosCLIIn(t, home, "короткий\n", "users", "add", "оператор", "--password-stdin"); code == ExitOK {
		t.Fatalf("a short password was accepted: %s", stderr)
	}
	if _, stderr, code := perenosCLIIn(t, home, "длинный-пароль-2026\n", "users", "add", "оператор", "--password-stdin"); code != ExitOK {
		t.Fatalf("users add: %d %s", code, stderr)
	}
	addr := freeAddr(t)
	csvPath := filepath.Join(t.TempDir(), "invites.csv")
	if out, stderr, code := perenosCLI(t, home, "invite", "--all", "--public-url", "https://review.example.ru/", "--out", csvPath); code != ExitOK || !strings.Contains(out, "1 invitations written") {
		t.Fatalf("invite: %d %s %s", code, out, stderr)
	}
	if st, err := os.Stat(csvPath); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("invitations file must be private: %v %v", st.Mode(), err)
	}
	data, _ := os.ReadFile(csvPath)
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != "3801012345" || !strings.HasPrefix(rows[1][2], "https://review.example.ru/invite/") {
		t.Fatalf("invitations CSV: %v\n%s", err, data)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := newRootCommand()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs([]string{"--home", home, "--actor", "test", "serve", "--addr", addr, "--allow-private", "--delay", "1ms"})
		done <- root.ExecuteContext(ctx)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", handoff.Path(home))
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("perenos serve did not open its job socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if st, err := os.Stat(handoff.Path(home)); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("job socket must be owner-only: %v %v", st.Mode(), err)
	}
	resp, err := http.Get("http://" + addr + "/login")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("web UI: %v %v", resp, err)
	}
	resp.Body.Close()

	for _, step := range [][]string{
		{"crawl", "--all", "--allow-private", "--delay", "1ms"},
		{"extract", "--all"},
		{"map", "--all", "--json"},
	} {
		out, stderr, code := perenosCLI(t, home, step...)
		if code != ExitOK || !strings.Contains(stderr, "held by perenos serve") {
			t.Fatalf("%v while serve runs: exit %d\n%s\n%s", step, code, out, stderr)
		}
		if step[0] == "map" && !strings.Contains(out, `"state": "mapped"`) {
			t.Fatalf("the handed job's output did not come back: %s", out)
		}
	}
	// Commands that are not stage jobs run there too.
	if out, stderr, code := perenosCLI(t, home, "orgs", "list"); code != ExitOK || !strings.Contains(out, "3801012345") || !strings.Contains(stderr, "held by perenos serve") {
		t.Fatalf("orgs list while serve runs: %d %s %s", code, out, stderr)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve stopped with %v", err)
	}
	done <- nil // for the deferred wait

	ws, err := store.Open(context.Background(), home, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	o, _ := ws.Org("3801012345")
	if o.State != store.Mapped {
		t.Fatalf("state after handed-over jobs: %s", o.State)
	}
	invs, _ := ws.Invitations("3801012345")
	if len(invs) != 1 || strings.Contains(string(data), invs[0].TokenHash) {
		t.Fatalf("want one invitation kept by hash only: %+v", invs)
	}
	if u, err := ws.User("оператор"); err != nil || bytes.Contains(u.Hash, []byte("длинный")) {
		t.Fatalf("operator account: %v", err)
	}
}
