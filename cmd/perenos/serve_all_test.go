package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"perenos/handoff"
	"perenos/portal/server"
)

// startServe runs perenos serve on home in this process until the test
// ends, waits for its command socket, and returns the web UI's address.
func startServe(t *testing.T, home string, extra ...string) (addr string) {
	t.Helper()
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := newRootCommand()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(append([]string{"--home", home, "--actor", "test", "serve", "--addr", addr, "--allow-private", "--delay", "1ms"}, extra...))
		done <- root.ExecuteContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve stopped with %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("unix", handoff.Path(home))
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("perenos serve did not open its command socket: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEveryLedgerCommandWorksWhileServeRuns runs every documented command
// that works on the workspace while perenos serve holds it: each is handed
// to the server and must succeed there, with its output back here.
func TestEveryLedgerCommandWorksWhileServeRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("end to end")
	}
	home := t.TempDir()
	site := serveDemoSite(t, "school")
	dir := t.TempDir()
	reg := filepath.Join(dir, "region.csv")
	os.WriteFile(reg, []byte("id;name;type;region;district;legacy_url;portal_site\n"+
		"3801012345;МБОУ СОШ № 7;school;Иркутская область;Ангарский;"+site+";sh7\n"), 0o644)
	hs, _ := server.TestServer(t, server.Config{}, "sh7")
	tokens := filepath.Join(dir, "tokens.csv")
	os.WriteFile(tokens, []byte("portal_site,token\nsh7,"+server.TestToken("sh7")+"\n"), 0o600)
	startServe(t, home)

	// Relative paths are the client's: run from the scratch folder.
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(wd) })

	const org = "3801012345"
	steps := []struct {
		args []string
		in   string
		want string // in standard output
	}{
		{args: []string{"orgs", "import", "region.csv"}, want: "1 new"},
		{args: []string{"orgs", "list"}, want: org},
		{args: []string{"orgs", "list", "--format", "csv"}, want: "Наименование"},
		{args: []string{"orgs", "list", "--json"}, want: `"id": "` + org},
		{args: []string{"users", "add", "оператор", "--password-stdin"}, in: "длинный-пароль-2026\n", want: "can now log in"},
		{args: []string{"users", "list"}, want: "оператор"},
		{args: []string{"invite", org, "--out", "invites.csv"}, want: "1 invitations written"},
		{args: []string{"invite", org, "--list"}, want: org},
		{args: []string{"crawl", org, "--allow-private", "--delay", "1ms", "--warc", "crawl.warc"}, want: "crawled"},
		{args: []string{"extract", org}, want: "extracted"},
		{args: []string{"map", org}, want: "mapped"},
		{args: []string{"run", org, "--allow-private", "--delay", "1ms"}, want: "mapped"},
		{args: []string{"plan", org}, want: "Сведения"},
		{args: []string{"urls", org, "--status", "2xx"}, want: "placed"},
		{args: []string{"urls", org, "--broken", "--format", "csv", "--out", "broken.csv"}},
		{args: []string{"urls", "--all", "--format", "xlsx", "--out", "urls.xlsx"}},
		{args: []string{"gaps", org}, want: "sveden"},
		{args: []string{"approve", org, "--reason", "проверено по телефону", "--with-gaps"}, want: "approved"},
		{args: []string{"upload", org, "--portal", hs.URL, "--tokens", "tokens.csv", "--dry-run"}, want: "dry run"},
		{args: []string{"upload", org, "--portal", hs.URL, "--tokens", "tokens.csv"}, want: "created"},
		{args: []string{"verify", org, "--portal", hs.URL, "--tokens", "tokens.csv"}, want: "verified"},
		{args: []string{"items", org}, want: "imported"},
		{args: []string{"items", org, "--format", "csv", "--out", "items.csv"}},
		{args: []string{"redirects", org, "--portal-url", hs.URL}, want: "from,to"},
		{args: []string{"export", org, "--out", "site.zip"}, want: "site.zip"},
		{args: []string{"act", "issue", org, "--tz", "Asia/Irkutsk"}, want: "акт №"},
		{args: []string{"act", "show", org}, want: "выдан, не подписан"},
		{args: []string{"config", "tz", "Asia/Irkutsk"}, want: "Asia/Irkutsk"},
		{args: []string{"config"}, want: "Asia/Irkutsk"},
		{args: []string{"report", "--roadmap", "irkutsk-460rp"}, want: "акт"},
		{args: []string{"report", "--format", "csv", "--out", "report.csv"}},
		{args: []string{"events", org}, want: "act_issued"},
		{args: []string{"events", org, "--format", "csv"}, want: "Причина"},
		{args: []string{"orgs", "show", org}, want: "act_issued"},
		{args: []string{"domain", org, "--bound", "--reason", "проверено вручную"}},
		{args: []string{"backup", "ledger-copy.db"}, want: "ledger copied"},
		{args: []string{"backup", "workspace.tar"}, want: "workspace archived"},
		{args: []string{"invite", org, "--revoke"}, want: "1 invitations revoked"},
		{args: []string{"users", "disable", "оператор"}, want: "can no longer log in"},
	}
	for _, st := range steps {
		out, stderr, code := perenosCLIIn(t, home, st.in, st.args...)
		if code != ExitOK || !strings.Contains(stderr, "held by perenos serve") || !strings.Contains(out, st.want) {
			t.Fatalf("%v while serve runs: exit %d\nstdout:\n%s\nstderr:\n%s", st.args, code, out, stderr)
		}
	}
	// Files named relative to the client's folder were written there.
	for _, f := range []string{"invites.csv", "crawl.warc", "site.zip", "report.csv", "ledger-copy.db", "workspace.tar"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s was not written in the client's folder: %v", f, err)
		}
	}
	acts, _ := filepath.Glob(filepath.Join(home, "acts", "*.pdf"))
	if len(acts) == 0 {
		t.Fatal("no act PDF")
	}
	irkutsk, _ := time.LoadLocation("Asia/Irkutsk") // the act's zone: the date on its paper is a day there
	if out, stderr, code := perenosCLI(t, home, "act", "sign", org, "--signed-by", "Иванова И. И.", "--date", time.Now().In(irkutsk).Format("2006-01-02"), "--scan", acts[0]); code != ExitOK || !strings.Contains(out, "подписан: Иванова И. И.") {
		t.Fatalf("act sign while serve runs: %d %s %s", code, out, stderr)
	}
	if _, stderr, code := perenosCLI(t, home, "rollback", org, "--portal", hs.URL, "--tokens", tokens); code == ExitOK || !strings.Contains(stderr, "signed") {
		t.Fatalf("a rollback of a signed site must be refused: %d %s", code, stderr)
	}
	if out, stderr, code := perenosCLI(t, home, "act", "unsign", org, "--reason", "приложен не тот скан"); code != ExitOK || !strings.Contains(stderr, "held by perenos serve") {
		t.Fatalf("act unsign while serve runs: %d %s %s", code, out, stderr)
	}
	if out, stderr, code := perenosCLI(t, home, "act", "void", org, "--reason", "акт выдан по ошибке"); code != ExitOK || !strings.Contains(out, "аннулирован") {
		t.Fatalf("act void while serve runs: %d %s %s", code, out, stderr)
	}
}

// A handed command carries what the client resolved: absolute paths and
// the secrets it read itself, so that the server never resolves them
// against its own folder or reads its own environment.
func TestHandedCommandCarriesResolvedPathsAndSecrets(t *testing.T) {
	home := t.TempDir()
	got := make(chan handoff.Request, 1)
	ln, err := handoff.Listen(home)
	if err != nil {
		t.Skipf("no command socket on this system: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go handoff.Serve(ctx, ln, func(ctx context.Context, req handoff.Request, stdout, stderr io.Writer) handoff.Result {
		got <- req
		return handoff.Result{}
	}, nil)
	defer ln.Close()

	dir := t.TempDir()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	os.WriteFile("tokens.csv", []byte("portal_site,token\nsh7,secret-token-1234567890\n"), 0o600)
	if _, stderr, code := perenosCLI(t, home, "crawl", "--all", "--warc", "out.warc", "--profiles", "profiles"); code != ExitOK {
		t.Fatalf("crawl: %d %s", code, stderr)
	}
	var c crawlCmd
	req := <-got
	if err := json.Unmarshal(req.Options, &c); err != nil {
		t.Fatal(err)
	}
	if req.Command != "crawl" || c.Crawl.WARC != filepath.Join(dir, "out.warc") || c.Stage.Profiles != filepath.Join(dir, "profiles") || !c.Stage.Sel.All {
		t.Fatalf("handed crawl: %s %+v", req.Command, c)
	}
	t.Setenv("PERENOS_PORTAL_TOKEN", "")
	if _, stderr, code := perenosCLI(t, home, "upload", "sh7org", "--portal", "http://127.0.0.1:1", "--tokens", "tokens.csv"); code != ExitOK {
		t.Fatalf("upload: %d %s", code, stderr)
	}
	var u uploadCmd
	req = <-got
	if err := json.Unmarshal(req.Options, &u); err != nil {
		t.Fatal(err)
	}
	if u.Portal.TokenMap["sh7"] != "secret-token-1234567890" {
		t.Fatalf("the tokens were not read by the client: %+v", u.Portal)
	}
	t.Setenv("PERENOS_PORTAL_TOKEN", "from-the-client-environment")
	if _, stderr, code := perenosCLI(t, home, "verify", "x", "--portal", "http://127.0.0.1:1"); code != ExitOK {
		t.Fatalf("verify: %d %s", code, stderr)
	}
	var v verifyCmd
	req = <-got
	if err := json.Unmarshal(req.Options, &v); err != nil {
		t.Fatal(err)
	}
	if v.Portal.EnvToken != "from-the-client-environment" {
		t.Fatalf("the environment's token was not read by the client: %+v", v.Portal)
	}
}
